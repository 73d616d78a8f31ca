package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adversarial review of issue 10: each test feeds one fault and asserts what the issue promises. */
class RefreshingTokenSourceReviewTest {
    private static final Duration THREE_HOURS = Duration.ofHours(3);

    private final FakeClock clock = new FakeClock();
    private final FakeTokenClient client = new FakeTokenClient(clock, THREE_HOURS, "refresh-0");
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private Token tokenExpiringIn(Duration d) {
        return new Token("access-0", "refresh-0", clock.instant().plus(d));
    }

    /**
     * close() interrupts a refresh whose save of the rotated token is slow (an fsync on a slow disk); the FileChannel
     * write then fails with ClosedByInterruptException. close() reads the pending token before the job has recorded
     * that failure, and then "checks" the store under the lock, finds the old token and leaves it: the store keeps
     * the spent refresh-0, and the only live refresh-1 is gone with the process.
     */
    @Test
    void closeThatInterruptsTheSaveOfTheRotatedTokenStillSavesIt(@TempDir Path dir) throws Exception {
        FileTokenStore file = new FileTokenStore(dir.resolve("token.json"), clock);
        file.save(tokenExpiringIn(Duration.ofSeconds(-1)));
        CountDownLatch saving = new CountDownLatch(1);
        CountDownLatch closeLocks = new CountDownLatch(1);
        TokenStore store = new TokenStore() {
            @Override
            public Optional<Token> load() throws IOException {
                return file.load();
            }

            @Override
            public void save(Token token) throws IOException {
                if ("refresh-1".equals(token.refreshToken()) && saving.getCount() == 1) {
                    saving.countDown();
                    try {
                        new CountDownLatch(1).await(30, TimeUnit.SECONDS); // a slow fsync
                    } catch (InterruptedException e) {
                        // What FileChannel does when the writing thread is interrupted; reported once close()
                        // is on its way to the store's lock.
                        try {
                            closeLocks.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException again) {
                            Thread.currentThread().interrupt();
                        }
                        throw new ClosedByInterruptException();
                    }
                }
                file.save(token);
            }

            @Override
            public Lock lock(Duration timeout) throws IOException {
                if (saving.getCount() == 0) {
                    closeLocks.countDown();
                }
                return file.lock(timeout);
            }
        };
        ExecutorService refreshThread = Executors.newSingleThreadExecutor();
        try {
            RefreshingTokenSource source = RefreshingTokenSource.builder().store(store).client(client).clock(clock)
                    .ticker(clock).scheduler(scheduler).executor(refreshThread)
                    .random(RandomGenerator.of("L64X128MixRandom")).closeTimeout(Duration.ofSeconds(2)).build();
            CompletableFuture<Token> caller = CompletableFuture.supplyAsync(() -> call(source), threads);
            assertTrue(saving.await(10, TimeUnit.SECONDS));

            source.close();
            caller.handle((t, e) -> t).get(10, TimeUnit.SECONDS);
            assertEquals("refresh-1", client.validRefreshToken(), "NetAtmo rotated the token");
            assertEquals("refresh-1", file.load().orElseThrow().refreshToken(),
                    "after close() the store must hold the live refresh token, not the spent refresh-0");
        } finally {
            refreshThread.shutdownNow();
        }
    }

    /**
     * setToken() while a refresh of the old chain is saving its result: setToken cannot get the store's lock in
     * closeTimeout, so the authorization is pending. When the refresh's save lands, its savedNow(null) clears the
     * pending authorization; status says nothing is unsaved, no retry is scheduled, and close() finds "a token stored
     * by another process" and keeps it. The store ends with the old chain, the authorization is never saved.
     */
    @Test
    void setTokenDuringTheSaveOfARefreshIsSavedOnceThatSaveLands() throws Exception {
        InMemoryTokenStore memory = new InMemoryTokenStore(tokenExpiringIn(Duration.ofSeconds(-1)));
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch saving = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        memory.onSave(token -> {
            if ("refresh-1".equals(token.refreshToken())) {
                saving.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        TokenStore store = new TokenStore() {
            @Override
            public Optional<Token> load() {
                return memory.load();
            }

            @Override
            public void save(Token token) throws IOException {
                memory.save(token);
            }

            @Override
            public Lock lock(Duration timeout) throws IOException {
                try {
                    if (!lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                        throw new IOException("lock busy");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
                return lock::unlock;
            }
        };
        ExecutorService refreshThread = Executors.newSingleThreadExecutor();
        try {
            RefreshingTokenSource source = RefreshingTokenSource.builder().store(store).client(client).clock(clock)
                    .ticker(clock).scheduler(scheduler).executor(refreshThread)
                    .random(RandomGenerator.of("L64X128MixRandom")).closeTimeout(Duration.ofMillis(300)).build();
            CompletableFuture<Token> caller = CompletableFuture.supplyAsync(() -> call(source), threads);
            assertTrue(saving.await(10, TimeUnit.SECONDS));

            Token authorized = new Token("access-new", "refresh-new", clock.instant().plus(THREE_HOURS));
            assertThrows(IOException.class, () -> source.setToken(authorized), "the lock is held by the refresh");
            assertTrue(source.status().saveFailed());
            release.countDown();
            caller.handle((t, e) -> t).get(10, TimeUnit.SECONDS);
            assertEquals("access-new", source.token().accessToken());

            for (int i = 0; i < 5; i++) {
                clock.advance(Duration.ofSeconds(10));
                scheduler.runDue();
            }
            source.close();
            assertEquals("refresh-new", memory.stored().refreshToken(),
                    "the authorization in use must end up in the store: " + memory.saves());
        } finally {
            refreshThread.shutdownNow();
        }
    }

    /**
     * An executor that rejects a job once (a bounded pool that is busy for a moment): the background check that
     * found a save due starts a job, the executor rejects it, and nothing schedules the next check. Save retries
     * and background refreshes stop for good; the token that could not be saved stays unsaved for hours.
     */
    @Test
    void aJobRejectedOnceByTheExecutorDoesNotEndTheBackgroundSchedule() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofSeconds(-1)));
        store.failSavesWith("disk full");
        boolean[] reject = {false};
        Executor executor = task -> {
            if (reject[0]) {
                reject[0] = false;
                throw new RejectedExecutionException("pool busy");
            }
            task.run();
        };
        RefreshingTokenSource source = RefreshingTokenSource.builder().store(store).client(client).clock(clock)
                .ticker(clock).scheduler(scheduler).executor(executor)
                .random(RandomGenerator.of("L64X128MixRandom")).build();
        assertEquals("access-1", source.token().accessToken());
        assertTrue(source.status().saveFailed());

        store.onSave(token -> { });
        reject[0] = true;
        for (int minute = 0; minute < 60; minute++) {
            clock.advance(Duration.ofMinutes(1));
            scheduler.runDue();
        }
        assertEquals("refresh-1", store.stored().refreshToken(),
                "an hour later the save is still not retried; pending checks: " + scheduler.pending());
    }

    /** Issue 10 item 15 for the OAuth client's builder: an overflowing timeout is accepted, and every refresh fails. */
    @Test
    void theOAuthClientRefusesATimeoutThatOverflowsNanoseconds() {
        NetatmoOAuthClient.Builder builder = NetatmoOAuthClient.builder().clientId("id").clientSecret("secret");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.timeout(Duration.ofMillis(Long.MAX_VALUE)).build().refresh("refresh-0"));
        assertTrue(e.getMessage().contains("timeout"), e.getMessage());
    }

    private static Token call(RefreshingTokenSource source) {
        try {
            return source.token();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
