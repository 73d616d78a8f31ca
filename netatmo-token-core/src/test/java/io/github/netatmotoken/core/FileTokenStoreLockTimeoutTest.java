package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileTokenStore#lock(Duration)} waits a bounded time for another holder, then says who holds it. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FileTokenStoreLockTimeoutTest {
    /** Generous: the waits under test are 300 ms or less (10 s for the default), this only catches a hang. */
    private static final Duration RETURNED_IN_TIME = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Path file;
    private Path lockFile;
    private FileTokenStore store;

    @BeforeEach
    void setUp() {
        file = dir.resolve("token.json");
        lockFile = dir.resolve("token.json.lock");
        store = new FileTokenStore(file, new FakeClock());
    }

    @Test
    void aLockHeldByAnotherProcessFailsAfterTheTimeoutNamingTheTokenFileAndTheLockFile() throws Exception {
        try (LockHoldingChild child = LockHoldingChild.start(file)) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> store.lock(Duration.ofMillis(300)));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertEquals("Could not lock token file " + file + " within 300 ms: another process holds its lock file "
                    + lockFile + ". Is another exporter or program using this token file? If it is stuck, stop it;"
                    + " processes sharing the file hold the lock only while they refresh", e.getMessage());
            assertTrue(took.compareTo(Duration.ofMillis(300)) >= 0, "waited the whole timeout: " + took);
            assertTrue(took.compareTo(RETURNED_IN_TIME) < 0, "gave up in bounded time: " + took);
            child.release();
        }
        try (TokenStore.Lock lock = store.lock(Duration.ofMillis(300))) {
            assertEquals("busy", ChildJvm.run(ChildJvm.command("probe-lock", lockFile.toString())));
        }
    }

    @Test
    void aWaitingLockGetsTheLockOnceTheOtherProcessReleasesIt() throws Exception {
        CompletableFuture<Void> locked = new CompletableFuture<>();
        Thread waiter;
        try (LockHoldingChild child = LockHoldingChild.start(file)) {
            waiter = lockInThread(store, Duration.ofSeconds(30), locked);
            FileTokenStoreTest.awaitParked(waiter);
            assertFalse(locked.isDone(), "the waiter got the lock while the other process held it");
            child.release();
        }
        waiter.join(TimeUnit.SECONDS.toMillis(30));
        assertNull(locked.get(), "the waiter got the lock (and closed it)");
    }

    @Test
    void aLockHeldByAnotherThreadFailsAfterTheTimeoutNamingTheTokenFileAndTheLockFile() throws Exception {
        try (HoldingThread holder = HoldingThread.start(new FileTokenStore(file))) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> store.lock(Duration.ofMillis(300)));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertEquals("Could not lock token file " + file + " within 300 ms: another thread of this program holds"
                    + " it (no other process: the lock file is " + lockFile + "). Is another part of this program"
                    + " using this token file, and stuck while it holds the lock, or not closing it?",
                    e.getMessage());
            assertTrue(took.compareTo(Duration.ofMillis(300)) >= 0, "waited the whole timeout: " + took);
            assertTrue(took.compareTo(RETURNED_IN_TIME) < 0, "gave up in bounded time: " + took);
        }
        store.lock(Duration.ZERO).close();
    }

    @Test
    void aZeroTimeoutTriesOnce() throws Exception {
        try (HoldingThread holder = HoldingThread.start(store)) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> store.lock(Duration.ZERO));

            assertTrue(e.getMessage().startsWith("Could not lock token file " + file + " without waiting: another"
                    + " thread of this program holds it"), e.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(RETURNED_IN_TIME) < 0);
        }
        store.lock(Duration.ZERO).close();
    }

    @Test
    void lockWithoutATimeoutGivesUpAfterTenSeconds() throws Exception {
        try (HoldingThread holder = HoldingThread.start(store)) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, store::lock);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertTrue(e.getMessage().startsWith("Could not lock token file " + file + " within 10 s: "),
                    e.getMessage());
            assertTrue(took.compareTo(Duration.ofSeconds(10)) >= 0, "waited the default: " + took);
            assertTrue(took.compareTo(Duration.ofSeconds(40)) < 0, "gave up: " + took);
        }
    }

    @Test
    void theHolderTakesTheLockAgainWithoutWaiting() throws IOException {
        try (TokenStore.Lock outer = store.lock(Duration.ZERO);
                TokenStore.Lock inner = store.lock(Duration.ZERO)) {
            store.save(new Token(SecretTokens.next("AT"), SecretTokens.next("RT"), null));
        }
    }

    @Test
    void aNegativeTimeoutIsRejectedNamingTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.lock(Duration.ofMillis(-1)));
        assertEquals("timeout must not be negative: PT-0.001S", e.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class, () -> store.lock(null));
        assertEquals("timeout", npe.getMessage());
    }

    @Test
    void anInterruptEndsTheWaitForAnotherThreadWithoutHoldingTheLock() throws Exception {
        try (HoldingThread holder = HoldingThread.start(new FileTokenStore(file))) {
            InterruptedIOException e = interruptWhileWaiting();

            assertEquals("Interrupted while waiting for the lock of token file " + file + " (lock file " + lockFile
                    + "); no lock is held", e.getMessage());
        }
        assertAnotherThreadLocksAtOnce();
    }

    @Test
    void anInterruptEndsTheWaitForAnotherProcessWithoutHoldingTheLock() throws Exception {
        try (LockHoldingChild child = LockHoldingChild.start(file)) {
            InterruptedIOException e = interruptWhileWaiting();

            assertTrue(e.getMessage().startsWith("Interrupted while waiting for the lock of token file " + file),
                    e.getMessage());
            child.release();
        }
        assertEquals("free", ChildJvm.run(ChildJvm.command("probe-lock", lockFile.toString())));
        assertAnotherThreadLocksAtOnce();
    }

    @Test
    void theDefaultOfTheInterfaceIgnoresTheTimeoutAndCallsLock() throws IOException {
        InMemoryTokenStore memory = new InMemoryTokenStore();

        memory.lock(Duration.ofDays(-1)).close();

        assertEquals(1, memory.lockCount());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /**
     * Interrupts a thread waiting up to 30 s in {@code store.lock} and returns what it threw, checking that its
     * interrupt status was still set afterwards.
     */
    private InterruptedIOException interruptWhileWaiting() throws Exception {
        CompletableFuture<Void> result = new CompletableFuture<>();
        AtomicReference<Boolean> interruptedAfterwards = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try (TokenStore.Lock lock = store.lock(Duration.ofSeconds(30))) {
                result.complete(null);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
            interruptedAfterwards.set(Thread.currentThread().isInterrupted());
        });
        waiter.start();
        FileTokenStoreTest.awaitParked(waiter);
        long start = System.nanoTime();
        waiter.interrupt();
        waiter.join(TimeUnit.SECONDS.toMillis(30));

        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(RETURNED_IN_TIME) < 0, "the wait ended");
        ExecutionException failure = assertThrows(ExecutionException.class, result::get);
        assertEquals(Boolean.TRUE, interruptedAfterwards.get(), "the interrupt status is set again");
        return assertInstanceOf(InterruptedIOException.class, failure.getCause());
    }

    private static <T> T assertInstanceOf(Class<T> type, Throwable t) {
        assertTrue(type.isInstance(t), "expected " + type.getSimpleName() + ": " + t);
        return type.cast(t);
    }

    private void assertAnotherThreadLocksAtOnce() throws Exception {
        CompletableFuture<Void> locked = new CompletableFuture<>();
        lockInThread(new FileTokenStore(file), Duration.ZERO, locked).join(TimeUnit.SECONDS.toMillis(30));
        assertNull(locked.get());
    }

    /** Takes the lock in a new thread (which must close it) and closes it again: {@code locked} tells how it went. */
    private static Thread lockInThread(FileTokenStore store, Duration timeout, CompletableFuture<Void> locked) {
        Thread thread = new Thread(() -> {
            try (TokenStore.Lock lock = store.lock(timeout)) {
                locked.complete(null);
            } catch (Throwable t) {
                locked.completeExceptionally(t);
            }
        });
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Another thread of this JVM that holds the lock of a store until closed. */
    private static final class HoldingThread implements AutoCloseable {
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread thread;

        private HoldingThread(FileTokenStore holder, CountDownLatch locked, AtomicReference<Throwable> failure) {
            thread = new Thread(() -> {
                try (TokenStore.Lock lock = holder.lock()) {
                    locked.countDown();
                    release.await();
                } catch (Throwable t) {
                    failure.set(t);
                    locked.countDown();
                }
            });
        }

        static HoldingThread start(FileTokenStore holder) throws InterruptedException {
            CountDownLatch locked = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            HoldingThread holding = new HoldingThread(holder, locked, failure);
            holding.thread.setDaemon(true);
            holding.thread.start();
            assertTrue(locked.await(30, TimeUnit.SECONDS), "the holder took the lock");
            assertNull(failure.get());
            return holding;
        }

        @Override
        public void close() throws InterruptedException {
            release.countDown();
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /** A child JVM that holds the lock of a token file (mode {@code hold-lock} of {@link TokenFileChild}). */
    private static final class LockHoldingChild implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;

        private LockHoldingChild(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static LockHoldingChild start(Path file) throws IOException {
            LockHoldingChild child = new LockHoldingChild(ChildJvm.start(ChildJvm.command("hold-lock",
                    file.toString())));
            assertEquals("locked", child.out.readLine());
            return child;
        }

        /** Lets the child close its lock and waits until it has ended. */
        void release() throws IOException, InterruptedException {
            try (OutputStream in = process.getOutputStream()) {
                in.write('\n');
            }
            assertEquals("released", out.readLine());
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the child ended");
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
