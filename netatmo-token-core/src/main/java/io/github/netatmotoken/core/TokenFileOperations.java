package io.github.netatmotoken.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;

/**
 * The file system calls of a {@link FileTokenStore} whose failures it works around or reports: creating the
 * temporary file, renaming it over the token file (a token file that is a mount point of its own) and opening the
 * lock file. {@link #SYSTEM} makes the real calls; a test overrides one method to raise one named fault on any
 * machine.
 */
interface TokenFileOperations {
    /** The text of EBUSY as the JDK reports it on Linux (glibc's strerror, in the C locale). */
    String DEVICE_OR_RESOURCE_BUSY = "Device or resource busy";

    /** The real calls. */
    TokenFileOperations SYSTEM = new TokenFileOperations() { };

    /** Creates a new, empty temporary file in {@code dir}, named {@code prefix} plus a random part and ".tmp". */
    default Path createTempFile(Path dir, String prefix, FileAttribute<?>... attributes) throws IOException {
        return Files.createTempFile(dir, prefix, ".tmp", attributes);
    }

    /** Renames {@code temp} over {@code target} atomically. */
    default void replace(Path temp, Path target) throws IOException {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Opens the lock file for writing (an OS lock needs that), creating it with {@code attributes} if missing. */
    default FileChannel openLockFile(Path lockFile, FileAttribute<?>... attributes) throws IOException {
        try {
            return FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    attributes);
        } catch (FileAlreadyExistsException e) {
            return FileChannel.open(lockFile, StandardOpenOption.WRITE);
        }
    }

    /**
     * Whether {@code e}, raised by {@link #replace}, is EBUSY: the target is a mount point of its own (a single
     * file bind-mounted into a container), which the OS does not let a rename replace.
     */
    static boolean isMountPoint(IOException e) {
        return e instanceof FileSystemException fse && DEVICE_OR_RESOURCE_BUSY.equals(fse.getReason());
    }
}
