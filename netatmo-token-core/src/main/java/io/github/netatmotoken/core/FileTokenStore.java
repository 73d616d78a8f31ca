package io.github.netatmotoken.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps a token in a JSON file, in the format of the Go netatmo-exporter, so that an existing token file can be
 * used as is.
 *
 * <pre>{@code
 * TokenStore store = new FileTokenStore(Path.of("/var/lib/netatmo/token.json"));
 * Optional<Token> token = store.load();   // empty if the file does not exist yet
 * store.save(newToken);                    // atomic, durable, mode 0600
 * try (TokenStore.Lock lock = store.lock(Duration.ofSeconds(5))) {
 *     // no other process sharing the file refreshes meanwhile
 * }
 * }</pre>
 *
 * <p><b>Reading</b> is tolerant: unknown attributes and Go's zero time are accepted, a missing attribute is a
 * warning in the log (naming the attribute, never a value), and a missing expiry is replaced with "now" from the
 * {@link Clock} so that the token is refreshed at once. A file that cannot be understood raises a
 * {@link TokenFileException} and is left untouched.
 *
 * <p><b>Writing</b> is atomic where the file system allows it, so that a crash never leaves a partial file: the
 * token goes to a temporary file in the same directory, which is forced to disk and renamed over the target; then
 * the directory is forced. The file gets owner-only permissions (0600) on POSIX file systems. A symbolic link is
 * written through to its target. Two setups cannot rename, and there the existing file is overwritten in place
 * instead (truncated, written, forced to disk, made 0600 where this user may), which a crash during the write can
 * leave partial; one WARN per store says so and what to do:
 * <ul>
 *   <li>the token file is a mount point of its own, such as a single file bind-mounted into a container
 *       ({@code docker run -v ./token.json:/data/token.json}): the OS refuses the rename with EBUSY. Mounting the
 *       directory instead makes saves atomic again;</li>
 *   <li>the directory does not let this program create files (a read-only mounted secret, a file of this user in
 *       a directory of root) while the file itself is writable.</li>
 * </ul>
 *
 * <p><b>Locking.</b> {@link #lock()} coordinates processes sharing the file with an OS lock on a sibling
 * {@code .lock} file, and the threads of this JVM with a lock per file. It waits at most 10 seconds, and
 * {@link #lock(Duration)} as long as it is told, for another holder; then it fails with an {@link IOException}
 * naming the token file and the lock file, so that a stuck process sharing the file cannot hang this one. Where
 * the lock file cannot be created (the directory is read-only, or not this user's), the lock keeps out the other
 * threads of this JVM only, and one WARN per store says that other processes are not kept out.
 *
 * <p>This class is thread-safe; concurrent saves, also from several instances for the same file, never interleave.
 */
public final class FileTokenStore implements TokenStore {
    /** A token file is well under 1 KiB; anything this large is not one. */
    static final int MAX_FILE_SIZE = 64 * 1024;

    private static final int MAX_SYMLINK_DEPTH = 40;

    private final Path file;
    private final Clock clock;
    private final TokenFileOperations operations;
    private final TokenFileLock fileLock;
    private final InPlaceWrite inPlace;

    /**
     * A store for {@code file}, using the system clock for the short expiry of incomplete files.
     *
     * @param file the token file; neither it nor its directory need exist yet (the first save creates them). A
     *     symbolic link is followed at every access, and a relative path is resolved against the working directory
     */
    public FileTokenStore(Path file) {
        this(file, Clock.systemUTC());
    }

    /**
     * A store for {@code file}, using {@code clock} for the short expiry of incomplete files.
     *
     * @param file the token file, as for {@link #FileTokenStore(Path)}
     * @param clock gives "now" as the expiry of a file without one, so that the token is refreshed at once; tests
     *     pass a fixed clock to get a predictable token
     */
    public FileTokenStore(Path file, Clock clock) {
        this(file, clock, TokenFileOperations.SYSTEM);
    }

    /** A store whose temp file, rename and lock file calls are {@code operations}: tests inject one fault. */
    FileTokenStore(Path file, Clock clock, TokenFileOperations operations) {
        this.file = Objects.requireNonNull(file, "file");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.operations = operations;
        this.fileLock = new TokenFileLock(file, operations);
        this.inPlace = new InPlaceWrite(file);
    }

    /** {@return the token file, as given: not resolved against symbolic links or the working directory} */
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
     * Replaces the token file atomically and durably with mode 0600, creating missing parent directories; where it
     * cannot be replaced (see above) it is overwritten in place, with one WARN per store.
     *
     * @throws IOException naming the token file if the token could not be written; the previous file is then
     *     intact, unless the message says that a write in place failed half-way
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
            lock = TokenFileLock.writeLock(dir, target);
        } catch (IOException e) {
            throw saveFailed(file, e);
        }
        lock.lock();
        try {
            write(dir, target, content);
        } finally {
            lock.unlock();
        }
    }

    private void write(Path dir, Path target, byte[] content) throws IOException {
        Path temp;
        try {
            temp = operations.createTempFile(dir, "." + target.getFileName() + ".", ownerOnly(dir));
        } catch (IOException | ReadOnlyFileSystemException e) {
            if (!TokenFileOperations.cannotCreate(e) || !Files.isRegularFile(target)) {
                throw saveFailed(file, e instanceof IOException io ? io : new IOException(e.toString(), e));
            }
            inPlace.write(target, content, "Token file {}: cannot create a temporary file in {} ({}), so the token"
                    + " file is written in place instead of replaced atomically: a crash during a save can leave a"
                    + " partial file. Let this program create files in {} to make saves atomic again",
                    file, dir, TokenFileOperations.reason(e), dir);
            return;
        }
        boolean replaced = false;
        try {
            writeAndForce(FileChannel.open(temp, StandardOpenOption.WRITE), content);
            try {
                operations.replace(temp, target);
                replaced = true;
            } catch (FileSystemException e) {
                if (!TokenFileOperations.isMountPoint(e)) {
                    throw e;
                }
            }
        } catch (IOException e) {
            throw saveFailed(file, e);
        } finally {
            if (!replaced) {
                Files.deleteIfExists(temp);
            }
        }
        if (replaced) {
            forceDirectory(dir);
            return;
        }
        inPlace.write(target, content, "Token file {} is a mount point of its own (a single file bind-mounted into a"
                + " container, as with docker run -v ./token.json:/data/token.json?), so it cannot be replaced"
                + " atomically and is written in place: a crash during a save can leave a partial file. Mount the"
                + " directory that holds it instead (docker run -v ./data:/data)", file);
    }

    static void writeAndForce(FileChannel channel, byte[] content) throws IOException {
        try (channel) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    static IOException saveFailed(Path file, IOException e) {
        return new IOException("Could not save token file " + file + ": " + describe(e)
                + "; the previous file is unchanged", e);
    }

    /**
     * Locks the token file against other processes (and other instances in this JVM) until the returned lock
     * is closed, waiting at most 10 seconds; see {@link #lock(Duration)}.
     *
     * @throws IOException naming the token file and the lock file, if the lock is not free within 10 seconds, or
     *     the directory or the lock file cannot be created or locked
     */
    @Override
    public Lock lock() throws IOException {
        return lock(TokenFileLock.DEFAULT_TIMEOUT);
    }

    /**
     * Locks the token file against other processes (and other instances in this JVM) until the returned lock
     * is closed, by an OS lock on a sibling file named like the token file plus {@code .lock}, waiting at most
     * {@code timeout} for another holder. The lock must be closed by the thread that took it; that thread may take
     * it again meanwhile without waiting (each lock is closed on its own), and closing a lock again does nothing.
     *
     * <p>If the lock file cannot be created (the directory is read-only, or not this user's), the lock keeps out
     * the other threads of this JVM only, and a WARN says so once per store.
     *
     * @param timeout how long to wait at most; {@link Duration#ZERO} tries once
     * @throws IOException naming the token file and the lock file, if another thread or process holds the lock for
     *     longer than {@code timeout}, or the directory or the lock file cannot be created or locked; an
     *     {@link java.io.InterruptedIOException} if the thread is interrupted while it waits (its interrupt status
     *     stays set). No lock is held then
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    @Override
    public Lock lock(Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        return fileLock.acquire(resolveLinks(file), timeout);
    }

    @Override
    public String toString() {
        return "FileTokenStore[" + file + "]";
    }

    /** The absolute directory of {@code file}, which must name a file, not a root. */
    static Path directoryOf(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) {
            throw new IllegalArgumentException("token file " + file + " names a file system root, not a file");
        }
        return dir;
    }

    /** Follows symbolic links to the file they name, even when that file does not exist yet. */
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

    static FileAttribute<?>[] ownerOnly(Path dir) {
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

    static String describe(IOException e) {
        if (e instanceof FileSystemException fse) {
            String reason = fse.getReason() == null ? e.getClass().getSimpleName() : fse.getReason();
            return reason + " (" + fse.getFile() + ")";
        }
        return String.valueOf(e.getMessage());
    }
}
