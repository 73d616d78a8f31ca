package io.github.netatmotoken.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps a token in a JSON file, in the format of the Go netatmo-exporter, so that an existing token file can be
 * used as is.
 *
 * <pre>{@code
 * TokenStore store = new FileTokenStore(Path.of("/var/lib/netatmo/token.json"));
 * Optional<Token> token = store.load();   // empty if the file does not exist yet
 * store.save(newToken);                    // atomic, durable, mode 0600
 * }</pre>
 *
 * <p><b>Reading</b> is tolerant: unknown attributes and Go's zero time are accepted, a missing attribute is a
 * warning in the log (naming the attribute, never a value), and a missing expiry is replaced with "now" from the
 * {@link Clock} so that the token is refreshed at once. A file that cannot be understood raises a
 * {@link TokenFileException} and is left untouched.
 *
 * <p><b>Writing</b> never leaves a partial file: the token goes to a temporary file in the same directory, which is
 * forced to disk and renamed over the target; then the directory is forced. The file gets owner-only permissions
 * (0600) on POSIX file systems. A symbolic link is written through to its target.
 *
 * <p>{@link #lock()} coordinates processes sharing the file with an OS lock on a sibling {@code .lock} file.
 *
 * <p>This class is thread-safe; concurrent saves, also from several instances for the same file, never interleave.
 */
public final class FileTokenStore implements TokenStore {
    /** A token file is well under 1 KiB; anything this large is not one. */
    static final int MAX_FILE_SIZE = 64 * 1024;

    private static final int MAX_SYMLINK_DEPTH = 40;
    private static final ConcurrentMap<Path, ReentrantLock> IN_JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final Clock clock;

    /** A store for {@code file}, using the system clock for the short expiry of incomplete files. */
    public FileTokenStore(Path file) {
        this(file, Clock.systemUTC());
    }

    /** A store for {@code file}, using {@code clock} for the short expiry of incomplete files. */
    public FileTokenStore(Path file, Clock clock) {
        this.file = Objects.requireNonNull(file, "file");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The token file, as given. */
    public Path file() {
        return file;
    }

    /**
     * Reads the token file.
     *
     * @return the token, or empty if the file does not exist or holds no token at all
     * @throws TokenFileException if the file exists but cannot be read or understood
     */
    @Override
    public Optional<Token> load() throws TokenFileException {
        byte[] bytes;
        try {
            bytes = readBounded();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return TokenFile.parse(file, bytes, clock.instant());
    }

    private byte[] readBounded() throws NoSuchFileException, TokenFileException {
        if (Files.isDirectory(file)) {
            throw new TokenFileException(file, "is a directory, not a JSON token file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_FILE_SIZE + 1);
            if (bytes.length > MAX_FILE_SIZE) {
                throw new TokenFileException(file, "is larger than " + (MAX_FILE_SIZE / 1024) + " KiB, which no"
                        + " token file is; check that the path names the token file");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw e;
        } catch (AccessDeniedException e) {
            throw new TokenFileException(file, "cannot be read: permission denied; give the user running this"
                    + " program read and write access to it", e);
        } catch (TokenFileException e) {
            throw e;
        } catch (IOException e) {
            throw new TokenFileException(file, "cannot be read: " + e, e);
        }
    }

    /**
     * Replaces the token file atomically and durably with mode 0600, creating missing parent directories.
     *
     * @throws IOException naming the path if the token could not be written; the previous file is then intact
     * @throws IllegalArgumentException if the expiry lies outside the years 0000 to 9999, or the token would make
     *     a file larger than 64 KiB
     */
    @Override
    public void save(Token token) throws IOException {
        Objects.requireNonNull(token, "token");
        byte[] content = TokenFile.format(token);
        if (content.length > MAX_FILE_SIZE) {
            // Never write a file that load() would refuse; real NetAtmo tokens are about 100 bytes.
            throw new IllegalArgumentException("token is too large to store: " + content.length
                    + " bytes as JSON, the token file limit is " + MAX_FILE_SIZE + " bytes");
        }
        Path target = resolveLinks(file);
        Path dir = directoryOf(target);
        ReentrantLock lock;
        try {
            Files.createDirectories(dir);
            lock = inJvmLock(dir, target);
        } catch (IOException e) {
            throw saveFailed(e);
        }
        lock.lock();
        try {
            write(dir, target, content);
        } finally {
            lock.unlock();
        }
    }

    private void write(Path dir, Path target, byte[] content) throws IOException {
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", ownerOnly(dir));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException e) {
            throw saveFailed(e);
        } finally {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        }
        forceDirectory(dir);
    }

    private IOException saveFailed(IOException e) {
        return new IOException("Could not save token file " + file + ": " + describe(e)
                + "; the previous file is unchanged", e);
    }

    /**
     * Locks the token file against other processes (and other instances in this JVM) until the returned lock
     * is closed, by an OS lock on a sibling file named like the token file plus {@code .lock}. The lock must be
     * closed by the thread that took it; that thread may take it again meanwhile (each lock is closed on its own),
     * and closing a lock again does nothing.
     */
    @Override
    public Lock lock() throws IOException {
        Path target = resolveLinks(file);
        Path dir = directoryOf(target);
        Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
        ReentrantLock inJvm;
        try {
            Files.createDirectories(dir);
            inJvm = inJvmLock(dir, target);
        } catch (IOException e) {
            throw lockFailed(lockFile, e);
        }
        inJvm.lock();
        if (inJvm.getHoldCount() > 1) {
            return closingOnce(inJvm::unlock); // this thread holds the OS lock already
        }
        try {
            FileChannel channel = openLockFile(lockFile);
            try {
                FileLock osLock = channel.lock();
                return closingOnce(() -> {
                    try {
                        osLock.release();
                        channel.close();
                    } finally {
                        inJvm.unlock();
                    }
                });
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            inJvm.unlock();
            throw lockFailed(lockFile, e);
        } catch (RuntimeException e) {
            inJvm.unlock();
            throw e;
        }
    }

    private IOException lockFailed(Path lockFile, IOException e) {
        return new IOException("Could not lock token file " + file + " via " + lockFile + ": " + describe(e), e);
    }

    private static Lock closingOnce(Lock release) {
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                release.close();
            }
        };
    }

    private static FileChannel openLockFile(Path lockFile) throws IOException {
        try {
            return FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    ownerOnly(directoryOf(lockFile)));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return FileChannel.open(lockFile, StandardOpenOption.WRITE);
        }
    }

    @Override
    public String toString() {
        return "FileTokenStore[" + file + "]";
    }

    /**
     * The lock of this JVM for the file {@code target} in the existing directory {@code dir}, keyed by the real
     * path of the directory: an OS file lock is held per process, so two paths to one file must share it.
     */
    private static ReentrantLock inJvmLock(Path dir, Path target) throws IOException {
        Path key = dir.toRealPath().resolve(target.getFileName());
        return IN_JVM_LOCKS.computeIfAbsent(key, p -> new ReentrantLock());
    }

    /** Follows symbolic links to the file they name, even when that file does not exist yet. */
    private static Path directoryOf(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) {
            throw new IllegalArgumentException("token file " + file + " names a file system root, not a file");
        }
        return dir;
    }

    static Path resolveLinks(Path path) throws IOException {
        Path current = path;
        for (int i = 0; i < MAX_SYMLINK_DEPTH && Files.isSymbolicLink(current); i++) {
            Path link = Files.readSymbolicLink(current);
            Path parent = current.toAbsolutePath().getParent();
            // No normalize(): "dir/../x" is where the OS goes, not "x", when dir is itself a link.
            current = parent == null ? link : parent.resolve(link);
        }
        if (Files.isSymbolicLink(current)) {
            throw new IOException("Token file " + path + ": too many levels of symbolic links");
        }
        return current;
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString("rw-------");
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)};
        }
        return new FileAttribute<?>[0];
    }

    /** Forces the directory entry of the rename to disk, where the platform allows opening a directory. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open directories; the rename is still atomic there.
        }
    }

    private static String describe(IOException e) {
        if (e instanceof FileSystemException fse) {
            String reason = fse.getReason() == null ? e.getClass().getSimpleName() : fse.getReason();
            return reason + " (" + fse.getFile() + ")";
        }
        return String.valueOf(e.getMessage());
    }
}
