package io.github.netatmotoken.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;

/**
 * The file system calls of a {@link FileTokenStore} whose failures it works around: creating the temporary file
 * and the lock file (a directory that does not let it create files) and renaming the temporary file over the token
 * file (a token file that is a mount point of its own). {@link #SYSTEM} makes the real calls; a test overrides one
 * method to raise one named fault on any machine.
 */
interface TokenFileOperations {
    /** The text of EROFS as the JDK reports it on Linux (glibc's strerror, in the C locale). */
    String READ_ONLY_FILE_SYSTEM = "Read-only file system";
    /** The text of EBUSY, likewise. */
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
     * Whether {@code e}, raised by {@link #createTempFile} or {@link #openLockFile}, says that the directory does not
     * let this program create (or open) files: permission denied, or a read-only file system. Other failures (a
     * full disk, an I/O error) are not worked around.
     */
    static boolean cannotCreate(Exception e) {
        return e instanceof AccessDeniedException || e instanceof ReadOnlyFileSystemException
                || e instanceof FileSystemException fse && READ_ONLY_FILE_SYSTEM.equals(fse.getReason());
    }

    /**
     * Whether {@code e}, raised by {@link #replace}, is EBUSY: the target is a mount point of its own (a single
     * file bind-mounted into a container), which the OS does not let a rename replace.
     */
    static boolean isMountPoint(IOException e) {
        return e instanceof FileSystemException fse && DEVICE_OR_RESOURCE_BUSY.equals(fse.getReason());
    }

    /** The reason of a {@link #cannotCreate} failure, for a person: "permission denied", "read-only file system". */
    static String reason(Exception e) {
        return e instanceof AccessDeniedException ? "permission denied" : "read-only file system";
    }
}
