package io.github.netatmotoken.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link FileTokenStore} saves where it cannot rename a temporary file over the token file (a mount point of
 * its own, a directory it cannot create files in): the existing file is truncated, written and forced to disk. A
 * crash in between leaves it empty or partial, which {@link FileTokenStore#load()} then reports, so the first such
 * save of each store logs a WARN saying why and what to do.
 *
 * <p>Thread-safe; callers hold the store's in-JVM lock, so that two writes in place never interleave.
 */
final class InPlaceWrite {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Logger log = LoggerFactory.getLogger(FileTokenStore.class);

    private final Path file;
    private final AtomicBoolean warned = new AtomicBoolean();

    /** @param file the token file as the store was given it, for messages */
    InPlaceWrite(Path file) {
        this.file = file;
    }

    /**
     * Overwrites {@code target} (the token file, links resolved) with {@code content}, made owner-only first where
     * this user may change its mode; the first call of this store logs {@code warning} with {@code arguments}.
     */
    void write(Path target, byte[] content, String warning, Object... arguments) throws IOException {
        if (warned.compareAndSet(false, true)) {
            log.warn(warning, arguments);
        }
        restrictToOwner(target);
        FileChannel channel;
        try {
            channel = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw FileTokenStore.saveFailed(file, e);
        }
        try {
            FileTokenStore.writeAndForce(channel, content);
        } catch (IOException e) {
            throw new IOException("Could not save token file " + file + " in place: " + FileTokenStore.describe(e)
                    + "; the file may now be empty or partial", e);
        }
    }

    private static void restrictToOwner(Path target) {
        try {
            if (!Files.getPosixFilePermissions(target).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(target, OWNER_ONLY);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not POSIX, or not this user's file (a bind mount's owner on the host): it keeps the mode it has.
        }
    }
}
