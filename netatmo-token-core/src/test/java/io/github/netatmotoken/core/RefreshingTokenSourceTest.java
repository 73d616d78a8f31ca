package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

class RefreshingTokenSourceTest {
    private static final Duration THREE_HOURS = Duration.ofHours(3);

    private final FakeClock clock = new FakeClock();
    private final FakeTokenClient client = new FakeTokenClient(clock, THREE_HOURS, "refresh-0");
    private final RecordingListener listener = new RecordingListener();
    private final ManualScheduler scheduler = new ManualScheduler(clock);

    private Token tokenExpiringIn(Duration d) {
        return new Token("access-0", "refresh-0", clock.instant().plus(d));
    }

    private RefreshingTokenSource.Builder builder(TokenStore store) {
        return RefreshingTokenSource.builder().store(store).client(client).clock(clock).ticker(clock)
                .scheduler(scheduler).listener(listener).executor(Runnable::run)
                .random(RandomGenerator.of("L64X128MixRandom"));
    }

    @Test
    void aFreshTokenIsReturnedWithoutRefresh() throws IOException {
        Token token = tokenExpiringIn(Duration.ofHours(1));
        RefreshingTokenSource source = builder(new InMemoryTokenStore(token)).build();
        assertSame(token, source.token());
        assertEquals(0, client.refreshCount());
    }

    @Test
    void inTheRefreshMarginOneCallerStartsABackgroundRefreshAndEveryoneKeepsTheValidToken() throws IOException {
        Token token = tokenExpiringIn(Duration.ofMinutes(4)); // inside the 5-minute margin, outside the 30 s one
        InMemoryTokenStore store = new InMemoryTokenStore(token);
        ManualExecutor background = new ManualExecutor();
        RefreshingTokenSource source = builder(store).executor(background).build();

        for (int i = 0; i < 10; i++) {
            assertSame(token, source.token());
        }
        assertEquals(1, background.pending(), "one background refresh queued, however many callers");
        assertEquals(0, client.refreshCount());

        background.runAll();
        assertEquals(1, client.refreshCount());
        assertEquals("access-1", source.token().accessToken());
    }

    @Test
    void withinTheExpiryMarginCallersWaitForTheRefresh() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofSeconds(20))))
                .build();
        assertEquals("access-1", source.token().accessToken());
        assertEquals(1, client.refreshCount());
    }

    @Test
    void anExpiredTokenIsRefreshedBeforeItIsReturned() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-2))))
                .build();
        Token token = source.token();
        assertEquals("access-1", token.accessToken());
        assertEquals("refresh-1", token.refreshToken());
        assertEquals(clock.instant().plus(THREE_HOURS), token.expiry());
    }

    @Test
    void anIncompleteTokenFileIsRefreshedAtOnce(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("token.json");
        Files.writeString(file, "{\"access_token\":\"access-0\",\"refresh_token\":\"refresh-0\"}");
        RefreshingTokenSource source = builder(new FileTokenStore(file, clock)).build();

        assertEquals("access-1", source.token().accessToken());
        assertEquals(1, client.refreshCount());
        String saved = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(saved.contains("\"refresh_token\":\"refresh-1\""), saved);
    }

    @Test
    void onlyARefreshTokenIsRenewedAtOnce(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("token.json");
        Files.writeString(file, "{\"refresh_token\":\"refresh-0\"}");
        RefreshingTokenSource source = builder(new FileTokenStore(file, clock)).build();
        assertEquals("access-1", source.token().accessToken());
    }

    @Test
    void shortLivedTokensAreRefreshedAtHalfLifeNotContinuously() throws IOException {
        FakeTokenClient shortLived = new FakeTokenClient(clock, Duration.ofMinutes(2), "refresh-0");
        ManualExecutor background = new ManualExecutor();
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ZERO)))
                .client(shortLived).executor(Runnable::run).build();
        assertEquals("access-1", source.token().accessToken());

        // A 2-minute token is fresh for its first half, although the refresh margin is 5 minutes.
        clock.advance(Duration.ofSeconds(59));
        assertEquals("access-1", source.token().accessToken());
        assertEquals(1, shortLived.refreshCount());
        clock.advance(Duration.ofSeconds(2));
        assertEquals("access-1", source.token().accessToken(), "still valid, refreshed in the background");
        assertEquals(2, shortLived.refreshCount(), "refreshed at half-life by the direct executor");
        assertEquals("access-2", source.token().accessToken());
        assertEquals(0, background.pending());
    }

    @Test
    void theNewTokenIsSavedBeforeAnyCallerReceivesIt() throws Exception {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1)));
        CountDownLatch saving = new CountDownLatch(1);
        CountDownLatch allowSave = new CountDownLatch(1);
        store.onSave(token -> {
            saving.countDown();
            try {
                allowSave.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            RefreshingTokenSource source = builder(store).executor(threads).build();
            Future<Token> caller = threads.submit(() -> source.token());
            assertTrue(saving.await(10, TimeUnit.SECONDS));
            // The refresh is done but not yet saved: nobody may see the new token.
            assertFalse(caller.isDone());
            assertEquals("access-0", store.stored().accessToken());
            assertNull(source.status().lastRefresh());
            allowSave.countDown();
            assertEquals("access-1", caller.get(10, TimeUnit.SECONDS).accessToken());
            assertEquals("access-1", store.stored().accessToken());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aFailedSaveKeepsTheNewTokenInMemoryAndRetriesTheSaveOnClose() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1)));
        store.failSavesWith("disk full");
        int mark = CapturedLogs.mark();
        RefreshingTokenSource source = builder(store).build();

        assertEquals("access-1", source.token().accessToken());
        assertEquals(1, listener.persistFailures.size());
        assertTrue(CapturedLogs.messages(mark, Level.ERROR).stream()
                .anyMatch(m -> m.contains("Could not save the new NetAtmo token to InMemoryTokenStore")
                        && m.contains("disk full")), CapturedLogs.since(mark).toString());
        assertEquals("access-0", store.stored().accessToken(), "old token still stored");

        store.onSave(token -> { });
        source.close();
        assertEquals("access-1", store.stored().accessToken(), "saved on close");
    }

    @Test
    void aFailedSaveIsRetriedAtTheNextRefresh() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1)));
        store.failSavesWith("disk full");
        RefreshingTokenSource source = builder(store).build();
        assertEquals("access-1", source.token().accessToken());

        store.onSave(token -> { });
        clock.advance(THREE_HOURS);
        assertEquals("access-2", source.token().accessToken());
        assertEquals("refresh-2", store.stored().refreshToken());
        assertEquals(List.of("refresh-0", "refresh-1"), client.refreshTokensSeen(),
                "the unsaved token in memory was used, not the stale one in the store");
    }

    @Test
    void aTransientFailureKeepsTheValidTokenAndBacksOffExponentially() throws IOException {
        // A one-hour refresh margin keeps the token inside it for all twelve attempts (about 23 minutes).
        Token token = tokenExpiringIn(Duration.ofMinutes(50));
        RefreshingTokenSource source = builder(new InMemoryTokenStore(token)).refreshMargin(Duration.ofHours(1))
                .build();
        client.behave(rt -> {
            throw new TokenRefreshException("HTTP 503", 503, null, null);
        });

        for (int attempt = 1; attempt <= 12; attempt++) {
            Instant before = clock.instant();
            assertSame(token, source.token(), "the valid token stays in use");
            assertEquals(attempt, client.refreshCount());
            Instant next = listener.nextAttempts.get(attempt - 1);
            assertSame(token, source.token());
            assertEquals(attempt, client.refreshCount(), "no retry before the backoff has passed");

            long ceiling = Math.min(300_000L, 1000L << (attempt - 1));
            long waited = Duration.between(before, next).toMillis();
            assertTrue(waited >= ceiling / 2 && waited <= ceiling, "attempt " + attempt + " waited " + waited
                    + " ms, expected between " + ceiling / 2 + " and " + ceiling);
            clock.advance(Duration.between(clock.instant(), next));
        }
        assertEquals(12, source.status().failureCount());
        assertEquals("refresh-0", client.refreshTokensSeen().get(11), "the refresh token is never discarded");
    }

    @Test
    void aTransientFailureOnAnExpiredTokenFailsFastUntilTheNextAttempt() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1))))
                .build();
        client.behave(rt -> {
            throw new TokenRefreshException("Token request failed with HTTP 500", 500, "server_error", null);
        });
        TokenRefreshException first = assertThrows(TokenRefreshException.class, source::token);
        assertTrue(first.getMessage().contains("HTTP 500"), first.getMessage());
        TokenRefreshException second = assertThrows(TokenRefreshException.class, source::token);
        assertTrue(second.getMessage().contains("next attempt"), second.getMessage());
        assertEquals(1, client.refreshCount(), "no retry storm");

        client.behave(rt -> null);
        clock.advance(Duration.ofSeconds(1));
        assertEquals("access-1", source.token().accessToken());
        assertEquals(List.of("refresh-0", "refresh-0"), client.refreshTokensSeen());
        assertNull(source.status().lastError());
    }

    @Test
    void anUncheckedExceptionFromTheClientIsATransientFailure() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1))))
                .build();
        client.behave(rt -> {
            throw new IllegalStateException("bug in client");
        });
        TokenRefreshException e = assertThrows(TokenRefreshException.class, source::token);
        assertTrue(e.getMessage().contains("bug in client"), e.getMessage());
        assertEquals(RefreshingTokenSource.State.EXPIRED, source.status().state());
    }

    @Test
    void invalidGrantRequiresReauthorizationAtOnceWithoutRetriesUntilANewTokenIsSet(@TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("token.json");
        FileTokenStore store = new FileTokenStore(file, clock);
        store.save(new Token("access-0", "spent-refresh-token", clock.instant().minusSeconds(1)));
        byte[] before = Files.readAllBytes(file);
        RefreshingTokenSource source = builder(store).build();

        assertThrows(ReauthorizationRequiredException.class, source::token);
        for (int i = 0; i < 5; i++) {
            ReauthorizationRequiredException e = assertThrows(ReauthorizationRequiredException.class, source::token);
            assertEquals("invalid_grant", e.error());
            clock.advance(Duration.ofMinutes(10));
        }
        assertEquals(1, client.refreshCount(), "a permanent failure is not retried");
        assertEquals(1, listener.reauthorizations.size(), "the listener is told once");
        assertEquals(RefreshingTokenSource.State.REAUTHORIZATION_REQUIRED, source.status().state());
        assertEquals(List.of(before.length), List.of(Files.readAllBytes(file).length));
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file), "file left as it was");

        source.setToken(Token.ofRefreshToken("refresh-0"));
        assertEquals("access-1", source.token().accessToken());
        assertEquals(RefreshingTokenSource.State.VALID, source.status().state());
    }

    @Test
    void aResponseWithoutRefreshTokenKeepsTheOldOne() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1))))
                .build();
        client.behave(rt -> new Token("access-x", null, clock.instant().plus(THREE_HOURS)));
        Token token = source.token();
        assertEquals("access-x", token.accessToken());
        assertEquals("refresh-0", token.refreshToken());
    }

    @Test
    void invalidatingTheCurrentTokenRefreshesOnceAndAStaleOneNotAtAll() throws IOException {
        Token token = tokenExpiringIn(Duration.ofHours(2));
        RefreshingTokenSource source = builder(new InMemoryTokenStore(token)).build();
        source.invalidate(token);
        source.invalidate(token);
        assertEquals(1, client.refreshCount());
        assertEquals("access-1", source.token().accessToken());

        source.invalidate(token); // rejected earlier, no longer current
        assertEquals(1, client.refreshCount());
        assertEquals("access-1", source.token().accessToken());
    }

    @Test
    void invalidatingRightAfterARefreshRefreshesAgain() throws IOException {
        // Regression: a finished refresh whose future was not yet cleared was joined instead of a new one.
        FakeTokenClient rotating = new FakeTokenClient(clock, THREE_HOURS, "refresh-0");
        try (RefreshingTokenSource source = RefreshingTokenSource.builder()
                .store(new InMemoryTokenStore(tokenExpiringIn(THREE_HOURS))).client(rotating).clock(clock)
                .ticker(clock).scheduler(scheduler).build()) {
            for (int i = 0; i < 500; i++) {
                Token used = source.token();
                source.invalidate(used);
                assertEquals("access-" + (i + 1), source.token().accessToken(), "iteration " + i);
                // The refresh thread completes its job just after publishing: the fake clock moves only after
                // that, or a caller joining the job would count its age in fake minutes.
                long doneBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (source.status().refreshing() && System.nanoTime() - doneBy < 0) {
                    Thread.onSpinWait();
                }
                // Each token worked for a while before its rejection: every one is renewed at once.
                clock.advance(Duration.ofMinutes(2));
            }
            assertEquals(500, rotating.refreshCount());
        }
    }

    @Test
    void invalidatingATokenWithoutRefreshTokenRequiresReauthorization() throws IOException {
        Token token = new Token("access-0", null, null);
        RefreshingTokenSource source = builder(new InMemoryTokenStore(token)).build();
        assertSame(token, source.token(), "an access token of unknown expiry is used until rejected");
        source.invalidate(token);
        ReauthorizationRequiredException e = assertThrows(ReauthorizationRequiredException.class, source::token);
        assertTrue(e.getMessage().contains("no refresh token"), e.getMessage());
        assertEquals(0, client.refreshCount());
    }

    @Test
    void anExpiredTokenWithoutRefreshTokenRequiresReauthorization() throws IOException {
        Token token = new Token("access-0", null, clock.instant().plusSeconds(60));
        RefreshingTokenSource source = builder(new InMemoryTokenStore(token)).build();
        assertSame(token, source.token(), "used until its expiry: nothing can renew it earlier");
        clock.advance(Duration.ofSeconds(60));
        ReauthorizationRequiredException e = assertThrows(ReauthorizationRequiredException.class, source::token);
        assertTrue(e.getMessage().contains("expired at"), e.getMessage());
    }

    @Test
    void anEmptyStoreMeansNotAuthenticatedUntilATokenIsSet() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore();
        RefreshingTokenSource source = builder(store).build();
        NotAuthenticatedException e = assertThrows(NotAuthenticatedException.class, source::token);
        assertTrue(e.getMessage().contains("authorize"), e.getMessage());
        assertEquals(RefreshingTokenSource.State.NOT_AUTHENTICATED, source.status().state());

        Token authorized = tokenExpiringIn(THREE_HOURS);
        source.setToken(authorized);
        assertSame(authorized, source.token());
        assertEquals(authorized, store.stored(), "setToken saves");
    }

    @Test
    void setTokenWithOnlyARefreshTokenRenewsItInTheBackground() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore();
        RefreshingTokenSource source = builder(store).build();
        source.setToken(Token.ofRefreshToken("refresh-0"));
        assertEquals(1, client.refreshCount(), "renewed at once");
        assertEquals("refresh-1", store.stored().refreshToken());
        assertThrows(IllegalArgumentException.class, () -> source.setToken(new Token(null, null, null)));
    }

    @Test
    void aShortLivedTokenFromAuthorizationIsNotRefreshedAgainAtOnce() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore()).build();
        Token authorized = tokenExpiringIn(Duration.ofMinutes(2));
        source.setToken(authorized);
        assertSame(authorized, source.token());
        assertEquals(0, client.refreshCount(), "fresh for the first half of its lifetime");
        clock.advance(Duration.ofSeconds(61));
        assertSame(authorized, source.token(), "still valid while the background refresh runs");
        assertEquals(1, client.refreshCount(), "refreshed at half-life (by the direct executor)");
        assertEquals("access-1", source.token().accessToken());
    }

    @Test
    void setTokenThatCannotBeSavedIsUsedAndReported() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore();
        store.failSavesWith("read-only file system");
        RefreshingTokenSource source = builder(store).build();
        Token authorized = tokenExpiringIn(THREE_HOURS);
        IOException e = assertThrows(IOException.class, () -> source.setToken(authorized));
        assertTrue(e.getMessage().contains("read-only file system"), e.getMessage());
        assertSame(authorized, source.token());
    }

    @Test
    void aTokenThatAnotherProcessRefreshedIsAdoptedInsteadOfRefreshing() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1)));
        RefreshingTokenSource source = builder(store).build();
        Token byOther = new Token("access-other", "refresh-other", clock.instant().plus(THREE_HOURS));
        store.storeDirectly(byOther);

        assertEquals(byOther, source.token());
        assertEquals(0, client.refreshCount());
        assertEquals(List.of(byOther), listener.adopted, "told as an adoption");
        assertEquals(List.of(), listener.refreshed, "not as a refresh: no request went to NetAtmo");
        assertEquals(0, source.status().refreshCount());
    }

    @Test
    void closeSavesTheCurrentTokenOnceAndLogsAnErrorOnFailureWithoutRetry() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1)));
        RefreshingTokenSource source = builder(store).build();
        source.token();
        store.failSavesWith("device gone");
        store.storeDirectly(null);
        int attempts = store.saveAttempts();
        int mark = CapturedLogs.mark();

        source.close();
        assertEquals(attempts + 1, store.saveAttempts(), "one attempt, no retry");
        assertTrue(CapturedLogs.messages(mark, Level.ERROR).stream()
                .anyMatch(m -> m.contains("on shutdown") && m.contains("InMemoryTokenStore")
                        && m.contains("device gone")), CapturedLogs.since(mark).toString());
        assertEquals(RefreshingTokenSource.State.CLOSED, source.status().state());
        assertThrows(IllegalStateException.class, source::token);
        source.close(); // idempotent
        assertEquals(attempts + 1, store.saveAttempts());
    }

    @Test
    void closeKeepsANewerTokenThatAnotherProcessStored() throws IOException {
        Token mine = tokenExpiringIn(THREE_HOURS);
        InMemoryTokenStore store = new InMemoryTokenStore(mine);
        RefreshingTokenSource source = builder(store).build();
        Token byOther = new Token("access-other", "refresh-other", clock.instant().plus(THREE_HOURS));
        store.storeDirectly(byOther);
        source.close();
        assertEquals(byOther, store.stored());
    }

    @Test
    void closeDoesNotSaveInTheReauthorizationState() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(new Token("a", "spent", clock.instant().minusSeconds(1)));
        RefreshingTokenSource source = builder(store).build();
        assertThrows(ReauthorizationRequiredException.class, source::token);
        source.close();
        assertEquals(0, store.saveAttempts());
    }

    @Test
    void statusReportsCountsTimesAndErrorsWithoutTokens() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1))))
                .build();
        source.token();
        RefreshingTokenSource.Status ok = source.status();
        assertEquals(RefreshingTokenSource.State.VALID, ok.state());
        assertEquals(clock.instant().plus(THREE_HOURS), ok.expiry());
        assertTrue(ok.hasRefreshToken());
        assertEquals(clock.instant(), ok.lastRefresh());
        assertEquals(Duration.ZERO, ok.lastRefreshDuration());
        assertEquals(1, ok.refreshCount());
        assertEquals(0, ok.failureCount());

        client.behave(rt -> {
            throw new TokenRefreshException("HTTP 502 from NetAtmo", 502, null, null);
        });
        clock.advance(THREE_HOURS);
        assertThrows(TokenRefreshException.class, source::token);
        RefreshingTokenSource.Status failed = source.status();
        assertEquals(RefreshingTokenSource.State.EXPIRED, failed.state());
        assertEquals(1, failed.failureCount());
        assertEquals("HTTP 502 from NetAtmo", failed.lastError());
        assertFalse(failed.toString().contains("access-1"));
    }

    @Test
    void theBuilderExplainsWhatIsMissingOrWrong() {
        IllegalStateException noStore = assertThrows(IllegalStateException.class,
                () -> RefreshingTokenSource.builder().client(client).build());
        assertTrue(noStore.getMessage().startsWith("store is required"), noStore.getMessage());
        IllegalStateException noClient = assertThrows(IllegalStateException.class,
                () -> RefreshingTokenSource.builder().store(new InMemoryTokenStore()).build());
        assertTrue(noClient.getMessage().startsWith("client is required"), noClient.getMessage());
        IllegalStateException margins = assertThrows(IllegalStateException.class,
                () -> builder(new InMemoryTokenStore()).refreshMargin(Duration.ofSeconds(10))
                        .expiryMargin(Duration.ofSeconds(20)).build());
        assertTrue(margins.getMessage().contains("expiryMargin must be between zero and refreshMargin"),
                margins.getMessage());
        IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
                () -> builder(new InMemoryTokenStore()).refreshTimeout(Duration.ZERO));
        assertEquals("refreshTimeout must be more than zero and at most PT24H, but is PT0S", timeout.getMessage());
        assertThrows(NullPointerException.class, () -> RefreshingTokenSource.builder().clock(null));
    }

    @Test
    void aCorruptTokenFileFailsTheBuildWithTheFileNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("token.json");
        Files.writeString(file, "{\"access_token\":");
        TokenFileException e = assertThrows(TokenFileException.class,
                () -> builder(new FileTokenStore(file, clock)).build());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals("{\"access_token\":", Files.readString(file));
    }

    @Test
    void aThrowingListenerDoesNotBreakTheRefresh() throws IOException {
        RefreshingTokenSource source = RefreshingTokenSource.builder()
                .store(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1)))).client(client).clock(clock)
                .executor(Runnable::run).listener(new TokenListener() {
                    @Override
                    public void refreshed(Token token) {
                        throw new IllegalStateException("listener bug");
                    }
                }).build();
        assertEquals("access-1", source.token().accessToken());
    }

    @Test
    void sixtyFourThreadsOnAnExpiredTokenCauseExactlyOneRefresh() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(64);
        try {
            for (int round = 0; round < 50; round++) {
                FakeTokenClient rotating = new FakeTokenClient(clock, THREE_HOURS, "refresh-0");
                RefreshingTokenSource source = RefreshingTokenSource.builder()
                        .store(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1))))
                        .client(rotating).clock(clock).build();
                List<Token> got = runConcurrently(callers, 64, source::token);
                assertEquals(1, rotating.refreshCount(), "round " + round);
                for (Token t : got) {
                    assertEquals("access-1", t.accessToken(), "round " + round);
                }
                source.close();
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void sixtyFourThreadsInvalidatingTheSameTokenCauseExactlyOneRefresh() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(64);
        try {
            for (int round = 0; round < 50; round++) {
                FakeTokenClient rotating = new FakeTokenClient(clock, THREE_HOURS, "refresh-0");
                Token current = tokenExpiringIn(THREE_HOURS);
                RefreshingTokenSource source = RefreshingTokenSource.builder()
                        .store(new InMemoryTokenStore(current)).client(rotating).clock(clock).build();
                List<Token> got = runConcurrently(callers, 64, () -> {
                    source.invalidate(current);
                    return source.token();
                });
                assertEquals(1, rotating.refreshCount(), "round " + round);
                for (Token t : got) {
                    assertEquals("access-1", t.accessToken(), "round " + round);
                }
                source.close();
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface Call {
        Token call() throws IOException;
    }

    private static List<Token> runConcurrently(ExecutorService pool, int threads, Call call) throws Exception {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Token>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return call.call();
            }));
        }
        assertTrue(ready.await(10, TimeUnit.SECONDS));
        go.countDown();
        List<Token> results = new ArrayList<>();
        for (Future<Token> f : futures) {
            results.add(f.get(30, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void waitingForARefreshIsBoundedByTheRefreshTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Thread> refresher = new AtomicReference<>();
        client.behave(rt -> {
            refresher.set(Thread.currentThread());
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1))))
                    .executor(pool).refreshTimeout(Duration.ofMillis(50)).build();
            TokenRefreshException e = assertThrows(TokenRefreshException.class, source::token);
            assertTrue(e.getMessage().contains("Timed out after PT0.05S"), e.getMessage());
            release.countDown();
            assertNotNull(refresher.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nearExpiryAFailedRefreshStillReturnsTheValidTokenAndBacksOff() throws IOException {
        Token token = tokenExpiringIn(Duration.ofSeconds(20)); // inside the 30 s expiry margin, not yet expired
        RefreshingTokenSource source = builder(new InMemoryTokenStore(token)).build();
        client.behave(rt -> {
            throw new TokenRefreshException("HTTP 503", 503, null, null);
        });
        assertSame(token, source.token(), "the token is still valid, so the failure does not reach the caller");
        assertSame(token, source.token(), "during the backoff too");
        assertEquals(1, client.refreshCount());
    }

    @Test
    void nearExpiryATimedOutRefreshStillReturnsTheValidToken() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        client.behave(rt -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        Token token = tokenExpiringIn(Duration.ofSeconds(20));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            RefreshingTokenSource source = builder(new InMemoryTokenStore(token)).executor(pool)
                    .refreshTimeout(Duration.ofMillis(20)).build();
            assertSame(token, source.token());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void anInterruptedWaitIsAnInterruptedIOExceptionAndKeepsTheFlag() throws Exception {
        ManualExecutor neverRuns = new ManualExecutor();
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1))))
                .executor(neverRuns).build();
        Thread.currentThread().interrupt();
        try {
            java.io.InterruptedIOException e = assertThrows(java.io.InterruptedIOException.class, source::token);
            assertTrue(e.getMessage().contains("Interrupted while waiting"), e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is restored");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anExecutorThatRejectsTheRefreshIsATransientFailure() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1))))
                .executor(task -> {
                    throw new java.util.concurrent.RejectedExecutionException("shut down");
                }).build();
        TokenRefreshException e = assertThrows(TokenRefreshException.class, source::token);
        assertTrue(e.getMessage().contains("executor rejected"), e.getMessage());
    }

    @Test
    void aStaleTokenStoredByAnotherProcessIsRefreshedWithItsRefreshToken() throws IOException {
        FakeTokenClient rotating = new FakeTokenClient(clock, THREE_HOURS, "refresh-other");
        InMemoryTokenStore shared = new InMemoryTokenStore(
                new Token("access-mine", "refresh-mine", clock.instant().minusSeconds(5)));
        RefreshingTokenSource source = builder(shared).client(rotating).build();
        shared.storeDirectly(new Token("access-other", "refresh-other", clock.instant().minusSeconds(5)));

        assertEquals("access-1", source.token().accessToken());
        assertEquals(List.of("refresh-other"), rotating.refreshTokensSeen(), "not the spent refresh-mine");
    }

    @Test
    void statusWhileARejectedTokenIsBeingRenewedIsExpired() throws IOException {
        Token token = tokenExpiringIn(THREE_HOURS);
        ManualExecutor background = new ManualExecutor();
        RefreshingTokenSource source = builder(new InMemoryTokenStore(token)).executor(background).build();
        source.invalidate(null);
        source.invalidate(token);
        assertEquals(RefreshingTokenSource.State.EXPIRED, source.status().state());
        background.runAll();
        assertEquals(RefreshingTokenSource.State.VALID, source.status().state());
    }

    @Test
    void anUncheckedSaveFailureIsReportedLikeAnyOther() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(tokenExpiringIn(Duration.ofHours(-1)));
        store.onSave(token -> {
            throw new IllegalStateException("store bug");
        });
        RefreshingTokenSource source = builder(store).build();
        assertEquals("access-1", source.token().accessToken());
        assertEquals(1, listener.persistFailures.size());
        assertTrue(listener.persistFailures.get(0).getMessage().contains("store bug"));
    }

    @Test
    void setTokenAfterCloseIsRefused() throws IOException {
        RefreshingTokenSource source = builder(new InMemoryTokenStore()).build();
        source.close();
        assertThrows(IllegalStateException.class, () -> source.setToken(tokenExpiringIn(THREE_HOURS)));
    }

    @Test
    void outOfRangeDurationsAreRefusedByTheSetterNamingTheParameterAndTheRange() {
        RefreshingTokenSource.Builder b = RefreshingTokenSource.builder();
        assertEquals("refreshMargin must be at least zero and at most PT24H, but is PT-1S",
                assertThrows(IllegalArgumentException.class, () -> b.refreshMargin(Duration.ofSeconds(-1)))
                        .getMessage());
        Duration huge = Duration.ofMillis(Long.MAX_VALUE);
        for (String name : List.of("refreshMargin", "expiryMargin", "minRefreshInterval", "refreshTimeout",
                "closeTimeout")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                switch (name) {
                    case "refreshMargin" -> b.refreshMargin(huge);
                    case "expiryMargin" -> b.expiryMargin(huge);
                    case "minRefreshInterval" -> b.minRefreshInterval(huge);
                    case "refreshTimeout" -> b.refreshTimeout(huge);
                    default -> b.closeTimeout(huge);
                }
            }, name);
            assertTrue(e.getMessage().startsWith(name + " must be ") && e.getMessage().contains("at most"),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> b.closeTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.expiryMargin(Duration.ofNanos(-1)));
        assertThrows(NullPointerException.class, () -> b.refreshTimeout(null));
        b.refreshMargin(Duration.ZERO).expiryMargin(Duration.ZERO).minRefreshInterval(Duration.ZERO);
    }

    /** Records listener callbacks. */
    static final class RecordingListener implements TokenListener {
        final List<Token> refreshed = new CopyOnWriteArrayList<>();
        final List<Token> adopted = new CopyOnWriteArrayList<>();
        final List<Instant> nextAttempts = new CopyOnWriteArrayList<>();
        final List<ReauthorizationRequiredException> reauthorizations = new CopyOnWriteArrayList<>();
        final List<IOException> persistFailures = new CopyOnWriteArrayList<>();

        @Override
        public void refreshed(Token token) {
            refreshed.add(token);
        }

        @Override
        public void adopted(Token token) {
            adopted.add(token);
        }

        @Override
        public void refreshFailed(IOException error, Instant nextAttempt) {
            nextAttempts.add(nextAttempt);
        }

        @Override
        public void reauthorizationRequired(ReauthorizationRequiredException error) {
            reauthorizations.add(error);
        }

        @Override
        public void persistFailed(IOException error) {
            persistFailures.add(error);
        }
    }
}
