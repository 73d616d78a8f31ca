package io.github.netatmotoken.jdbc;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Where the store's connections come from (the application's {@link DataSource}, or {@link DriverManager} with a
 * URL), and how a failure of theirs is told without a secret: a message names the server ("PostgreSQL at
 * db:5432") and the driver's first line, with every password of the URL replaced by {@code ***}. The driver's
 * detail lines are dropped, because PostgreSQL's can quote the row ("Failing row contains ..."), tokens included.
 *
 * <p>A URL gets bounded waits unless it sets its own: {@code connectTimeout} and {@code loginTimeout} of
 * {@link #CONNECT_TIMEOUT_SECONDS}, {@code socketTimeout} of {@link #SOCKET_TIMEOUT_SECONDS}. A data source keeps
 * what the application configured. Thread-safe.
 */
final class Database {
    static final int CONNECT_TIMEOUT_SECONDS = 3;
    static final int SOCKET_TIMEOUT_SECONDS = 30;

    private final @Nullable DataSource dataSource;
    private final @Nullable String url;
    private final Properties properties = new Properties();
    private final List<String> secrets = new ArrayList<>();
    /** What a message calls the server; learnt from the first connection of a data source. */
    private volatile String where;

    private Database(@Nullable DataSource dataSource, @Nullable String url, String where) {
        this.dataSource = dataSource;
        this.url = url;
        this.where = where;
    }

    static Database of(DataSource dataSource) {
        return new Database(dataSource, null, "PostgreSQL (the DataSource's)");
    }

    /**
     * @throws IllegalArgumentException if {@code url} is no PostgreSQL JDBC URL, without quoting its password
     */
    static Database of(String url) {
        JdbcUrl parsed = JdbcUrl.parse(url);
        Database database = new Database(null, url, where(parsed));
        for (String name : List.of("password", "sslpassword")) {
            String secret = parsed.parameter(name);
            if (secret != null && !secret.isEmpty()) {
                database.secrets.add(secret);
            }
        }
        database.defaultTo(parsed, "connectTimeout", CONNECT_TIMEOUT_SECONDS);
        database.defaultTo(parsed, "loginTimeout", CONNECT_TIMEOUT_SECONDS);
        database.defaultTo(parsed, "socketTimeout", SOCKET_TIMEOUT_SECONDS);
        return database;
    }

    private void defaultTo(JdbcUrl parsed, String name, int seconds) {
        if (parsed.parameter(name) == null) {
            properties.setProperty(name, Integer.toString(seconds));
        }
    }

    private static String where(JdbcUrl url) {
        return "PostgreSQL at " + url.addresses().stream().map(JdbcUrl.Address::toString)
                .collect(Collectors.joining(","));
    }

    /** A new connection in auto-commit mode; the caller closes it. */
    Connection connect() throws SQLException {
        Connection connection;
        if (dataSource != null) {
            connection = dataSource.getConnection();
            learnWhere(connection);
        } else {
            connection = DriverManager.getConnection(requireUrl(), properties);
        }
        connection.setAutoCommit(true);
        return connection;
    }

    private String requireUrl() {
        if (url == null) {
            throw new IllegalStateException("neither a data source nor a URL");
        }
        return url;
    }

    private void learnWhere(Connection connection) {
        if (!where.endsWith("(the DataSource's)")) {
            return;
        }
        try {
            String text = connection.getMetaData().getURL();
            if (text != null) {
                where = where(JdbcUrl.parse(text));
            }
        } catch (SQLException | RuntimeException e) {
            // another driver, or a URL of another form: keep the vague name
        }
    }

    /** {@return what a message calls the server, such as "PostgreSQL at db:5432"} */
    String where() {
        return where;
    }

    /** {@return "{@code action}: {@code where}: the driver's first line", redacted} */
    String describe(String action, SQLException failure) {
        return action + ": " + where + ": " + firstLine(failure);
    }

    /** An IOException with {@link #describe}'s message, and a copy of the failure that is redacted as well. */
    IOException failure(String action, SQLException failure) {
        return new IOException(describe(action, failure), redacted(failure));
    }

    /** {@code text} with every secret of the URL replaced by {@code ***}. */
    String redact(String text) {
        String redacted = text;
        for (String secret : secrets) {
            redacted = redacted.replace(secret, JdbcUrl.REDACTED);
        }
        return redacted;
    }

    private String firstLine(SQLException failure) {
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            message = failure.getClass().getSimpleName();
        }
        int end = message.indexOf('\n');
        String line = (end < 0 ? message : message.substring(0, end)).strip();
        Throwable cause = failure.getCause();
        if (cause != null && !(cause instanceof SQLException) && cause.getMessage() != null) {
            line += " (" + cause.getMessage() + ")";
        }
        return redact(line);
    }

    /** The failure as a new exception: its first line, its SQLState, its stack, and a non-SQL cause. */
    private SQLException redacted(SQLException failure) {
        Throwable cause = failure.getCause();
        SQLException copy = new SQLException(firstLine(failure), failure.getSQLState(), failure.getErrorCode(),
                cause instanceof SQLException ? null : cause);
        copy.setStackTrace(failure.getStackTrace());
        return copy;
    }

    @Override
    public String toString() {
        return url == null ? where : redact(JdbcUrl.parse(url).toString());
    }
}
