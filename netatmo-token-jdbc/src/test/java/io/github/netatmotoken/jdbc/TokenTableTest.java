package io.github.netatmotoken.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.jdbc.PostgresServer.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The statements of the token table, one at a time, on a real PostgreSQL. */
class TokenTableTest {
    private static final TestDatabase DB = PostgresServer.get().newDatabase(TokenTableTest.class);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);
    private static final Token TOKEN = new Token("access-t", "refresh-t", Instant.parse("2026-12-02T10:00:00.5Z"));

    private final TokenTable table = new TokenTable("netatmo_token", QUERY_TIMEOUT);
    private final String key = "key-" + UUID.randomUUID();

    TokenTableTest() throws SQLException {
        try (Connection c = DB.connect()) {
            table.create(c);
        }
    }

    @Test
    void aNameIsFoldedToLowerCaseAsPostgresqlFoldsUnquotedNames() {
        TokenTable custom = new TokenTable("App.Netatmo_Tokens", QUERY_TIMEOUT);
        assertEquals("app.netatmo_tokens", custom.name());
        assertEquals("app.netatmo_tokens", custom.channel());
    }

    @Test
    void aLongNameGetsAChannelThatPostgresqlAccepts() throws SQLException {
        String name = "s".repeat(63) + "." + "t".repeat(63);
        String channel = new TokenTable(name, QUERY_TIMEOUT).channel();
        assertEquals(63, channel.length());
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            s.execute("LISTEN \"" + channel + "\"");
            s.execute("SELECT pg_notify('" + channel + "', 'x')");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1table", "a-b", "a.b.c", "a.", ".a", "x; DROP TABLE y", "a\"b", "tab le",
            "t\u00e4ble"})
    void aNameThatIsNoIdentifierIsRefused(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TokenTable(name, QUERY_TIMEOUT));
        assertTrue(e.getMessage().contains("SQL identifier") && e.getMessage().contains("schema.table"),
                e.getMessage());
    }

    @Test
    void aNameLongerThanPostgresqlAllowsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TokenTable("t".repeat(64), QUERY_TIMEOUT));
        assertEquals("t".repeat(63), new TokenTable("t".repeat(63), QUERY_TIMEOUT).name());
    }

    @Test
    void processesThatCreateTheTableAtOnceAllSucceed() throws Exception {
        TokenTable fresh = new TokenTable("raced_" + UUID.randomUUID().toString().replace("-", ""), QUERY_TIMEOUT);
        CyclicBarrier start = new CyclicBarrier(8);
        List<CompletableFuture<Void>> creators = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            creators.add(CompletableFuture.runAsync(() -> {
                try (Connection c = DB.connect()) {
                    start.await(10, TimeUnit.SECONDS);
                    fresh.create(c);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (CompletableFuture<Void> creator : creators) {
            creator.get(30, TimeUnit.SECONDS);
        }
        try (Connection c = DB.connect()) {
            assertEquals(TokenTable.Stored.NONE, fresh.load(c, key));
        }
    }

    @Test
    void theLeaseDeadlineIsComputedByTheDatabasesClock() throws SQLException {
        try (Connection c = DB.connect()) {
            assertTrue(table.tryLease(c, key, "a", Duration.ofSeconds(15)));
            try (Statement s = c.createStatement(); ResultSet row = s.executeQuery("SELECT extract(epoch FROM"
                    + " lease_until - now()), lease_holder FROM netatmo_token WHERE token_key = '" + key + "'")) {
                assertTrue(row.next());
                double ahead = row.getDouble(1);
                assertTrue(ahead > 14 && ahead <= 15, "the deadline is " + ahead + " s ahead of now()");
                assertEquals("a", row.getString(2));
            }
        }
    }

    @Test
    void aLeaseRunsOutByTheDatabasesClockAndAnotherHolderTakesIt() throws SQLException {
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            assertTrue(table.tryLease(c, key, "a", Duration.ofMillis(200)));
            assertFalse(table.tryLease(c, key, "b", Duration.ofSeconds(5)));
            assertTrue(table.tryLease(c, key, "a", Duration.ofMillis(200)), "the holder renews by taking it again");
            TokenTable.LeaseState held = table.lease(c, key);
            assertEquals("a", held.holder());
            assertTrue(held.running());
            assertNotNull(held.until());
            s.execute("SELECT pg_sleep(0.3)");
            assertFalse(table.lease(c, key).running());
            assertFalse(table.renewLease(c, key, "b", Duration.ofSeconds(5)), "b renews what it does not hold");
            assertTrue(table.tryLease(c, key, "b", Duration.ofSeconds(5)));
            assertFalse(table.renewLease(c, key, "a", Duration.ofSeconds(5)), "a renews a lease it lost");
            table.releaseLease(c, key, "a");
            assertEquals("b", table.lease(c, key).holder(), "a released b's lease");
            table.releaseLease(c, key, "b");
            assertEquals(new TokenTable.LeaseState(null, null, false), table.lease(c, key));
        }
    }

    @Test
    void aLeaseRowHoldsNoTokenAndDoesNotCountAsOne() throws SQLException {
        try (Connection c = DB.connect()) {
            assertTrue(table.tryLease(c, key, "a", Duration.ofSeconds(5)));
            assertEquals(TokenTable.Stored.NONE, table.load(c, key));
            assertEquals(1, table.saveIfAbsent(c, key, TOKEN), "a lease row is seeded as an empty store");
            assertEquals(-1, table.saveIfAbsent(c, key, TOKEN));
        }
    }

    @Test
    void everyWriteNotifiesWithItsGenerationAndKeyAndAMissedCompareAndSetDoesNot() throws Exception {
        try (Connection listener = DB.connect(); Connection c = DB.connect(); Statement s = listener.createStatement()) {
            s.execute("LISTEN netatmo_token");
            assertEquals(1, table.save(c, key, TOKEN));
            Token fresh = new Token("access-u", "refresh-u", null);
            Token other = new Token("access-o", "refresh-o", null);
            assertEquals(-1, table.compareAndSet(c, key, 7L, other, fresh), "another generation, and not spent");
            assertEquals(-1, table.compareAndSet(c, key, null, fresh, fresh), "the row does not hold spent");
            assertEquals(2, table.compareAndSet(c, key, 7L, TOKEN, fresh), "the row still holds the spent refresh"
                    + " token: nobody stored a successor of it, whatever generation the caller read");
            assertEquals(3, table.compareAndSet(c, key, 2L, fresh, TOKEN));
            List<String> payloads = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (payloads.size() < 3 && System.nanoTime() < deadline) {
                PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications(1_000);
                for (PGNotification n : received == null ? new PGNotification[0] : received) {
                    payloads.add(n.getParameter());
                }
            }
            assertEquals(List.of("1 " + key, "2 " + key, "3 " + key), payloads);
        }
    }

    @Test
    void anIntentOnAnUnfinishedGenerationBecomesTheLostRecord() throws SQLException {
        try (Connection c = DB.connect()) {
            assertFalse(table.recordIntent(c, key, null, "a"), "no row");
            table.save(c, key, TOKEN);
            assertTrue(table.recordIntent(c, key, null, "a"));
            assertEquals(-1, table.loss(c, key).orElseThrow().lostGeneration());
            assertTrue(table.recordIntent(c, key, 1L, "b"));
            TokenTable.Loss loss = table.loss(c, key).orElseThrow();
            assertEquals(1, loss.lostGeneration());
            assertEquals("a", loss.holder());
            assertNotNull(loss.at());
            assertEquals(new TokenTable.Stored(TOKEN, 1), loss.row());
        }
    }

    @Test
    void anExpiryThatIsNoInstantFailsWithoutQuotingTheToken() throws SQLException {
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            table.save(c, key, TOKEN);
            s.execute("UPDATE netatmo_token SET expiry = 'tomorrow' WHERE token_key = '" + key + "'");
            SQLException e = assertThrows(SQLException.class, () -> table.load(c, key));
            assertTrue(e.getMessage().contains("ISO-8601"), e.getMessage());
            assertFalse(e.getMessage().contains("refresh-t"), e.getMessage());
        }
    }
}
