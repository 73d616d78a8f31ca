package io.github.netatmotoken.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.jdbc.PostgresServer.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The change listener on a real PostgreSQL: notifications, polling, and a connection that the server kills. */
class ChangeListenerTest {
    private static final TestDatabase DB = PostgresServer.get().newDatabase(ChangeListenerTest.class);
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final Duration NO_POLLING = Duration.ofSeconds(60);

    private final TokenTable table = new TokenTable("netatmo_token", Duration.ofSeconds(10));
    private final String key = "key-" + UUID.randomUUID();
    private final String applicationName = "listener-test " + UUID.randomUUID().toString().substring(0, 8);
    private final BlockingQueue<Long> generations = new LinkedBlockingQueue<>();
    private final AtomicReference<String> problem = new AtomicReference<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final ChangeListener.Health health = new ChangeListener.Health() {
        @Override
        public void failed(String description) {
            problem.set(description);
            failures.add(description);
        }

        @Override
        public void working() {
            problem.set(null);
        }
    };
    private ChangeListener listener;

    ChangeListenerTest() throws SQLException {
        try (Connection c = DB.connect()) {
            table.create(c);
        }
    }

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.close();
        }
    }

    private ChangeListener start(DataSource dataSource, Duration pollInterval) {
        listener = new ChangeListener(Database.of(dataSource), table, key, applicationName, pollInterval, true,
                generations::add, health);
        listener.start();
        return listener;
    }

    private long write() throws SQLException {
        try (Connection c = DB.connect()) {
            return table.save(c, key, new Token("a", "r", null));
        }
    }

    @Test
    void aNotificationArrivesLongBeforeTheNextPoll() throws Exception {
        start(DB.dataSource(), NO_POLLING);
        assertEquals(0L, generations.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS), "the first read");
        Eventually.within(BOUND, "the listener listens", () -> listenerPid().isPresent());
        assertTrue(listener.notificationsSupported());
        long written = write();
        assertEquals(written, generations.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aNotificationOfAnotherKeyIsIgnored() throws Exception {
        start(DB.dataSource(), NO_POLLING);
        assertEquals(0L, generations.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        Eventually.within(BOUND, "the listener listens", () -> listenerPid().isPresent());
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            for (int i = 0; i < 5; i++) {
                table.save(c, key + "-other", new Token("a", "r", null)); // up to generation 5
            }
            s.execute("NOTIFY netatmo_token, 'not-a-number " + key + "'");
        }
        long written = write();
        Eventually.within(BOUND, "this key's write is heard", () -> generations.contains(written));
        assertFalse(generations.contains(5L), "a generation of the other key: " + generations);
    }

    @Test
    void aKilledListenerConnectionIsReplacedAndTheMissedChangeIsStillSeen() throws Exception {
        start(DB.dataSource(), NO_POLLING);
        assertEquals(0L, generations.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        Eventually.within(BOUND, "the listener listens", () -> listenerPid().isPresent());
        int killed = listenerPid().orElseThrow();
        try (Connection c = DB.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT pg_terminate_backend(?)")) {
            s.setInt(1, killed);
            s.execute();
        }
        long written = write(); // its notification is lost: nobody listens while the listener reconnects
        Eventually.within(BOUND, "the listener saw the failure", () -> !failures.isEmpty());
        assertTrue(failures.get(0).contains("change listener"), failures.get(0));
        assertEquals(written, generations.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS),
                "the read after reconnecting finds the change that the lost notification announced");
        Eventually.within(BOUND, "a new listener connection", () -> listenerPid().filter(p -> p != killed).isPresent());
        Eventually.within(BOUND, "problem cleared", () -> problem.get() == null);
        long next = write();
        assertEquals(next, generations.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS),
                "notifications work again, long before a poll");
    }

    @Test
    void withADriverWithoutNotificationsTheListenerPolls() throws Exception {
        start(withoutPgJdbc(DB.dataSource()), Duration.ofMillis(100));
        assertEquals(0L, generations.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        long written = write();
        Eventually.within(BOUND, "a poll saw generation " + written, () -> generations.contains(written));
        assertFalse(listener.notificationsSupported());
    }

    @Test
    void closeReturnsPromptlyWhileTheListenerWaits() throws Exception {
        start(DB.dataSource(), NO_POLLING);
        Eventually.within(BOUND, "the listener listens", () -> listenerPid().isPresent());
        long start = System.nanoTime();
        listener.close();
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 2_000);
        Eventually.within(BOUND, "the listener's connection is closed", () -> listenerPid().isEmpty());
    }

    private Optional<Integer> listenerPid() {
        try (Connection c = DB.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            s.setString(1, applicationName);
            try (ResultSet row = s.executeQuery()) {
                return row.next() ? Optional.of(row.getInt(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A data source whose connections hide PgJDBC, as another driver's would: no unwrap to PGConnection. */
    static DataSource withoutPgJdbc(DataSource real) {
        return (DataSource) Proxy.newProxyInstance(ChangeListenerTest.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object result = invoke(method, real, args);
                    if (result instanceof Connection connection) {
                        return hiding(connection);
                    }
                    return result;
                });
    }

    private static Connection hiding(Connection real) {
        return (Connection) Proxy.newProxyInstance(ChangeListenerTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("isWrapperFor")) {
                        return false;
                    }
                    if (method.getName().equals("unwrap")) {
                        throw new SQLException("not a wrapper");
                    }
                    return invoke(method, real, args);
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
