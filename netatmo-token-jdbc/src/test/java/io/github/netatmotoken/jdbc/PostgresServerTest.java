package io.github.netatmotoken.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.TcpProxy;
import io.github.netatmotoken.jdbc.PostgresServer.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The test server works for what the JDBC store needs: the server's clock, LISTEN/NOTIFY, and a cut network. */
class PostgresServerTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final TestDatabase DB = PostgresServer.get().newDatabase(PostgresServerTest.class);

    @Test
    void answersWithTheServersClock() throws SQLException {
        try (Connection connection = DB.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("select now(), current_database()")) {
            assertTrue(row.next());
            Instant now = row.getObject(1, OffsetDateTime.class).toInstant();
            assertTrue(Duration.between(now, Instant.now()).abs().compareTo(Duration.ofMinutes(5)) < 0,
                    "server clock " + now);
            assertEquals(DB.name(), row.getString(2));
        }
    }

    @Test
    void eachTestClassGetsADatabaseOfItsOwn() throws SQLException {
        TestDatabase other = PostgresServer.get().newDatabase(PostgresServerTest.class);
        assertNotEquals(DB.name(), other.name());
        try (Connection connection = other.connect(); Statement statement = connection.createStatement()) {
            statement.execute("create table only_here (id int)");
        }
        try (Connection connection = DB.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("select to_regclass('only_here') is null")) {
            assertTrue(row.next());
            assertTrue(row.getBoolean(1), "the table of another database is visible");
        }
    }

    @Test
    void notifyReachesAListenerOnAnotherConnection() throws SQLException {
        try (Connection listener = DB.connect(); Connection notifier = DB.connect()) {
            try (Statement statement = listener.createStatement()) {
                statement.execute("LISTEN token_saved");
            }
            try (Statement statement = notifier.createStatement()) {
                statement.execute("NOTIFY token_saved, 'generation 7'");
            }
            PGNotification[] notifications = assertTimeoutPreemptively(BOUND,
                    () -> listener.unwrap(PGConnection.class).getNotifications(10_000));
            assertEquals(1, notifications.length);
            assertEquals("token_saved", notifications[0].getName());
            assertEquals("generation 7", notifications[0].getParameter());
        }
    }

    @Test
    void aCutFailsTheNextStatementAndARestoredProxyConnectsAgain() throws Exception {
        JdbcUrl.Address server = PostgresServer.get().address();
        try (TcpProxy proxy = TcpProxy.start(server.host(), server.port())) {
            DataSource viaProxy = DB.dataSourceVia(proxy.host(), proxy.port());
            try (Connection connection = viaProxy.getConnection()) {
                assertEquals(1, selectOne(connection));
                proxy.cut();
                SQLException failure = assertTimeoutPreemptively(BOUND,
                        () -> assertThrows(SQLException.class, () -> selectOne(connection)));
                assertTrue(failure.getSQLState().startsWith("08"), "SQLState " + failure.getSQLState());
            }
            assertTimeoutPreemptively(BOUND, () -> assertThrows(SQLException.class, viaProxy::getConnection));
            proxy.restore();
            try (Connection connection = viaProxy.getConnection()) {
                assertEquals(1, selectOne(connection));
            }
        }
    }

    private static int selectOne(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery("select 1")) {
            assertTrue(row.next());
            return row.getInt(1);
        }
    }
}
