package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SharedTokenStore} promises, one test per rule. An engine's test class extends this and says
 * how to open a store (a new "process" on the same key) and how to crash one. Each test uses a key of its own.
 * Waits are bounded; lease times are short (a few hundred milliseconds) so that expiry tests stay fast.
 */
public abstract class SharedTokenStoreContract {
    /** Opens a new store on {@code key}, as another process would: its own holder name, its own connections. */
    protected abstract SharedTokenStore open(String key, Duration leaseTtl) throws Exception;

    /** Kills {@code store} as {@code kill -9} would: no release, no renewal, no last write. */
    protected abstract void crash(SharedTokenStore store) throws Exception;

    protected static final Duration TTL = Duration.ofMillis(600);
    protected static final Token FIRST = new Token("access-1", "refresh-1", Instant.parse("2026-12-02T10:00:00Z"));
    protected static final Token SECOND = new Token("access-2", "refresh-2",
            Instant.parse("2026-12-02T13:00:00.123456789Z"));

    private final List<SharedTokenStore> opened = new ArrayList<>();
    protected final String key = "contract-" + UUID.randomUUID();

    protected SharedTokenStore process() throws Exception {
        return process(TTL);
    }

    protected SharedTokenStore process(Duration leaseTtl) throws Exception {
        SharedTokenStore store = open(key, leaseTtl);
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(SharedTokenStore::close);
    }

    @Test
    void anEmptyStoreLoadsNothingAndIsSeededOnce() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        assertEquals(Optional.empty(), a.load());
        assertTrue(a.saveIfAbsent(FIRST));
        assertFalse(b.saveIfAbsent(SECOND), "seeding must never overwrite");
        assertEquals(Optional.of(FIRST), b.load());
    }

    @Test
    void aTokenComesBackEqualWithEveryComponentAndTheExpiryToTheNanosecond() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        for (Token t : List.of(SECOND, new Token(null, "only-refresh", null), new Token("only-access", null, null),
                new Token("a\"'\\\n\u00e9\u4e16", "r;DROP TABLE x;--", Instant.parse("1970-01-01T00:00:00Z")))) {
            a.save(t);
            assertEquals(Optional.of(t), b.load(), "round trip of " + t);
        }
    }

    @Test
    void anAuthorizationAlwaysWinsAndTheOthersSeeIt() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        a.saveIfAbsent(FIRST);
        b.load();
        a.save(SECOND);
        assertEquals(Optional.of(SECOND), b.load());
        assertFalse(b.saveRefreshed(FIRST, new Token("access-x", "refresh-x", null)),
                "a refresh of the older chain must not overwrite a new authorization");
        assertEquals(Optional.of(SECOND), a.load());
    }

    @Test
    void theLeaseIsExclusiveAndATimedOutWaitSaysSo() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        try (TokenStore.Lock held = a.lock(Duration.ofSeconds(2))) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> b.lock(Duration.ofMillis(200)));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited >= 150 && waited < 5_000, "waited " + waited + " ms");
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        }
        try (TokenStore.Lock mine = b.lock(Duration.ofSeconds(2))) {
            assertThrows(IOException.class, () -> a.lock(Duration.ZERO));
        }
    }

    @Test
    void aWaiterGetsTheLeaseSoonAfterItIsReleased() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        TokenStore.Lock held = a.lock(Duration.ofSeconds(2));
        CompletableFuture<TokenStore.Lock> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return b.lock(Duration.ofSeconds(20));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        assertFalse(waiting.isDone(), "b took the lease while a held it");
        held.close();
        waiting.get(10, TimeUnit.SECONDS).close();
    }

    @Test
    void aHeldLeaseIsRenewedBeyondItsTimeToLive() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        try (TokenStore.Lock held = a.lock(Duration.ofSeconds(2))) {
            Thread.sleep(TTL.toMillis() * 3);
            assertThrows(IOException.class, () -> b.lock(Duration.ZERO), "the lease ran out while held");
        }
    }

    @Test
    void theLeaseOfACrashedHolderRunsOutAndAnotherTakesOver() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        a.lock(Duration.ofSeconds(2));
        crash(a);
        long start = System.nanoTime();
        try (TokenStore.Lock taken = b.lock(Duration.ofSeconds(20))) {
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited < 15_000, "took over after " + waited + " ms");
        }
    }

    @Test
    void twoRefreshesOfOneGenerationRaceAndExactlyOneLands() throws Exception {
        for (int round = 0; round < 20; round++) {
            SharedTokenStore a = process();
            SharedTokenStore b = process();
            Token basis = new Token("access-" + round, "refresh-" + round, null);
            a.save(basis);
            a.load();
            b.load();
            Token fromA = new Token("a-" + round, "ra-" + round, null);
            Token fromB = new Token("b-" + round, "rb-" + round, null);
            CyclicBarrier start = new CyclicBarrier(2);
            CompletableFuture<Boolean> ra = CompletableFuture.supplyAsync(() -> race(start, a, basis, fromA));
            CompletableFuture<Boolean> rb = CompletableFuture.supplyAsync(() -> race(start, b, basis, fromB));
            boolean landedA = ra.get(20, TimeUnit.SECONDS);
            boolean landedB = rb.get(20, TimeUnit.SECONDS);
            assertTrue(landedA ^ landedB, "round " + round + ": a " + landedA + ", b " + landedB);
            assertEquals(Optional.of(landedA ? fromA : fromB), process().load());
        }
    }

    private static boolean race(CyclicBarrier start, SharedTokenStore store, Token spent, Token fresh) {
        try {
            start.await(10, TimeUnit.SECONDS);
            return store.saveRefreshed(spent, fresh);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void aRefreshedTokenLandsWhileAnotherProcessHoldsTheLease() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        a.save(FIRST);
        TokenStore.Lock lease = a.lock(Duration.ofSeconds(2));
        Token spent = a.load().orElseThrow();
        a.refreshing(spent);
        lease.close(); // as if a's lease had run out while NetAtmo answered slowly, and b took over
        try (TokenStore.Lock bLease = b.lock(Duration.ofSeconds(2))) {
            assertTrue(a.saveRefreshed(spent, SECOND), "the only live token must land: the write is on the"
                    + " generation, not on the lease");
            assertEquals(Optional.of(SECOND), b.load());
        }
    }

    @Test
    void aRetriedWriteThatHadLandedCountsAsStored() throws Exception {
        SharedTokenStore a = process();
        a.save(FIRST);
        Token spent = a.load().orElseThrow();
        assertTrue(a.saveRefreshed(spent, SECOND));
        assertTrue(a.saveRefreshed(spent, SECOND), "the retry of a write whose answer was lost");
        SharedTokenStore fresh = process();
        assertTrue(fresh.saveRefreshed(spent, SECOND), "also from a store that never read the row");
    }

    @Test
    void aRefreshOfATokenTheStoreNeverHeldDoesNotLand() throws Exception {
        SharedTokenStore a = process();
        a.save(FIRST);
        assertFalse(a.saveRefreshed(new Token("other", "other-refresh", null), SECOND));
        assertEquals(Optional.of(FIRST), a.load());
    }

    @Test
    void anotherProcessHearsOfANewGeneration() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        CountDownLatch told = new CountDownLatch(1);
        try (SharedTokenStore.Subscription s = b.subscribe(told::countDown)) {
            a.save(FIRST);
            assertTrue(told.await(15, TimeUnit.SECONDS), "no change callback within 15 s");
        }
    }

    @Test
    void aClosedSubscriptionHearsNothingAndClosesTwice() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        CountDownLatch told = new CountDownLatch(1);
        SharedTokenStore.Subscription s = b.subscribe(told::countDown);
        s.close();
        s.close();
        a.save(FIRST);
        assertFalse(told.await(1, TimeUnit.SECONDS), "a closed subscription was called");
    }

    @Test
    void awaitNewerWaitsOutAnotherHoldersLeaseAndReturnsItsToken() throws Exception {
        SharedTokenStore a = process(Duration.ofSeconds(5));
        SharedTokenStore b = process();
        a.save(FIRST);
        Token spent = b.load().orElseThrow();
        TokenStore.Lock lease = a.lock(Duration.ofSeconds(2));
        Token aSpent = a.load().orElseThrow();
        CompletableFuture<Optional<Token>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return b.awaitNewer(spent, Duration.ofSeconds(20));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(waiting.isDone(), "did not wait for the running lease");
        assertTrue(a.saveRefreshed(aSpent, SECOND));
        lease.close();
        assertEquals(Optional.of(SECOND), waiting.get(10, TimeUnit.SECONDS));
    }

    @Test
    void awaitNewerReturnsAtOnceWhenNobodyIsRefreshing() throws Exception {
        SharedTokenStore a = process();
        a.save(FIRST);
        long start = System.nanoTime();
        assertEquals(Optional.empty(), a.awaitNewer(FIRST, Duration.ofSeconds(20)));
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 5);
    }

    @Test
    void aCrashInTheRefreshWindowIsExplainedToTheNextHolder() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        a.save(FIRST);
        a.lock(Duration.ofSeconds(2));
        a.refreshing(a.load().orElseThrow());
        String aName = a.toString();
        crash(a);
        try (TokenStore.Lock lease = b.lock(Duration.ofSeconds(20))) {
            Token spent = b.load().orElseThrow();
            b.refreshing(spent);
            // NetAtmo answers invalid_grant: a spent it before it died.
            Optional<String> why = b.lossExplanation(spent);
            assertTrue(why.isPresent(), "no explanation after a crash in the window");
            assertTrue(why.get().contains("lost") && why.get().contains("refreshing"), why.get());
            assertFalse(why.get().contains("refresh-1") || why.get().contains("access-1"), "token value in " + why);
            assertTrue(!aName.isEmpty());
        }
    }

    @Test
    void everyAttemptRefusedAfterACrashInTheWindowIsToldOfTheSameCrash() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        SharedTokenStore c = process();
        a.save(FIRST);
        a.lock(Duration.ofSeconds(2));
        a.refreshing(a.load().orElseThrow());
        crash(a);
        String toB;
        try (TokenStore.Lock lease = b.lock(Duration.ofSeconds(20))) {
            Token spent = b.load().orElseThrow();
            b.refreshing(spent);
            // NetAtmo answers invalid_grant: b gives up and stores nothing.
            toB = b.lossExplanation(spent).orElseThrow();
        }
        try (TokenStore.Lock lease = c.lock(Duration.ofSeconds(20))) {
            Token spent = c.load().orElseThrow();
            c.refreshing(spent);
            assertEquals(Optional.of(toB), c.lossExplanation(spent),
                    "the crashed holder lost the chain, not the process refused after it");
        }
    }

    @Test
    void noExplanationWithoutAnUnfinishedRefresh() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        a.save(FIRST);
        try (TokenStore.Lock lease = a.lock(Duration.ofSeconds(2))) {
            Token spent = a.load().orElseThrow();
            a.refreshing(spent);
            a.saveRefreshed(spent, SECOND);
        }
        try (TokenStore.Lock lease = b.lock(Duration.ofSeconds(2))) {
            Token spent = b.load().orElseThrow();
            b.refreshing(spent);
            assertEquals(Optional.empty(), b.lossExplanation(spent), "a refresh that was revoked by NetAtmo");
        }
    }

    @Test
    void problemIsEmptyWhileTheStoreWorks() throws Exception {
        SharedTokenStore a = process();
        a.load();
        assertEquals(Optional.empty(), a.problem());
    }

    @Test
    void closeReturnsAndReleasesTheLease() throws Exception {
        SharedTokenStore a = process();
        SharedTokenStore b = process();
        a.lock(Duration.ofSeconds(2));
        long start = System.nanoTime();
        a.close();
        a.close();
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 10, "close took too long");
        b.lock(Duration.ofSeconds(5)).close();
    }
}
