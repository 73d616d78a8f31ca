package io.github.netatmotoken.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.CapturedLogs;
import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.TcpProxy;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import io.github.netatmotoken.jdbc.PostgresServer.TestDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One network fault per test, made by a {@link TcpProxy} between a store and PostgreSQL: the store reaches the
 * database through the proxy, and the other "process" reaches it directly.
 */
class JdbcTokenStoreFaultTest {
    private static final TestDatabase DB = PostgresServer.get().newDatabase(JdbcTokenStoreFaultTest.class);
    private static final String PASSWORD = "secret-pw";
    private static final Token FIRST = new Token("access-1", "refresh-1", Instant.parse("2026-12-02T10:00:00Z"));
    private static final Token SECOND = new Token("access-2", "refresh-2", null);

    private final String key = "key-" + UUID.randomUUID();
    private final List<SharedTokenStore> opened = new ArrayList<>();
    private TcpProxy proxy;

    @BeforeEach
    void startProxy() throws IOException {
        JdbcUrl.Address server = PostgresServer.get().address();
        proxy = TcpProxy.start(server.host(), server.port());
    }

    @AfterEach
    void stop() {
        opened.forEach(SharedTokenStore::close);
        proxy.close();
    }

    /** A store through the proxy, from a URL with a password (the embedded server trusts, and ignores it). */
    private JdbcTokenStore viaProxy(Duration leaseTtl) throws IOException {
        return viaProxy(leaseTtl, Duration.ofSeconds(15));
    }

    private JdbcTokenStore viaProxy(Duration leaseTtl, Duration writeTimeout) throws IOException {
        JdbcTokenStore store = JdbcTokenStore.builder()
                .url("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/" + DB.name()
                        + "?user=postgres&password=" + PASSWORD)
                .key(key).leaseTtl(leaseTtl).pollInterval(Duration.ofMillis(200))
                .writeTimeout(writeTimeout).build();
        opened.add(store);
        return store;
    }

    private JdbcTokenStore direct() throws IOException {
        JdbcTokenStore store = JdbcTokenStore.builder().dataSource(DB.dataSource()).key(key).build();
        opened.add(store);
        return store;
    }

    @Test
    void aWriteCutOffDuringARefreshLandsAfterTheRestoreAndTheWaiterGetsTheLeaseOnlyThen() throws Exception {
        JdbcTokenStore a = viaProxy(Duration.ofSeconds(6));
        JdbcTokenStore b = direct();
        a.save(FIRST);
        TokenStore.Lock lease = a.lock(Duration.ofSeconds(2));
        Token spent = a.load().orElseThrow();
        a.refreshing(spent);
        CompletableFuture<Optional<Token>> waiter = CompletableFuture.supplyAsync(() -> {
            try (TokenStore.Lock bLease = b.lock(Duration.ofSeconds(30))) {
                return b.load(); // what b would refresh: it must be the token a stored
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        proxy.cut(); // NetAtmo has answered SECOND; now a cannot reach the database
        CompletableFuture<Boolean> write = CompletableFuture.supplyAsync(() -> {
            try {
                return a.saveRefreshed(spent, SECOND);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Eventually.within(Duration.ofSeconds(5), "a problem during the cut", () -> a.problem().isPresent());
        assertTrue(a.problem().orElseThrow().contains("127.0.0.1:" + proxy.port()), a.problem().orElseThrow());
        Thread.sleep(1_000);
        assertFalse(write.isDone(), "the write gave up during the cut");
        assertFalse(waiter.isDone(), "b got the lease while a's write was pending");
        proxy.restore();
        assertTrue(write.get(20, TimeUnit.SECONDS), "the refreshed token did not land after the restore");
        Eventually.within(Duration.ofSeconds(5), "problem() empty after the restore", () -> a.problem().isEmpty());
        assertFalse(waiter.isDone(), "b got the lease before a released it");
        lease.close();
        assertEquals(Optional.of(SECOND), waiter.get(20, TimeUnit.SECONDS));
    }

    @Test
    void anUnreachableDatabaseFailsLoadAndLockFastNamingHostAndPortAndCloseStillReturns() throws Exception {
        JdbcTokenStore holder = viaProxy(Duration.ofSeconds(15));
        JdbcTokenStore a = viaProxy(Duration.ofSeconds(15));
        a.save(FIRST);
        holder.lock(Duration.ofSeconds(2)); // held while the database goes away: close() tries to release it
        proxy.cut();
        String where = "127.0.0.1:" + proxy.port();
        for (IOThrower operation : List.<IOThrower>of(a::load, () -> a.lock(Duration.ofSeconds(10)),
                () -> a.save(SECOND), () -> a.saveIfAbsent(SECOND), () -> a.refreshing(FIRST),
                () -> a.awaitNewer(FIRST, Duration.ofSeconds(10)))) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, operation::run);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took < 5_000, "failed after " + took + " ms");
            assertTrue(e.getMessage().contains("PostgreSQL at " + where), e.getMessage());
        }
        assertEquals(Optional.empty(), a.lossExplanation(FIRST));
        assertTrue(a.problem().orElseThrow().contains(where), a.problem().orElseThrow());
        long start = System.nanoTime();
        holder.close();
        a.close();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took < 5_000, "close took " + took + " ms");
    }

    @Test
    void aWriteThatCannotLandInTimeSaysSoAndTheStoreKeepsTheSpentToken() throws Exception {
        JdbcTokenStore a = JdbcTokenStore.builder()
                .url("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/" + DB.name() + "?user=postgres")
                .key(key).writeTimeout(Duration.ofMillis(300)).build();
        opened.add(a);
        a.save(FIRST);
        Token spent = a.load().orElseThrow();
        proxy.cut();
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> a.saveRefreshed(spent, SECOND));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5_000);
        assertTrue(e.getMessage().contains("not stored yet"), e.getMessage());
        assertEquals(Optional.of(FIRST), direct().load());
    }

    @Test
    void thePasswordAppearsNowhere() throws Exception {
        int mark = CapturedLogs.mark();
        List<String> seen = new ArrayList<>();
        JdbcTokenStore a = viaProxy(Duration.ofSeconds(1), Duration.ofMillis(500));
        JdbcTokenStore renewing = viaProxy(Duration.ofMillis(300));
        a.save(FIRST);
        renewing.lock(Duration.ofSeconds(2));
        Token spent = a.load().orElseThrow();
        try (SharedTokenStore.Subscription s = a.subscribe(() -> { })) {
            Eventually.within(Duration.ofSeconds(5), "the listener connected", () -> proxy.openConnections() > 0);
            proxy.cut();
            for (IOThrower operation : List.<IOThrower>of(a::load, () -> a.lock(Duration.ofSeconds(1)),
                    () -> a.saveRefreshed(spent, SECOND), () -> a.save(SECOND))) {
                IOException e = assertThrows(IOException.class, operation::run);
                seen.add(stackTrace(e));
                seen.add(a.problem().orElse(""));
            }
            Eventually.within(Duration.ofSeconds(5), "the listener's failure is logged",
                    () -> CapturedLogs.since(mark).stream().anyMatch(l -> l.message().contains("change listener")));
            Eventually.within(Duration.ofSeconds(5), "a failed renewal is logged",
                    () -> CapturedLogs.since(mark).stream().anyMatch(l -> l.message().contains("renew")));
        }
        seen.add(a.toString());
        a.close();
        renewing.close();
        CapturedLogs.since(mark).forEach(line -> seen.add(line.fullText()));
        for (String text : seen) {
            assertFalse(text.contains(PASSWORD), "the password in: " + text);
            assertFalse(text.contains("refresh-1") || text.contains("refresh-2"), "a token in: " + text);
        }
        assertTrue(seen.stream().anyMatch(t -> t.contains("127.0.0.1:" + proxy.port())), "where is not named");
    }

    private static String stackTrace(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    @FunctionalInterface
    private interface IOThrower {
        void run() throws IOException;
    }
}
