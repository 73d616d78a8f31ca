package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The source on a {@link SharedTokenStore}: how it uses the lease, the compare-and-set, the notifications, the
 * re-read after {@code invalid_grant} and the intent record. Several sources on one
 * {@link InMemorySharedTokenStore.Backend} play processes on several hosts; the token endpoint rotates strictly.
 */
class RefreshingTokenSourceSharedStoreTest {
    private static final Duration THREE_HOURS = Duration.ofHours(3);
    private static final Duration TTL = Duration.ofMillis(400);

    private final FakeClock clock = new FakeClock();
    private final FakeTokenClient client = new FakeTokenClient(clock, THREE_HOURS, "refresh-0");
    private final InMemorySharedTokenStore.Backend backend = new InMemorySharedTokenStore.Backend();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private int processes;

    private InMemorySharedTokenStore store() {
        InMemorySharedTokenStore store = new InMemorySharedTokenStore(backend, "process " + (++processes) + " on host-"
                + processes, TTL);
        toClose.add(store);
        return store;
    }

    private RefreshingTokenSource source(InMemorySharedTokenStore store) throws IOException {
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

    private Token expired() {
        return new Token("access-0", "refresh-0", clock.instant().minusSeconds(60));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void anotherProcessAdoptsTheNewTokenOnTheNotificationWithoutAskingNetAtmo() throws Exception {
        store().save(new Token("access-0", "refresh-0", clock.instant().plus(Duration.ofHours(2))));
        RefreshingTokenSource a = source(store());
        RefreshingTokenSource b = source(store());
        assertEquals("access-0", b.token().accessToken());

        a.invalidate(a.token()); // NetAtmo rejected a's access token: a renews it while b's still looks fresh
        Token fresh = a.token();
        assertEquals("access-1", fresh.accessToken());
        await("b holds a's new token without being asked", () -> fresh.expiry().equals(b.status().expiry()));
        int loads = backend.loads();
        assertEquals(fresh, b.token());
        assertEquals(1, client.refreshCount(), "one token request for both processes");
        assertEquals(0, b.status().refreshCount(), "an adoption is not a refresh");
        for (int i = 0; i < 1_000; i++) {
            b.token();
        }
        assertEquals(loads, backend.loads(), "token() on a fresh token must not read the store");
    }

    @Test
    void processesThatNeedANewTokenAtOnceShareOneRefresh() throws Exception {
        store().save(expired());
        List<RefreshingTokenSource> sources = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sources.add(source(store()));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Token> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (RefreshingTokenSource s : sources) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    got.add(s.token());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(20_000);
        }
        assertEquals(6, got.size());
        assertEquals(1, client.refreshCount(), "one token request, not one per process: " + client.refreshTokensSeen());
        assertTrue(got.stream().allMatch(t -> t.equals(got.get(0))), "all hold one token: " + got);
    }

    @Test
    void invalidGrantAfterAnotherProcessRotatedTheTokenAMomentAgoAdoptsItsToken() throws Exception {
        InMemorySharedTokenStore other = store();
        other.save(expired());
        InMemorySharedTokenStore mine = store();
        RefreshingTokenSource b = source(mine);
        // Another process spent refresh-0 a moment ago and writes its result while b, whose lease ran out, spends
        // refresh-0 too: b must wait out the other's lease and adopt its token instead of giving up.
        Token spentByOther = other.load().orElseThrow();
        Token rotated = client.refresh("refresh-0");
        CountDownLatch otherWrote = new CountDownLatch(1);
        client.behave(refreshToken -> {
            if (refreshToken.equals("refresh-0")) {
                backend.expireLease(); // b stalled past its lease; the other process takes the lease to write
                Thread writer = new Thread(() -> {
                    try (TokenStore.Lock lease = other.lock(Duration.ofSeconds(5))) {
                        Thread.sleep(300);
                        other.saveRefreshed(spentByOther, rotated);
                        otherWrote.countDown();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                writer.start();
                try {
                    await("the other process holds its lease", this::backendLeaseHeld);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
            return null; // the strict rotation answers invalid_grant for refresh-0
        });

        assertEquals(rotated, b.token());
        assertTrue(otherWrote.await(5, TimeUnit.SECONDS));
        assertEquals(RefreshingTokenSource.State.VALID, b.status().state());
        assertEquals(List.of("refresh-0", "refresh-0"), client.refreshTokensSeen(), "b never spent refresh-1");
    }

    private boolean backendLeaseHeld() {
        try (InMemorySharedTokenStore probe = new InMemorySharedTokenStore(backend, "probe", TTL)) {
            try {
                probe.lock(Duration.ZERO).close();
                return false;
            } catch (IOException e) {
                return true;
            }
        }
    }

    @Test
    void aChainLostByACrashInTheRefreshWindowIsExplained() throws Exception {
        InMemorySharedTokenStore crashed = store();
        crashed.save(expired());
        crashed.lock(Duration.ofSeconds(1));
        crashed.refreshing(crashed.load().orElseThrow());
        client.refresh("refresh-0"); // NetAtmo answered; the process died before its write landed
        crashed.crash();

        RefreshingTokenSource b = source(store());
        ReauthorizationRequiredException e = assertThrows(ReauthorizationRequiredException.class, b::token);
        assertTrue(e.getMessage().contains("lost while process 1 on host-1 was refreshing it"), e.getMessage());
        assertTrue(e.getMessage().contains("authorize again"), e.getMessage());
        assertEquals("invalid_grant", e.error());
    }

    @Test
    void aStoreThatIsDownKeepsTheTokenInUseAndRefreshesNothingUntilItIsBack() throws Exception {
        InMemorySharedTokenStore store = store();
        store.save(new Token("access-0", "refresh-0", clock.instant().plus(Duration.ofMinutes(4))));
        RefreshingTokenSource source = source(store);
        store.down(true);

        assertEquals("access-0", source.token().accessToken(), "valid for 4 more minutes");
        await("the refresh attempt failed", () -> source.status().consecutiveFailures() > 0);
        assertEquals(0, client.refreshCount(), "a refresh whose result cannot be stored must not happen");
        assertNotNull(source.status().storeProblem());
        assertTrue(source.status().lastError().contains("down"), source.status().lastError());

        store.down(false);
        clock.advance(Duration.ofMinutes(3)); // past the backoff, still before the expiry
        await("refreshed once the store is back", () -> {
            try {
                return "access-1".equals(source.token().accessToken());
            } catch (IOException e) {
                return false;
            }
        });
        assertNull(source.status().storeProblem());
        assertEquals(1, client.refreshCount());
    }

    @Test
    void anAuthorizationStoredDuringARefreshWinsOverTheRefreshedToken() throws Exception {
        InMemorySharedTokenStore elsewhere = store();
        elsewhere.save(expired());
        RefreshingTokenSource source = source(store());
        Token authorized = new Token("access-auth", "refresh-auth", clock.instant().plus(THREE_HOURS));
        client.behave(refreshToken -> {
            elsewhere.save(authorized); // a person authorized through another replica meanwhile
            return null;
        });

        assertEquals(authorized, source.token());
        assertEquals(authorized, backend.token(), "the store keeps the authorization");
    }

    @Test
    void aTokenWhoseSaveFailedLandsByCompareAndSetWhenTheStoreIsBack() throws Exception {
        InMemorySharedTokenStore store = store();
        store.save(expired());
        RefreshingTokenSource source = source(store);
        client.behave(refreshToken -> {
            store.down(true); // the connection drops while NetAtmo answers
            return null;
        });

        Token fresh = source.token();
        assertEquals("access-1", fresh.accessToken());
        assertTrue(source.status().saveFailed());
        client.behave(refreshToken -> null);
        store.down(false);
        clock.advance(Duration.ofMinutes(2));
        await("the pending token landed", () -> fresh.equals(backend.token()));
        assertEquals(1, client.refreshCount());
    }

    @Test
    void aTokenThatIsNotInTheStoreIsNotRefreshedAgainUntilItLands() throws Exception {
        InMemorySharedTokenStore store = store();
        store.save(expired());
        RefreshingTokenSource source = source(store);
        store.failRefreshWrites(true);
        Token fresh = source.token();
        assertTrue(source.status().saveFailed());

        clock.advance(THREE_HOURS.minusSeconds(20)); // due, and still valid: it stays in use
        assertEquals(fresh, source.token());
        clock.advance(Duration.ofSeconds(21)); // expired
        IOException refused = assertThrows(IOException.class, source::token);
        assertTrue(refused.getMessage().contains("not in"), refused.getMessage());
        assertEquals(1, client.refreshCount(), "refreshing the unsaved token would spend it where nobody can follow");

        store.failRefreshWrites(false);
        clock.advance(Duration.ofMinutes(10)); // past the save's and the refresh's backoff
        await("the pending token landed and was refreshed", () -> {
            try {
                return "access-2".equals(source.token().accessToken());
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals(List.of("refresh-0", fresh.refreshToken()), client.refreshTokensSeen());
        assertEquals(source.token(), backend.token());
    }

    @Test
    void aProcessWaitingForTheLeaseTakesTheHoldersTokenWhenTheStoreTellsOfItWithoutWaitingForTheRelease()
            throws Exception {
        InMemorySharedTokenStore holder = store();
        holder.save(expired());
        Token spent = holder.load().orElseThrow();
        RefreshingTokenSource waiting = source(store());
        TokenStore.Lock lease = holder.lock(Duration.ofSeconds(1));
        try {
            Token rotated = new Token("access-h", "refresh-h", clock.instant().plus(THREE_HOURS));
            Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(200); // the waiting source is inside its lease wait by now
                    holder.saveRefreshed(spent, rotated);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            long start = System.nanoTime();
            assertEquals(rotated, waiting.token(), "the holder's token, while the holder still has its lease");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(backendLeaseHeld(), "the holder's lease is still held: the token came without it");
            assertTrue(tookMillis < 5_000, "took " + tookMillis + " ms");
            assertEquals(0, client.refreshCount());
            writer.join(5_000);
        } finally {
            lease.close();
        }
    }
}
