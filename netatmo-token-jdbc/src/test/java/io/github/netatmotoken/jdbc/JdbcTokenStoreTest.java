package io.github.netatmotoken.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import io.github.netatmotoken.jdbc.PostgresServer.TestDatabase;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What is particular to PostgreSQL: the table, the database's clock, keys side by side, the builder. */
class JdbcTokenStoreTest {
    private static final TestDatabase DB = PostgresServer.get().newDatabase(JdbcTokenStoreTest.class);
    private static final Token FIRST = new Token("access-1", "refresh-1", Instant.parse("2026-12-02T10:00:00Z"));
    private static final Token SECOND = new Token("access-2", "refresh-2", null);

    private final List<JdbcTokenStore> opened = new ArrayList<>();
    private final String key = "key-" + UUID.randomUUID();

    @AfterEach
    void closeStores() {
        opened.forEach(JdbcTokenStore::close);
    }

    private JdbcTokenStore open(JdbcTokenStore.Builder builder) throws IOException {
        JdbcTokenStore store = builder.build();
        opened.add(store);
        return store;
    }

    private JdbcTokenStore open(String key) throws IOException {
        return open(JdbcTokenStore.builder().dataSource(DB.dataSource()).key(key)
                .pollInterval(Duration.ofMillis(200)));
    }

    @Test
    void theLeaseDeadlineIsTheDatabasesNowPlusTheTimeToLive() throws Exception {
        JdbcTokenStore store = open(JdbcTokenStore.builder().dataSource(DB.dataSource()).key(key)
                .leaseTtl(Duration.ofSeconds(30)));
        try (TokenStore.Lock lease = store.lock(Duration.ofSeconds(2));
                Connection c = DB.connect(); PreparedStatement s = c.prepareStatement("SELECT extract(epoch FROM"
                        + " lease_until - now()), lease_holder FROM netatmo_token WHERE token_key = ?")) {
            s.setString(1, key);
            try (ResultSet row = s.executeQuery()) {
                assertTrue(row.next());
                double ahead = row.getDouble(1);
                assertTrue(ahead > 25 && ahead <= 30, "the deadline is " + ahead + " s after the database's now()");
                assertEquals(store.holder(), row.getString(2));
            }
        }
    }

    @Test
    void aLeaseWhoseDeadlinePassedOnTheDatabasesClockIsTakenOver() throws Exception {
        JdbcTokenStore a = open(key);
        JdbcTokenStore b = open(key);
        try (TokenStore.Lock lease = a.lock(Duration.ofSeconds(2))) {
            try (Connection c = DB.connect(); PreparedStatement s = c.prepareStatement("UPDATE netatmo_token"
                    + " SET lease_until = now() - interval '1 second' WHERE token_key = ?")) {
                s.setString(1, key); // as if a's renewals had stopped long ago, whatever the clocks of the hosts say
                s.executeUpdate();
            }
            b.lock(Duration.ZERO).close();
        }
    }

    @Test
    void aTimedOutWaitNamesTheHolderAndNoSecret() throws Exception {
        JdbcTokenStore a = open(key);
        JdbcTokenStore b = open(key);
        a.save(FIRST);
        try (TokenStore.Lock lease = a.lock(Duration.ofSeconds(2))) {
            IOException e = assertThrows(IOException.class, () -> b.lock(Duration.ofMillis(100)));
            assertTrue(e.getMessage().contains("held by " + a.holder()), e.getMessage());
            assertFalse(e.getMessage().contains("refresh-1"), e.getMessage());
        }
    }

    @Test
    void anInterruptedWaitForTheLeaseEndsWithInterruptedIoException() throws Exception {
        JdbcTokenStore a = open(key);
        JdbcTokenStore b = open(key);
        try (TokenStore.Lock lease = a.lock(Duration.ofSeconds(2))) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(1);
            Thread waiter = new Thread(() -> {
                try {
                    b.lock(Duration.ofSeconds(30)).close();
                } catch (IOException e) {
                    thrown.set(e);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
                done.countDown();
            });
            waiter.start();
            Thread.sleep(100);
            waiter.interrupt();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertTrue(thrown.get() instanceof InterruptedIOException, String.valueOf(thrown.get()));
            assertTrue(stillInterrupted.get(), "the interrupt status is kept");
        }
    }

    @Test
    void twoThreadsOfOneStoreTakeTurnsOnTheLease() throws Exception {
        JdbcTokenStore a = open(key);
        try (TokenStore.Lock lease = a.lock(Duration.ofSeconds(2))) {
            CompletableFuture<Object> other = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.lock(Duration.ofMillis(100));
                } catch (IOException e) {
                    return e;
                }
            });
            Object result = other.get(10, TimeUnit.SECONDS);
            assertTrue(result instanceof IOException, "a second thread got the lease: " + result);
            assertTrue(((IOException) result).getMessage().contains("another thread of this process"));
        }
        a.lock(Duration.ZERO).close();
    }

    @Test
    void severalKeysInOneTableDoNotInterfere() throws Exception {
        String other = key + "-other";
        JdbcTokenStore a = open(key);
        JdbcTokenStore b = open(other);
        CountDownLatch told = new CountDownLatch(1);
        b.save(SECOND); // before subscribing: a callback may come for a store's own write too
        try (TokenStore.Lock lease = a.lock(Duration.ofSeconds(2));
                SharedTokenStore.Subscription s = b.subscribe(told::countDown)) {
            b.lock(Duration.ZERO).close();
            a.save(FIRST);
            assertEquals(Optional.of(FIRST), a.load());
            assertEquals(Optional.of(SECOND), b.load());
            assertTrue(a.saveRefreshed(FIRST, new Token("access-3", "refresh-3", null)));
            assertEquals(Optional.of(SECOND), b.load());
            assertFalse(told.await(1, TimeUnit.SECONDS), "b heard of a write of another key");
        }
    }

    @Test
    void aCustomTableInASchemaIsCreatedAndUsed() throws Exception {
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS app");
        }
        JdbcTokenStore a = open(JdbcTokenStore.builder().dataSource(DB.dataSource()).key(key)
                .table("App.Netatmo_Tokens"));
        JdbcTokenStore b = open(JdbcTokenStore.builder().dataSource(DB.dataSource()).key(key)
                .table("app.netatmo_tokens").pollInterval(Duration.ofSeconds(30)));
        CountDownLatch told = new CountDownLatch(1);
        try (SharedTokenStore.Subscription s = b.subscribe(told::countDown)) {
            a.save(FIRST);
            assertTrue(told.await(10, TimeUnit.SECONDS), "no notification on the custom table's channel");
        }
        assertEquals(Optional.of(FIRST), b.load());
        try (Connection c = DB.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT generation, expiry FROM app.netatmo_tokens WHERE token_key = ?")) {
            s.setString(1, key);
            try (ResultSet row = s.executeQuery()) {
                assertTrue(row.next());
                assertEquals(1, row.getLong(1));
                assertEquals("2026-12-02T10:00:00Z", row.getString(2), "the expiry is stored as ISO-8601 text");
            }
        }
    }

    @Test
    void theIntentNamesTheHolderAndTheGenerationInTheRow() throws Exception {
        JdbcTokenStore a = open(key);
        a.save(FIRST);
        a.save(SECOND);
        try (TokenStore.Lock lease = a.lock(Duration.ofSeconds(2))) {
            a.refreshing(a.load().orElseThrow());
        }
        try (Connection c = DB.connect(); PreparedStatement s = c.prepareStatement("SELECT intent_generation,"
                + " intent_holder, intent_at <= now() FROM netatmo_token WHERE token_key = ?")) {
            s.setString(1, key);
            try (ResultSet row = s.executeQuery()) {
                assertTrue(row.next());
                assertEquals(2, row.getLong(1));
                assertEquals(a.holder(), row.getString(2));
                assertTrue(row.getBoolean(3));
            }
        }
    }

    @Test
    void refreshingWithoutAStoredTokenFails() throws Exception {
        JdbcTokenStore a = open(key);
        IOException e = assertThrows(IOException.class, () -> a.refreshing(FIRST));
        assertTrue(e.getMessage().contains("no token is stored for key " + key), e.getMessage());
    }

    @Test
    void theDefaultHolderNameNamesTheProcessAndDiffersBetweenStores() throws Exception {
        JdbcTokenStore a = open(key);
        JdbcTokenStore b = open(key);
        assertTrue(a.holder().startsWith(ProcessHandle.current().pid() + "@"), a.holder());
        assertNotEquals(a.holder(), b.holder());
        assertEquals("4711@host-b", open(JdbcTokenStore.builder().dataSource(DB.dataSource()).key(key)
                .holderName("4711@host-b")).holder());
    }

    @Test
    void toStringNamesKeyTableHolderAndServer() throws Exception {
        JdbcTokenStore a = open(key);
        a.load();
        String text = a.toString();
        JdbcUrl.Address server = PostgresServer.get().address();
        assertTrue(text.contains(key) && text.contains("netatmo_token") && text.contains(a.holder())
                && text.contains("PostgreSQL at " + server), text);
    }

    @Test
    void aClosedStoreRefusesWorkAndHearsNothing() throws Exception {
        JdbcTokenStore a = open(key);
        a.close();
        assertThrows(IllegalStateException.class, a::load);
        assertThrows(IllegalStateException.class, () -> a.lock(Duration.ZERO));
        assertEquals(Optional.empty(), a.lossExplanation(FIRST));
        a.subscribe(() -> { }).close();
    }

    @Test
    void theBuilderSaysWhatIsMissingOrWrong() {
        JdbcTokenStore.Builder noKey = JdbcTokenStore.builder().dataSource(DB.dataSource());
        assertTrue(assertThrows(IllegalStateException.class, noKey::build).getMessage().contains("key("));
        JdbcTokenStore.Builder noSource = JdbcTokenStore.builder().key("k");
        assertTrue(assertThrows(IllegalStateException.class, noSource::build).getMessage().contains("dataSource("));
        JdbcTokenStore.Builder b = JdbcTokenStore.builder();
        assertThrows(IllegalArgumentException.class, () -> b.key(" "));
        assertThrows(IllegalArgumentException.class, () -> b.key("k".repeat(201)));
        assertThrows(IllegalArgumentException.class, () -> b.holderName(""));
        assertThrows(IllegalArgumentException.class, () -> b.holderName("h".repeat(201)));
        assertThrows(IllegalArgumentException.class, () -> b.leaseTtl(Duration.ofMillis(99)));
        assertThrows(IllegalArgumentException.class, () -> b.pollInterval(Duration.ofMillis(9)));
        assertThrows(IllegalArgumentException.class, () -> b.writeTimeout(Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> b.dataSource(null));
        IllegalArgumentException table = assertThrows(IllegalArgumentException.class,
                () -> b.table("tokens; DROP TABLE users"));
        assertTrue(table.getMessage().contains("SQL identifier"), table.getMessage());
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class,
                () -> b.url("jdbc:mysql://db/app?password=hunter2"));
        assertFalse(url.getMessage().contains("hunter2"), url.getMessage());
    }

    @Test
    void aTableThatCannotBeCreatedFailsTheBuildNamingIt() throws SQLException {
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS not_a_token_table (id int)");
        }
        IOException e = assertThrows(IOException.class, () -> open(JdbcTokenStore.builder()
                .dataSource(DB.dataSource()).key(key).table("no_such_schema.tokens")));
        assertTrue(e.getMessage().contains("no_such_schema.tokens"), e.getMessage());
        IOException wrong = assertThrows(IOException.class, () -> open(JdbcTokenStore.builder()
                .dataSource(DB.dataSource()).key(key).table("not_a_token_table")));
        assertTrue(wrong.getMessage().contains("not_a_token_table"), wrong.getMessage());
    }

    @Test
    void aStoreBuiltFromAUrlWorks() throws Exception {
        JdbcTokenStore a = open(JdbcTokenStore.builder().url(DB.jdbcUrl()).key(key));
        a.save(FIRST);
        assertEquals(Optional.of(FIRST), open(key).load());
    }
}
