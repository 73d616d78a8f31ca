package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * The faults a careful user meets, one named fault per test: a stuck token endpoint, an interrupt, a failing or
 * busy store, a clock step, short-lived and rejected tokens, throwing listeners, other processes.
 */
class RefreshingTokenSourceFaultTest {
    private static final Duration THREE_HOURS = Duration.ofHours(3);

    private final FakeClock clock = new FakeClock();
    private final FakeTokenClient client = new FakeTokenClient(clock, THREE_HOURS, "refresh-0");
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RefreshingTokenSourceTest.RecordingListener listener =
            new RefreshingTokenSourceTest.RecordingListener();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private Token tokenExpiringIn(Duration d) {
        return new Token("access-0", "refresh-0", clock.instant().plus(d));
    }

    private RefreshingTokenSource.Builder builder(TokenStore store) {
        return RefreshingTokenSource.builder().store(store).client(client).clock(clock).ticker(clock)
                .scheduler(scheduler).listener(listener).executor(Runnable::run)
                .random(RandomGenerator.of("L64X128MixRandom"));
    }

    /** A token endpoint that takes the request and never answers until the test says, deaf to interrupts. */
    private static final class StuckEndpoint {
        final CountDownLatch called = new CountDownLatch(1);
        final CountDownLatch answer = new CountDownLatch(1);
        final AtomicBoolean interrupted = new AtomicBoolean();
        final CountDownLatch interruptedLatch = new CountDownLatch(1);

        Token refresh(FakeTokenClient rotating, String refreshToken) throws IOException {
            called.countDown();
            boolean done = false;
            while (!done) {
                try {
                    done = answer.await(30, TimeUnit.SECONDS);
                    if (!done) {
                        throw new IOException("the test never released the stuck endpoint");
                    }
                } catch (InterruptedException e) {
                    interrupted.set(true);
                    interruptedLatch.countDown();
                }
            }
            if (interrupted.get()) {
                Thread.currentThread().interrupt(); // as the real clients do: the answer first, then the flag
            }
            return rotating.refresh(refreshToken);
        }
    }

    // --- Nothing hangs ---

    @Test
    void closeReturnsInBoundedTimeWhileTheTokenEndpointNeverAnswersAndInterruptsTheRefresh(@TempDir Path dir)
            throws Exception {
        FileTokenStore store = new FileTokenStore(dir.resolve("token.json"), clock);
        store.save(tokenExpiringIn(Duration.ofSeconds(-1)));
        StuckEndpoint endpoint = new StuckEndpoint();
        FakeTokenClient rotating = client;
        CountDownLatch saved = new CountDownLatch(1);
        AtomicReference<Thread> refreshThread = new AtomicReference<>();
        RefreshingTokenSource source = RefreshingTokenSource.builder().store(store).clock(clock).ticker(clock)
                .client(new DelegatingClient(rt -> {
                    refreshThread.set(Thread.currentThread());
                    return endpoint.refresh(rotating, rt);
                }))
                .listener(new TokenListener() {
                    @Override
                    public void refreshed(Token token) {
                        saved.countDown(); // listeners hear of a refresh after it was saved
                    }
                })
                .closeTimeout(Duration.ofMillis(500)).build();
        CompletableFuture<Token> caller = CompletableFuture.supplyAsync(() -> call(source), threads);
        assertTrue(endpoint.called.await(10, TimeUnit.SECONDS));

        CompletableFuture<Void> closing = CompletableFuture.runAsync(source::close, threads);
        closing.get(10, TimeUnit.SECONDS); // would hang forever behind the refresh before
        assertTrue(endpoint.interruptedLatch.await(10, TimeUnit.SECONDS), "the refresh thread was interrupted");

        // NetAtmo answers after all: the rotated token is saved, not dropped.
        endpoint.answer.countDown();
        assertTrue(saved.await(10, TimeUnit.SECONDS));
        assertEquals("refresh-1", store.load().orElseThrow().refreshToken(), "the late answer was saved");
        caller.handle((token, failure) -> token).get(10, TimeUnit.SECONDS); // the caller's wait ended too
        refreshThread.get().join(10_000);
        assertFalse(refreshThread.get().isAlive(), "the source's refresh thread stopped");
    }

    @Test
    void setTokenReturnsInBoundedTimeWhileARefreshHoldsTheStoreLockAndTheLateResultIsThrownAway(
            @TempDir Path dir) throws Exception {
        FileTokenStore store = new FileTokenStore(dir.resolve("token.json"), clock);
        store.save(tokenExpiringIn(Duration.ofSeconds(-1)));
        StuckEndpoint endpoint = new StuckEndpoint();
        FakeTokenClient rotating = client;
        {
            // The refresh runs on the caller's thread, the saves that follow on the test's.
            RefreshingTokenSource source = RefreshingTokenSource.builder().store(store).clock(clock).ticker(clock)
                    .scheduler(scheduler).executor(Runnable::run)
                    .client(new DelegatingClient(rt -> endpoint.refresh(rotating, rt)))
                    .closeTimeout(Duration.ofMillis(300)).build();
            CompletableFuture<Token> caller = CompletableFuture.supplyAsync(() -> call(source), threads);
            assertTrue(endpoint.called.await(10, TimeUnit.SECONDS));

            Token authorized = new Token("access-new", "refresh-new", clock.instant().plus(THREE_HOURS));
            CompletableFuture<Void> setting = CompletableFuture.runAsync(() -> {
                try {
                    source.setToken(authorized);
                } catch (IOException e) {
                    // The store is locked by the stuck refresh: in use in memory, saved later.
                }
            }, threads);
            setting.get(10, TimeUnit.SECONDS);
            assertSame(authorized, source.token());
            assertTrue(source.status().saveFailed(), source.status().toString());

            endpoint.answer.countDown();
            caller.get(10, TimeUnit.SECONDS);
            assertEquals("access-new", source.token().accessToken(), "the late refresh did not replace it");
            assertEquals("refresh-new", store.load().orElseThrow().refreshToken(),
                    "the refresh that held the lock saved the authorization instead of its own result");
            assertFalse(source.status().saveFailed());
            source.close();
            assertEquals("refresh-new", store.load().orElseThrow().refreshToken());
        }
    }

    @Test
    void tokenWithAMaxWaitFailsAfterThatWaitWhileTheRefreshGoesOn() throws Exception {
        StuckEndpoint endpoint = new StuckEndpoint();
        FakeTokenClient rotating = client;
        ExecutorService refreshThread = Executors.newSingleThreadExecutor();
        try {
            RefreshingTokenSource source = RefreshingTokenSource.builder()
                    .store(new InMemoryTokenStore(tokenExpiringIn(Duration.ofSeconds(-1)))).clock(clock)
                    .ticker(clock).scheduler(scheduler).executor(refreshThread)
                    .client(new DelegatingClient(rt -> endpoint.refresh(rotating, rt)))
                    .refreshTimeout(Duration.ofMinutes(10)).build();
            TokenRefreshException e = assertThrows(TokenRefreshException.class,
                    () -> source.token(Duration.ofMillis(200)));
            assertTrue(e.getMessage().contains("Timed out after PT0.2S")
                    && e.getMessage().contains("waiting for NetAtmo's token endpoint"), e.getMessage());
            assertTrue(source.status().refreshing());
            assertThrows(IllegalArgumentException.class, () -> source.token(Duration.ofMillis(-1)));
            endpoint.answer.countDown();
            assertEquals("access-1", source.token(Duration.ofSeconds(10)).accessToken());
            source.close();
        } finally {
            refreshThread.shutdownNow();
        }
    }

    // --- The newest refresh token is never lost ---

    @Test
    void aFailedSaveIsRetriedOnItsOwnScheduleWithBackoffUntilItLands() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofSeconds(-1)));
        store.failSavesWith("disk full");
        RefreshingTokenSource source = builder(store).build();
        assertEquals("access-1", source.token().accessToken());
        RefreshingTokenSource.Status failing = source.status();
        assertTrue(failing.saveFailed());
        assertEquals("disk full", failing.saveError());

        int attempts = store.saveAttempts();
        long firstDelay = scheduler.nextDelayNanos();
        assertTrue(firstDelay > 0 && firstDelay <= Duration.ofSeconds(1).toNanos(), "first retry within a second: "
                + firstDelay);
        clock.advance(Duration.ofSeconds(1));
        scheduler.runDue();
        assertEquals(attempts + 1, store.saveAttempts(), "retried after a second, not at the next refresh");
        long secondDelay = scheduler.nextDelayNanos();
        assertTrue(secondDelay >= Duration.ofSeconds(1).toNanos() && secondDelay <= Duration.ofSeconds(2).toNanos(),
                "the second retry backs off: " + secondDelay);
        assertEquals(2, listener.persistFailures.size());

        store.onSave(token -> { });
        clock.advance(Duration.ofSeconds(2));
        scheduler.runDue();
        assertEquals("refresh-1", store.stored().refreshToken());
        assertFalse(source.status().saveFailed());
        assertNull(source.status().saveError());
        assertEquals(1, client.refreshCount(), "saving again spends nothing");
    }

    @Test
    void closeAfterAFailedSaveAndARejectionSavesTheNewestRefreshToken() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofSeconds(-1)));
        store.failSavesWith("disk full");
        RefreshingTokenSource source = builder(store).minRefreshInterval(Duration.ZERO).build();
        Token refreshed = source.token();
        client.behave(rt -> {
            throw new TokenRefreshException("HTTP 503", 503, null, null);
        });
        source.invalidate(refreshed); // NetAtmo rejected it; the renewal fails too
        store.onSave(token -> { });
        source.close();
        assertEquals("refresh-1", store.stored().refreshToken(),
                "the store must not keep the spent refresh-0: the restart would get invalid_grant");
    }

    @Test
    void closeSavesAPendingTokenEvenInTheReauthorizationState() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofSeconds(-1)));
        store.failSavesWith("disk full");
        RefreshingTokenSource source = builder(store).minRefreshInterval(Duration.ZERO).build();
        Token refreshed = source.token();
        client.behave(rt -> {
            throw new ReauthorizationRequiredException("invalid_client", "invalid_client", null);
        });
        source.invalidate(refreshed);
        assertThrows(ReauthorizationRequiredException.class, source::token);
        store.onSave(token -> { });
        source.close();
        assertEquals("refresh-1", store.stored().refreshToken(),
                "invalid_client may be a wrong secret: the refresh token may still be good after the fix");
    }

    @Test
    void anInterruptWhileNetAtmoAnswersDoesNotDropTheRotatedToken(@TempDir Path dir) throws IOException {
        FileTokenStore store = new FileTokenStore(dir.resolve("token.json"), clock);
        store.save(tokenExpiringIn(Duration.ofSeconds(-1)));
        FakeTokenClient rotating = client;
        RefreshingTokenSource source = RefreshingTokenSource.builder().store(store).clock(clock).ticker(clock)
                .scheduler(scheduler).executor(Runnable::run)
                .client(new DelegatingClient(rt -> {
                    Token answer = rotating.refresh(rt);
                    Thread.currentThread().interrupt(); // close() interrupted us while NetAtmo answered
                    return answer;
                })).build();
        try {
            assertEquals("access-1", source.token().accessToken());
            assertTrue(Thread.interrupted(), "the interrupt is honoured after the save, not swallowed");
        } finally {
            Thread.interrupted();
        }
        assertEquals("refresh-1", store.load().orElseThrow().refreshToken(),
                "the file write was not broken by the interrupt (a FileChannel closes on interrupt)");
        assertFalse(source.status().saveFailed());
    }

    @Test
    void aRotatedRefreshTokenInAnUnusableAnswerIsSavedAndTheRetryUsesIt() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.start(InetAddress.getLoopbackAddress(), 0);
            // NetAtmo (or a proxy) rotates the refresh token, but the answer has no access token.
            server.enqueue(json("{\"refresh_token\":\"refresh-rotated\",\"expires_in\":10800}"));
            server.enqueue(json("{\"access_token\":\"access-2\",\"refresh_token\":\"refresh-2\","
                    + "\"expires_in\":10800}"));
            InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofSeconds(-1)));
            RefreshingTokenSource source = builder(store).client(NetatmoOAuthClient.builder().clientId("id")
                    .clientSecret("secret").baseUrl(URI.create(server.url("/").toString())).clock(clock).build())
                    .build();
            TokenRefreshException e = assertThrows(TokenRefreshException.class, source::token);
            assertFalse(e.getMessage().contains("refresh-rotated"), e.getMessage());
            assertEquals("refresh-rotated", store.stored().refreshToken(), "the only live refresh token is kept");

            clock.advance(Duration.ofSeconds(1));
            assertEquals("access-2", source.token().accessToken());
            server.takeRequest(5, TimeUnit.SECONDS);
            String retry = server.takeRequest(5, TimeUnit.SECONDS).getBody().utf8();
            assertTrue(retry.contains("refresh_token=refresh-rotated"), "the retry spent the rotated token: "
                    + retry.replaceAll("client_secret=[^&]*", ""));
        }
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }

    @Test
    void aSourceWithoutATokenAdoptsOneThatAnotherProcessStoredSecondsLater() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore();
        RefreshingTokenSource source = builder(store).build();
        assertThrows(NotAuthenticatedException.class, source::token);
        Token byOther = new Token("access-other", "refresh-other", clock.instant().plus(THREE_HOURS));
        store.storeDirectly(byOther);
        clock.advance(Duration.ofSeconds(5));
        assertSame(byOther, source.token());
        assertEquals(0, client.refreshCount());
    }

    @Test
    void theBackgroundCheckAdoptsATokenStoredByAnotherProcessWithoutAnyCaller() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore();
        RefreshingTokenSource source = builder(store).build();
        store.storeDirectly(new Token("access-other", "refresh-other", clock.instant().plus(THREE_HOURS)));
        clock.advance(Duration.ofSeconds(5));
        scheduler.runDue();
        assertEquals(RefreshingTokenSource.State.VALID, source.status().state());
    }

    @Test
    void aSourceThatNeedsReauthorizationAdoptsTheTokenTheUserAuthorizedThroughAnotherProcess()
            throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(new Token("a", "spent", clock.instant().minusSeconds(1)));
        RefreshingTokenSource source = builder(store).build();
        assertThrows(ReauthorizationRequiredException.class, source::token);
        clock.advance(Duration.ofSeconds(5));
        assertThrows(ReauthorizationRequiredException.class, source::token, "the dead token is not adopted again");

        store.storeDirectly(new Token("access-other", "refresh-other", clock.instant().plus(THREE_HOURS)));
        assertThrows(ReauthorizationRequiredException.class, source::token, "looked at most every 5 seconds");
        clock.advance(Duration.ofSeconds(5));
        assertEquals("access-other", source.token().accessToken());
        assertEquals(RefreshingTokenSource.State.VALID, source.status().state());
    }

    @Test
    void aShortLivedTokenWrittenByAnotherProcessIsAdoptedNotSpentAgain() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore();
        RefreshingTokenSource source = builder(store).build();
        store.storeDirectly(new Token("access-other", "refresh-other", clock.instant().plus(Duration.ofMinutes(2))));
        clock.advance(Duration.ofSeconds(5));
        assertEquals("access-other", source.token().accessToken());
        clock.advance(Duration.ofSeconds(30));
        assertEquals("access-other", source.token().accessToken());
        assertEquals(0, client.refreshCount(), "a 2-minute token inside the 5-minute margin is not refreshed at once");
    }

    // --- Time, limits and callbacks ---

    @Test
    void aWallClockStepBackByAnHourDoesNotStopRetries() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-2))))
                .build();
        client.behave(rt -> {
            throw new TokenRefreshException("HTTP 503", 503, null, null);
        });
        assertThrows(TokenRefreshException.class, source::token);
        client.behave(rt -> null);
        clock.set(clock.instant().minus(Duration.ofHours(1))); // NTP steps the clock back
        clock.advance(Duration.ofSeconds(1));
        assertEquals("access-1", source.token().accessToken(), "retried after a second of elapsed time");
        assertEquals(2, client.refreshCount());
    }

    @Test
    void theRefreshDurationIsElapsedTimeAndNeverNegative() throws IOException {
        FakeTokenClient rotating = client;
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofSeconds(-1))))
                .client(new DelegatingClient(rt -> {
                    clock.set(clock.instant().minus(Duration.ofMinutes(10)));
                    clock.advance(Duration.ofMillis(250));
                    return rotating.refresh(rt);
                })).build();
        source.token();
        assertEquals(Duration.ofMillis(250), source.status().lastRefreshDuration());
    }

    @Test
    void aTokenWithALifetimeOfZeroCausesNoRefreshStormAndIsNeverHandedOut() throws IOException {
        FakeTokenClient zero = new FakeTokenClient(clock, Duration.ZERO, "refresh-0");
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofSeconds(-1))))
                .client(zero).build();
        for (int i = 0; i < 60; i++) {
            TokenRefreshException e = assertThrows(TokenRefreshException.class, source::token);
            assertTrue(e.getMessage().contains("minimum interval"), e.getMessage());
            scheduler.runDue();
            clock.advance(Duration.ofMillis(100));
        }
        // Sixty calls over six seconds: one refresh at the start and one when the 5-second minimum interval ended.
        assertEquals(2, zero.refreshCount());
    }

    @Test
    void tenCallsEachRejectedAtFirstUseCauseAtMostTwoRefreshes() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(THREE_HOURS))).build();
        int handedBack = 0;
        for (int call = 0; call < 10; call++) {
            // What the interceptor does with a 403 code 2: invalidate, ask again, retry once if the token is new.
            Token used = source.token();
            source.invalidate(used);
            Token retry = source.token();
            if (retry.equals(used)) {
                handedBack++;
            }
            clock.advance(Duration.ofSeconds(1));
        }
        assertEquals(2, client.refreshCount());
        assertEquals(8, handedBack, "after the second rejection in a row the callers get the rejection");
    }

    @Test
    void aTokenThatWorkedForAWhileIsStillRenewedAtOnceWhenRejected() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(THREE_HOURS))).build();
        for (int i = 1; i <= 5; i++) {
            source.invalidate(source.token());
            assertEquals("access-" + i, source.token().accessToken());
            clock.advance(Duration.ofMinutes(10));
        }
    }

    @Test
    void invalidGrantAfterARejectionStillRequiresReauthorizationAtOnce() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(THREE_HOURS))).build();
        client.behave(rt -> {
            throw new ReauthorizationRequiredException("invalid_grant", "invalid_grant", null);
        });
        source.invalidate(source.token());
        assertThrows(ReauthorizationRequiredException.class, source::token);
        assertEquals(1, listener.reauthorizations.size());
    }

    @Test
    void aListenerThatThrowsAnErrorDoesNotTurnASavedRefreshIntoAFailure() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofSeconds(-1)));
        AtomicInteger second = new AtomicInteger();
        RefreshingTokenSource source = builder(store).listener(new TokenListener() {
            @Override
            public void refreshed(Token token) {
                throw new AssertionError("a listener's bug");
            }
        }).listener(new TokenListener() {
            @Override
            public void refreshed(Token token) {
                second.incrementAndGet();
            }
        }).build();
        int mark = CapturedLogs.mark();
        assertEquals("access-1", source.token().accessToken());
        assertEquals("refresh-1", store.stored().refreshToken());
        assertEquals(1, second.get(), "the other listeners still hear it");
        assertTrue(CapturedLogs.messages(mark, Level.WARN).stream().anyMatch(m -> m.contains("a listener's bug")));
    }

    @Test
    void listenersAreCalledOutsideTheStoreLock(@TempDir Path dir) throws Exception {
        FileTokenStore store = new FileTokenStore(dir.resolve("token.json"), clock);
        store.save(tokenExpiringIn(Duration.ofSeconds(-1)));
        AtomicReference<String> fromListener = new AtomicReference<>("not called");
        RefreshingTokenSource source = builder(store).listener(new TokenListener() {
            @Override
            public void refreshed(Token token) {
                // Another thread of this process takes the store's lock: only possible if the refresh let go.
                CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> {
                    try (TokenStore.Lock lock = store.lock(Duration.ofSeconds(2))) {
                        return "lock free";
                    } catch (IOException e) {
                        return e.getMessage();
                    }
                }, threads);
                fromListener.set(other.join());
            }
        }).build();
        source.token();
        assertEquals("lock free", fromListener.get());
    }

    // --- Proactive refresh ---

    @Test
    void theTokenIsRenewedAtTheStartOfTheRefreshMarginWithoutAnyCaller() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofMinutes(20)));
        RefreshingTokenSource source = builder(store).build();
        for (int minute = 0; minute < 14; minute++) {
            clock.advance(Duration.ofMinutes(1));
            scheduler.runDue();
        }
        assertEquals(0, client.refreshCount(), "still fresh at 6 minutes before expiry");
        clock.advance(Duration.ofMinutes(1));
        scheduler.runDue();
        assertEquals(1, client.refreshCount(), "renewed at 5 minutes before expiry, nobody asked");
        assertEquals("refresh-1", store.stored().refreshToken());
        assertEquals(RefreshingTokenSource.State.VALID, source.status().state());
    }

    @Test
    void aClockJumpForwardAfterSleepIsNoticedWithinAMinute() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(2))))
                .build();
        clock.set(clock.instant().plus(Duration.ofHours(3))); // the laptop slept; elapsed time did not move
        clock.advance(Duration.ofMinutes(1));
        scheduler.runDue();
        assertEquals(1, client.refreshCount());
        assertEquals(RefreshingTokenSource.State.VALID, source.status().state());
    }

    @Test
    void backgroundRefreshCanBeTurnedOff() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofMinutes(10))))
                .backgroundRefresh(false).build();
        clock.advance(Duration.ofMinutes(9));
        scheduler.runDue();
        assertEquals(0, client.refreshCount());
        assertEquals("access-0", source.token().accessToken(), "still usable: renewed in the background");
        assertEquals(1, client.refreshCount(), "on demand it still works");
        assertEquals("access-1", source.token().accessToken());
    }

    @Test
    void closeCancelsTheSchedule() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofMinutes(10))))
                .build();
        assertEquals(1, scheduler.pending());
        source.close();
        assertEquals(0, scheduler.pending());
        clock.advance(Duration.ofMinutes(9));
        scheduler.runDue();
        assertEquals(0, client.refreshCount());
    }

    @Test
    void theOwnRefreshThreadRenewsInRealTimeAndStopsOnClose() throws Exception {
        InMemoryTokenStore store = new InMemoryTokenStore(new Token("access-0", "refresh-0",
                java.time.Instant.now().plus(Duration.ofMinutes(4))));
        FakeTokenClient real = new FakeTokenClient(java.time.Clock.systemUTC(), THREE_HOURS, "refresh-0");
        CountDownLatch refreshed = new CountDownLatch(1);
        AtomicReference<Thread> refreshThread = new AtomicReference<>();
        RefreshingTokenSource source = RefreshingTokenSource.builder().store(store).client(real)
                .listener(new TokenListener() {
                    @Override
                    public void refreshed(Token token) {
                        refreshThread.set(Thread.currentThread());
                        refreshed.countDown();
                    }
                }).build();
        assertTrue(refreshed.await(10, TimeUnit.SECONDS), "renewed inside the margin without a caller");
        assertEquals("refresh-1", store.stored().refreshToken());
        assertEquals("netatmo-token-refresh", refreshThread.get().getName());
        source.close();
        refreshThread.get().join(5000);
        assertFalse(refreshThread.get().isAlive(), "the refresh thread stops on close");
    }

    // --- helpers ---

    private static Token call(RefreshingTokenSource source) {
        try {
            return source.token();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A token client made of a lambda. */
    private static final class DelegatingClient implements TokenClient {
        private final FakeTokenClient.Behaviour refresh;

        DelegatingClient(FakeTokenClient.Behaviour refresh) {
            this.refresh = refresh;
        }

        @Override
        public Token refresh(String refreshToken) throws IOException {
            return refresh.respond(refreshToken);
        }

        @Override
        public Token exchangeCode(String code, java.net.URI redirectUri) {
            throw new UnsupportedOperationException();
        }
    }

}
