package io.github.netatmotoken.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.FakeTokenClient;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import io.github.netatmotoken.jdbc.PostgresServer.TestDatabase;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Adversarial review of issue 12 on PostgreSQL: does the row end up holding the refresh token NetAtmo accepts? */
class Review12JdbcAttackTest {
    private static final TestDatabase DB = PostgresServer.get().newDatabase(Review12JdbcAttackTest.class);

    private final FakeClock clock = new FakeClock();
    private final FakeTokenClient client = new FakeTokenClient(clock, Duration.ofHours(3), "refresh-0");
    private final String key = "key-" + UUID.randomUUID();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private JdbcTokenStore open() throws IOException {
        JdbcTokenStore store = JdbcTokenStore.builder().dataSource(DB.dataSource()).key(key)
                .pollInterval(Duration.ofMillis(200)).leaseTtl(Duration.ofSeconds(2)).build();
        toClose.add(store);
        return store;
    }

    /** The ABA case of Review12AttackTest, on the real store: a compare-and-set with the in-memory token. */
    @Test
    void aRefreshAfterAnotherProcessGotTheSameRefreshTokenBackKeepsTheMintedToken() throws Exception {
        open().save(new Token("access-0", "refresh-0", clock.instant().minusSeconds(60)));
        AtomicBoolean sameRefreshTokenOnce = new AtomicBoolean(true);
        client.behave(refreshToken -> sameRefreshTokenOnce.getAndSet(false)
                ? new Token("access-aba", "refresh-0", clock.instant().plus(Duration.ofSeconds(30))) : null);
        JdbcTokenStore b = open();
        Token stored = b.load().orElseThrow();
        RefreshingTokenSource a;
        try (TokenStore.Lock lease = b.lock(Duration.ofSeconds(2))) {
            a = RefreshingTokenSource.builder().store(open()).client(client).clock(clock).ticker(clock)
                    .refreshTimeout(Duration.ofSeconds(10)).build();
            toClose.add(0, a);
            assertTrue(b.saveRefreshed(stored, client.refresh("refresh-0")));
        }
        Token got = a.token();
        String live = client.validRefreshToken();
        assertEquals(live, open().load().orElseThrow().refreshToken(), "the row must hold the live refresh token;"
                + " spent: " + client.refreshTokensSeen());
        assertEquals(live, got.refreshToken());
    }

    /**
     * The generation moved but the row still holds the spent token (it was saved again: the retry of an
     * authorization whose first save landed, or the same pasted token authorized twice). The row's refresh token is
     * the one just spent, so the fresh token is the only live one; answering "a new authorization won" drops it.
     */
    @Test
    void aCompareAndSetIsNotRefusedByARowThatStillHoldsTheSpentToken() throws Exception {
        JdbcTokenStore a = open();
        JdbcTokenStore b = open();
        Token t = new Token("access-0", "refresh-0", clock.instant());
        a.save(t);
        Token spent = a.load().orElseThrow();
        b.save(t); // generation + 1, same token
        Token fresh = new Token("access-1", "refresh-1", clock.instant().plusSeconds(10_800));
        boolean stored = a.saveRefreshed(spent, fresh);
        assertEquals(fresh, b.load().orElseThrow(), "the only live token must be stored (saveRefreshed said "
                + stored + ")");
    }

    /** Seeding never overwrites, also not a row that a lease created (generation 0 with a lease on it). */
    @Test
    void seedingARowThatALeaseCreatedKeepsTheLease() throws Exception {
        JdbcTokenStore a = open();
        JdbcTokenStore b = open();
        try (TokenStore.Lock lease = a.lock(Duration.ofSeconds(2))) {
            assertTrue(b.saveIfAbsent(new Token("access-0", "refresh-0", null)));
            assertFalse(b.saveIfAbsent(new Token("access-x", "refresh-x", null)));
            // the lease of a is still a's
            assertThrowsIo(() -> b.lock(Duration.ofMillis(200)));
        }
    }

    private static void assertThrowsIo(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, e);
    }
}
