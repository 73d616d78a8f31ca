package io.github.netatmotoken.core;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock of one {@link FileTokenStore}'s token file, in two levels: a {@link ReentrantLock} per file for the
 * threads of this JVM (an OS file lock is held per process, so its threads must queue in front of it), then an OS
 * lock on the sibling lock file for the other processes.
 *
 * <p>Both waits share one deadline. The in-JVM wait parks in {@link ReentrantLock#tryLock(long, TimeUnit)}; the OS
 * wait polls {@link FileChannel#tryLock()} with a backoff of 5 ms doubling to 100 ms, because a blocking
 * {@link FileChannel#lock()} cannot be given a deadline. An interrupt ends either wait with an
 * {@link InterruptedIOException}. A directory in which the lock file cannot be created (read-only, or not the
 * user's) leaves the in-JVM level alone, with one WARN per store.
 *
 * <p>Thread-safe; one instance per store, so that each store warns once.
 */
final class TokenFileLock {
    /** What {@link FileTokenStore#lock()} waits at most. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final ConcurrentMap<Path, ReentrantLock> IN_JVM_LOCKS = new ConcurrentHashMap<>();
    private static final ConcurrentMap<Path, ReentrantLock> WRITE_LOCKS = new ConcurrentHashMap<>();
    private static final Logger log = LoggerFactory.getLogger(FileTokenStore.class);

    private final Path file;
    private final TokenFileOperations operations;
    private final AtomicBoolean warnedUncoordinated = new AtomicBoolean();

    /**
     * @param file the token file as the store was given it, for messages
     * @param operations the calls that open the lock file
     */
    TokenFileLock(Path file, TokenFileOperations operations) {
        this.file = file;
        this.operations = operations;
    }

    /**
     * The lock of this JVM for the file {@code target} in the existing directory {@code dir}, keyed by the real
     * path of the directory: an OS file lock is held per process, so two paths to one file must share it.
     */
    static ReentrantLock inJvmLock(Path dir, Path target) throws IOException {
        Path key = dir.toRealPath().resolve(target.getFileName());
        return IN_JVM_LOCKS.computeIfAbsent(key, p -> new ReentrantLock());
    }

    /**
     * The lock of this JVM that keeps two writes of {@code target} apart (an in-place write must not interleave
     * with another). Separate from {@link #inJvmLock}, which a refresh holds across a network call: a save on
     * another thread, such as {@code close()} saving the newest token, must not wait for that.
     */
    static ReentrantLock writeLock(Path dir, Path target) throws IOException {
        Path key = dir.toRealPath().resolve(target.getFileName());
        return WRITE_LOCKS.computeIfAbsent(key, p -> new ReentrantLock());
    }

    /**
     * Takes both levels for {@code target} (the token file with symbolic links resolved), waiting at most
     * {@code timeout} in all.
     */
    TokenStore.Lock acquire(Path target, Duration timeout) throws IOException {
        long start = System.nanoTime();
        long budget = saturatedNanos(timeout);
        Path dir = FileTokenStore.directoryOf(target);
        Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
        ReentrantLock inJvm;
        try {
            Files.createDirectories(dir);
            inJvm = inJvmLock(dir, target);
        } catch (IOException e) {
            throw failed(lockFile, e);
        }
        try {
            if (!inJvm.tryLock() && !inJvm.tryLock(remaining(start, budget), TimeUnit.NANOSECONDS)) {
                throw new IOException(notLocked(timeout) + ": another thread of this program holds it (no other"
                        + " process: the lock file is " + lockFile + "). Is another part of this program using this"
                        + " token file, and stuck while it holds the lock, or not closing it?");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(lockFile, e);
        }
        if (inJvm.getHoldCount() > 1) {
            return closingOnce(inJvm::unlock); // this thread holds the OS lock already
        }
        try {
            return lockOtherProcesses(dir, lockFile, inJvm, start, budget, timeout);
        } catch (IOException | RuntimeException e) {
            inJvm.unlock();
            throw e;
        }
    }

    private TokenStore.Lock lockOtherProcesses(Path dir, Path lockFile, ReentrantLock inJvm, long start,
            long budget, Duration timeout) throws IOException {
        FileChannel channel;
        try {
            channel = operations.openLockFile(lockFile, FileTokenStore.ownerOnly(dir));
        } catch (IOException | ReadOnlyFileSystemException e) {
            if (e instanceof IOException io && !TokenFileOperations.cannotCreate(io)) {
                throw failed(lockFile, io);
            }
            if (warnedUncoordinated.compareAndSet(false, true)) {
                log.warn("Token file {}: cannot create its lock file {} ({}), so its lock keeps out only the other"
                        + " threads of this program, not other processes: two programs using this token file could"
                        + " spend the same refresh token. Let this program create files in {}, or make sure that no"
                        + " other program uses the token file", file, lockFile, TokenFileOperations.reason(e), dir);
            }
            return closingOnce(inJvm::unlock);
        }
        try {
            FileLock osLock = lockWithin(channel, lockFile, start, budget, timeout);
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
    }

    private FileLock lockWithin(FileChannel channel, Path lockFile, long start, long budget, Duration timeout)
            throws IOException {
        long backoff = FIRST_BACKOFF_NANOS;
        for (;;) {
            FileLock lock = tryLock(channel, lockFile);
            if (lock != null) {
                return lock;
            }
            long remaining = remaining(start, budget);
            if (remaining <= 0) {
                throw new IOException(notLocked(timeout) + ": another process holds its lock file " + lockFile
                        + ". Is another exporter or program using this token file? If it is stuck, stop it;"
                        + " processes sharing the file hold the lock only while they refresh");
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(backoff, remaining));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw interrupted(lockFile, e);
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
        }
    }

    private @Nullable FileLock tryLock(FileChannel channel, Path lockFile) throws IOException {
        try {
            return channel.tryLock();
        } catch (ClosedByInterruptException e) {
            throw interrupted(lockFile, e); // the interrupt status stays set
        } catch (IOException e) {
            throw failed(lockFile, e);
        }
    }

    private String notLocked(Duration timeout) {
        return "Could not lock token file " + file + (timeout.isZero() ? " without waiting" : " within "
                + inWords(timeout));
    }

    private InterruptedIOException interrupted(Path lockFile, Exception cause) {
        InterruptedIOException e = new InterruptedIOException("Interrupted while waiting for the lock of token file "
                + file + " (lock file " + lockFile + "); no lock is held");
        e.initCause(cause);
        return e;
    }

    private IOException failed(Path lockFile, IOException e) {
        return new IOException("Could not lock token file " + file + " via " + lockFile + ": "
                + FileTokenStore.describe(e), e);
    }

    private static TokenStore.Lock closingOnce(TokenStore.Lock release) {
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                release.close();
            }
        };
    }

    private static long remaining(long start, long budget) {
        return budget - (System.nanoTime() - start);
    }

    private static long saturatedNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // about 292 years: forever, for a lock
        }
    }

    /** "300 ms", "10 s": how a person would write the timeout. */
    private static String inWords(Duration timeout) {
        if (timeout.toNanosPart() == 0) {
            return timeout.toSeconds() + " s";
        }
        return timeout.toSeconds() < 1_000_000 ? timeout.toMillis() + " ms" : timeout.toString();
    }
}
