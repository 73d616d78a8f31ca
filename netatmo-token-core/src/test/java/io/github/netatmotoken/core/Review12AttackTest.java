package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Adversarial review of issue 12 (shared stores) on the reference store: every test plays processes on one
 * {@link InMemorySharedTokenStore.Backend} against a strictly rotating token endpoint and asks the one question
 * that matters: does the store end up holding the refresh token that NetAtmo still accepts?
 */
class Review12AttackTest {
    private static final Duration THREE_HOURS = Duration.ofHours(3);
    private static final Duration TTL = Duration.ofMillis(400);

    private final FakeClock clock = new FakeClock();
    private final FakeTokenClient client = new FakeTokenClient(clock, THREE_HOURS, "refresh-0");
    private final InMemorySharedTokenStore.Backend backend = new InMemorySharedTokenStore.Backend();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private int processes;

    private InMemorySharedTokenStore store() {
        InMemorySharedTokenStore store = new InMemorySharedTokenStore(backend, "process " + (++processes), TTL);
        toClose.add(store);
        return store;
    }

    private RefreshingTokenSource source(TokenStore store) throws IOException {
        RefreshingTokenSource source = RefreshingTokenSource.builder().store(store).client(client).clock(clock)
                .ticker(clock).refreshTimeout(Duration.ofSeconds(10)).build();
        toClose.add(0, source);
        return source;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /**
     * ABA: NetAtmo answers a refresh with the same refresh token and a new access token (it has done so for
     * tokens refreshed before their expiry). Process a still holds the old access token with the same refresh
     * token; its refresh is due, it reads the store, sees the same refresh token, and spends it with
     * {@code spent} = its in-memory token, which is not what the store holds. The compare-and-set then finds
     * neither the generation it knows nor the content it was given, answers "a new authorization", and a drops
     * the token NetAtmo just minted, adopting the store's, whose refresh token a has just spent.
     */
    @Test
    void aRefreshAfterAnotherProcessGotTheSameRefreshTokenBackKeepsTheMintedToken() throws Exception {
        store().save(new Token("access-0", "refresh-0", clock.instant().minusSeconds(60)));
        AtomicBoolean sameRefreshTokenOnce = new AtomicBoolean(true);
        client.behave(refreshToken -> sameRefreshTokenOnce.getAndSet(false)
                ? new Token("access-aba", "refresh-0", clock.instant().plus(Duration.ofSeconds(30))) : null);
        // Both processes hold the expired token and are due at once; b wins the lease, refreshes and gets
        // (access-aba, refresh-0) back; a, waiting for the lease (or told of b's write), refreshes next.
        InMemorySharedTokenStore bStore = store();
        Token stored = bStore.load().orElseThrow();
        RefreshingTokenSource a;
        try (TokenStore.Lock lease = bStore.lock(Duration.ofSeconds(1))) {
            a = source(store());
            Token aba = client.refresh("refresh-0");
            assertEquals(true, bStore.saveRefreshed(stored, aba));
        }
        Token got = a.token();
        String live = client.validRefreshToken();
        assertEquals(live, backend.token().refreshToken(), "the store must hold the refresh token NetAtmo accepts;"
                + " spent so far: " + client.refreshTokensSeen());
        assertEquals(live, got.refreshToken(), "a must hold the live refresh token");
    }

    /** A store whose first {@code save} lands but whose answer is lost, as when a connection dies after COMMIT. */
    private static class LostAckStore implements SharedTokenStore {
        private final InMemorySharedTokenStore delegate;
        private final AtomicBoolean loseNext = new AtomicBoolean(true);

        LostAckStore(InMemorySharedTokenStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Token> load() throws IOException {
            return delegate.load();
        }

        @Override
        public void save(Token token) throws IOException {
            delegate.save(token);
            if (loseNext.getAndSet(false)) {
                throw new IOException("connection reset after the write committed");
            }
        }

        @Override
        public Lock lock(Duration timeout) throws IOException {
            return delegate.lock(timeout);
        }

        @Override
        public boolean saveRefreshed(Token spent, Token fresh) throws IOException {
            return delegate.saveRefreshed(spent, fresh);
        }

        @Override
        public boolean saveIfAbsent(Token token) throws IOException {
            return delegate.saveIfAbsent(token);
        }

        @Override
        public void refreshing(Token spent) throws IOException {
            delegate.refreshing(spent);
        }

        @Override
        public Optional<Token> awaitNewer(Token spent, Duration timeout) throws IOException {
            return delegate.awaitNewer(spent, timeout);
        }

        @Override
        public Optional<String> lossExplanation(Token spent) {
            return delegate.lossExplanation(spent);
        }

        @Override
        public Subscription subscribe(Runnable onChange) {
            return delegate.subscribe(onChange);
        }

        @Override
        public Optional<String> problem() {
            return delegate.problem();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /**
     * An authorization whose save landed although the store said it failed (the answer was lost) is retried later
     * with a plain {@code save}, which always wins: by then another process may have refreshed the authorized token
     * and stored the result, and the retry overwrites the live token with the spent one. The chain is lost although
     * no process crashed.
     */
    @Test
    void theRetryOfAnAuthorizationWhoseSaveHadLandedDoesNotOverwriteALaterRefresh() throws Exception {
        ManualExecutor aBackground = new ManualExecutor();
        ManualScheduler aScheduler = new ManualScheduler(clock);
        RefreshingTokenSource a = RefreshingTokenSource.builder().store(new LostAckStore(store())).client(client)
                .clock(clock).ticker(clock).refreshTimeout(Duration.ofSeconds(10)).executor(aBackground)
                .scheduler(aScheduler).build();
        toClose.add(0, a);
        RefreshingTokenSource b = source(store());
        Token authorized = new Token("access-0", "refresh-0", clock.instant().plus(THREE_HOURS));
        assertThrows(IOException.class, () -> a.setToken(authorized), "the save's answer was lost");
        assertEquals(authorized, backend.token(), "but the save landed");

        // b adopts the authorized token (told by the store's notification) and, NetAtmo rejecting its access token,
        // refreshes it.
        long adoptBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (b.status().state() != RefreshingTokenSource.State.VALID && System.nanoTime() - adoptBy < 0) {
            Thread.sleep(5);
        }
        Token bToken = b.token();
        assertEquals("access-0", bToken.accessToken());
        b.invalidate(bToken);
        Token refreshed = b.token();
        assertEquals("refresh-1", refreshed.refreshToken());
        assertEquals(refreshed, backend.token());

        aBackground.runAll(); // a's background job: it retries the save it believes failed
        String live = client.validRefreshToken();
        assertEquals(live, backend.token().refreshToken(), "the store must still hold the live refresh token;"
                + " it holds " + backend.token());
    }

    /**
     * A notification that arrives while a job runs only sets a flag and joins the running job, which has read the
     * flag already: nothing runs another job, so the source keeps the token it had until its next scheduled check,
     * hours later. Here another process stores a new authorization just after this source read the store.
     */
    @Test
    void aNotificationThatArrivesWhileAJobRunsIsNotLost() throws Exception {
        store().save(new Token("access-0", "refresh-0", clock.instant().plus(THREE_HOURS)));
        InMemorySharedTokenStore other = store();
        Token second = new Token("access-2", "refresh-2", clock.instant().plus(THREE_HOURS));
        AtomicBoolean once = new AtomicBoolean(true);
        InMemorySharedTokenStore mine = store();
        SharedTokenStore racing = new LostAckStore(mine) {
            @Override
            public Optional<Token> load() throws IOException {
                Optional<Token> read = super.load();
                if (read.isPresent() && read.get().accessToken().equals("access-1") && once.getAndSet(false)) {
                    other.save(second); // lands right after our read; its notification comes while the job runs
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return read;
            }

            @Override
            public void save(Token token) throws IOException {
                mine.save(token);
            }
        };
        RefreshingTokenSource a = source(racing);
        other.save(new Token("access-1", "refresh-1", clock.instant().plus(THREE_HOURS)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!"access-2".equals(a.token().accessToken()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals("access-2", a.token().accessToken(), "a must adopt the newest token stored");
    }
}
