package io.github.netatmotoken.jdbc;

import io.github.netatmotoken.core.Token;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The token table on PostgreSQL: its layout and every statement the store runs, each one statement on a connection
 * the caller owns. One row per key:
 *
 * <pre>
 * token_key text primary key        the account (the client id)
 * generation bigint                 0: no token yet (a row made by a lease); +1 with every write
 * access_token, refresh_token text  null when missing
 * expiry text                       ISO-8601 (Instant.toString), so that nanoseconds come back exactly
 * lease_holder text, lease_until timestamptz            the lease, on the database's clock
 * intent_generation, intent_holder, intent_at           the last refreshing(): who spent which generation, when
 * lost_generation, lost_holder, lost_at                 an intent that a later refreshing() found unfinished
 * </pre>
 *
 * <p>Every write sends {@code pg_notify(channel, "generation key")} in the same statement, so that the
 * notification goes out exactly when the write commits. Identifiers are validated, folded to lower case as
 * PostgreSQL folds unquoted names, and quoted; every value is a bind parameter. Immutable and thread-safe.
 */
final class TokenTable {
    static final String DEFAULT_NAME = "netatmo_token";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    /** PostgreSQL's longest channel name (NAMEDATALEN - 1). */
    private static final int MAX_CHANNEL = 63;
    private static final String TOKEN_COLUMNS = "generation, access_token, refresh_token, expiry";

    /**
     * A row's token and generation.
     *
     * @param token the token, or null when the row holds none (generation 0 or no row)
     */
    record Stored(@Nullable Token token, long generation) {
        static final Stored NONE = new Stored(null, 0);
    }

    /** Who holds the lease of a key and whether it still runs, by the database's clock. */
    record LeaseState(@Nullable String holder, @Nullable Instant until, boolean running) {
    }

    /** The intent a later refreshing() found unfinished, and the row it belongs to. */
    record Loss(Stored row, long lostGeneration, @Nullable String holder, @Nullable Instant at) {
    }

    private final String name;
    private final String quoted;
    private final String channel;
    private final int queryTimeoutSeconds;

    /**
     * @param name a table name, optionally schema-qualified ({@code app.netatmo_token})
     * @param queryTimeout how long one statement may run ({@link Statement#setQueryTimeout})
     * @throws IllegalArgumentException if {@code name} is no plain SQL identifier
     */
    TokenTable(String name, Duration queryTimeout) {
        String[] parts = name.split("\\.", -1);
        if (parts.length > 2 || !IDENTIFIER.matcher(parts[0]).matches()
                || (parts.length == 2 && !IDENTIFIER.matcher(parts[1]).matches())) {
            throw new IllegalArgumentException("The table name must be an SQL identifier (a letter or _, then"
                    + " letters, digits or _, at most 63 characters), optionally schema-qualified as"
                    + " schema.table, but is \"" + printable(name) + "\"");
        }
        this.name = name.toLowerCase(Locale.ROOT);
        StringBuilder q = new StringBuilder();
        for (String part : this.name.split("\\.", -1)) {
            q.append(q.length() == 0 ? "" : ".").append('"').append(part).append('"');
        }
        this.quoted = q.toString();
        this.channel = channelFor(this.name);
        this.queryTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, queryTimeout.toSeconds()));
    }

    private static String printable(String name) {
        String shown = name.length() > 80 ? name.substring(0, 80) + "..." : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    private static String channelFor(String table) {
        if (table.length() <= MAX_CHANNEL) {
            return table;
        }
        return table.substring(0, MAX_CHANNEL - 9) + "_" + String.format(Locale.ROOT, "%08x", table.hashCode());
    }

    /** {@return the table's name, lower case, as PostgreSQL knows it} */
    String name() {
        return name;
    }

    /** {@return the channel of the table's notifications: its name, shortened to 63 characters if longer} */
    String channel() {
        return channel;
    }

    /**
     * Creates the table if it is missing. Processes that race here take turns on an advisory lock, because two
     * concurrent {@code CREATE TABLE IF NOT EXISTS} can still collide in PostgreSQL's catalog.
     */
    void create(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        try (PreparedStatement lock = prepare(connection, "SELECT pg_advisory_xact_lock(hashtext(?))");
                Statement create = connection.createStatement()) {
            lock.setString(1, "netatmo-token " + name);
            lock.execute();
            create.setQueryTimeout(queryTimeoutSeconds);
            create.execute("CREATE TABLE IF NOT EXISTS " + quoted + " ("
                    + "token_key text PRIMARY KEY, generation bigint NOT NULL DEFAULT 0,"
                    + " access_token text, refresh_token text, expiry text,"
                    + " lease_holder text, lease_until timestamptz,"
                    + " intent_generation bigint, intent_holder text, intent_at timestamptz,"
                    + " lost_generation bigint, lost_holder text, lost_at timestamptz,"
                    + " updated_at timestamptz)");
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** {@return the row of {@code key}; {@link Stored#NONE} without one} */
    Stored load(Connection connection, String key) throws SQLException {
        try (PreparedStatement s = prepare(connection, "SELECT " + TOKEN_COLUMNS + " FROM " + quoted
                + " WHERE token_key = ?")) {
            s.setString(1, key);
            try (ResultSet row = s.executeQuery()) {
                return row.next() ? stored(row) : Stored.NONE;
            }
        }
    }

    /** {@return the generation of {@code key}'s row, 0 without one}: what polling reads */
    long generation(Connection connection, String key) throws SQLException {
        return load(connection, key).generation();
    }

    /** Stores {@code token} as a new generation, whatever the row held. */
    long save(Connection connection, String key, Token token) throws SQLException {
        String write = "INSERT INTO " + quoted + " AS t (token_key, generation, access_token, refresh_token,"
                + " expiry, updated_at) VALUES (?, 1, ?, ?, ?, now())"
                + " ON CONFLICT (token_key) DO UPDATE SET generation = t.generation + 1,"
                + " access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token,"
                + " expiry = EXCLUDED.expiry, updated_at = now()";
        try (PreparedStatement s = prepare(connection, notifying(write))) {
            s.setString(1, key);
            bindToken(s, 2, token);
            bindNotification(s, 5, key);
            return writtenGeneration(s);
        }
    }

    /** Stores {@code token} if the row holds none; {@return its generation, or -1 if the row held a token} */
    long saveIfAbsent(Connection connection, String key, Token token) throws SQLException {
        String write = "INSERT INTO " + quoted + " AS t (token_key, generation, access_token, refresh_token,"
                + " expiry, updated_at) VALUES (?, 1, ?, ?, ?, now())"
                + " ON CONFLICT (token_key) DO UPDATE SET generation = t.generation + 1,"
                + " access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token,"
                + " expiry = EXCLUDED.expiry, updated_at = now() WHERE t.generation = 0";
        try (PreparedStatement s = prepare(connection, notifying(write))) {
            s.setString(1, key);
            bindToken(s, 2, token);
            bindNotification(s, 5, key);
            return writtenGeneration(s);
        }
    }

    /**
     * Replaces the row's token with {@code fresh} if the row is at {@code expected}, or, with {@code expected}
     * null, if the row holds {@code spent}.
     *
     * @return the new generation, or -1 if the row was elsewhere
     */
    long compareAndSet(Connection connection, String key, @Nullable Long expected, Token spent, Token fresh)
            throws SQLException {
        String write = "UPDATE " + quoted + " AS t SET generation = t.generation + 1, access_token = ?,"
                + " refresh_token = ?, expiry = ?, updated_at = now() WHERE token_key = ? AND generation > 0 AND"
                + " (generation = ? OR (CAST(? AS bigint) IS NULL AND access_token IS NOT DISTINCT FROM ?"
                + " AND refresh_token IS NOT DISTINCT FROM ? AND expiry IS NOT DISTINCT FROM ?))";
        try (PreparedStatement s = prepare(connection, notifying(write))) {
            bindToken(s, 1, fresh);
            s.setString(4, key);
            if (expected == null) {
                s.setNull(5, Types.BIGINT);
                s.setNull(6, Types.BIGINT);
            } else {
                s.setLong(5, expected);
                s.setLong(6, expected);
            }
            bindToken(s, 7, spent);
            bindNotification(s, 10, key);
            return writtenGeneration(s);
        }
    }

    /**
     * Takes or renews the lease of {@code key} for {@code holder}: it is free, already {@code holder}'s, or ran out
     * by the database's clock. Creates the row (generation 0) if there is none.
     *
     * @return whether {@code holder} now holds the lease, until now() + {@code ttl}
     */
    boolean tryLease(Connection connection, String key, String holder, Duration ttl) throws SQLException {
        try (PreparedStatement s = prepare(connection, "INSERT INTO " + quoted + " AS t (token_key, generation,"
                + " lease_holder, lease_until) VALUES (?, 0, ?, now() + ? * interval '1 millisecond')"
                + " ON CONFLICT (token_key) DO UPDATE SET lease_holder = EXCLUDED.lease_holder,"
                + " lease_until = EXCLUDED.lease_until WHERE t.lease_holder IS NULL"
                + " OR t.lease_holder = EXCLUDED.lease_holder OR t.lease_until <= now()")) {
            s.setString(1, key);
            s.setString(2, holder);
            s.setLong(3, ttl.toMillis());
            return s.executeUpdate() == 1;
        }
    }

    /** Moves the deadline of {@code holder}'s lease to now() + {@code ttl}; {@return false if it is not its} */
    boolean renewLease(Connection connection, String key, String holder, Duration ttl) throws SQLException {
        try (PreparedStatement s = prepare(connection, "UPDATE " + quoted + " SET lease_until = now() + ?"
                + " * interval '1 millisecond' WHERE token_key = ? AND lease_holder = ?")) {
            s.setLong(1, ttl.toMillis());
            s.setString(2, key);
            s.setString(3, holder);
            return s.executeUpdate() == 1;
        }
    }

    /** Ends {@code holder}'s lease of {@code key}, if it still has it. */
    void releaseLease(Connection connection, String key, String holder) throws SQLException {
        try (PreparedStatement s = prepare(connection, "UPDATE " + quoted + " SET lease_holder = NULL,"
                + " lease_until = NULL WHERE token_key = ? AND lease_holder = ?")) {
            s.setString(1, key);
            s.setString(2, holder);
            s.executeUpdate();
        }
    }

    /** {@return who holds the lease of {@code key}, until when, and whether that is still ahead of now()} */
    LeaseState lease(Connection connection, String key) throws SQLException {
        try (PreparedStatement s = prepare(connection, "SELECT lease_holder, lease_until,"
                + " coalesce(lease_until > now(), false) FROM " + quoted + " WHERE token_key = ?")) {
            s.setString(1, key);
            try (ResultSet row = s.executeQuery()) {
                if (!row.next()) {
                    return new LeaseState(null, null, false);
                }
                return new LeaseState(row.getString(1), instant(row, 2), row.getBoolean(3));
            }
        }
    }

    /**
     * Records that {@code holder} is about to spend generation {@code generation} (the row's own with null); an
     * intent on that generation that is still there was never finished, so it becomes the lost record first.
     *
     * @return whether the row exists
     */
    boolean recordIntent(Connection connection, String key, @Nullable Long generation, String holder)
            throws SQLException {
        String spent = "coalesce(CAST(? AS bigint), generation)";
        String unfinished = "intent_generation = " + spent;
        try (PreparedStatement s = prepare(connection, "UPDATE " + quoted + " SET"
                + " lost_generation = CASE WHEN " + unfinished + " THEN intent_generation ELSE lost_generation END,"
                + " lost_holder = CASE WHEN " + unfinished + " THEN intent_holder ELSE lost_holder END,"
                + " lost_at = CASE WHEN " + unfinished + " THEN intent_at ELSE lost_at END,"
                + " intent_generation = " + spent + ", intent_holder = ?, intent_at = now()"
                + " WHERE token_key = ?")) {
            for (int i = 1; i <= 4; i++) {
                if (generation == null) {
                    s.setNull(i, Types.BIGINT);
                } else {
                    s.setLong(i, generation);
                }
            }
            s.setString(5, holder);
            s.setString(6, key);
            return s.executeUpdate() == 1;
        }
    }

    /** {@return the row and its lost record, if the row exists} */
    Optional<Loss> loss(Connection connection, String key) throws SQLException {
        try (PreparedStatement s = prepare(connection, "SELECT " + TOKEN_COLUMNS + ", lost_generation,"
                + " lost_holder, lost_at FROM " + quoted + " WHERE token_key = ?")) {
            s.setString(1, key);
            try (ResultSet row = s.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                long lost = row.getLong(5);
                if (row.wasNull()) {
                    lost = -1;
                }
                return Optional.of(new Loss(stored(row), lost, row.getString(6), instant(row, 7)));
            }
        }
    }

    private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setQueryTimeout(queryTimeoutSeconds);
        return statement;
    }

    /** Wraps a write that ends before RETURNING into one that also notifies, for each row it wrote. */
    private static String notifying(String write) {
        return "WITH w AS (" + write + " RETURNING t.generation)"
                + " SELECT w.generation, pg_notify(?, w.generation || ' ' || ?) FROM w";
    }

    private void bindNotification(PreparedStatement s, int index, String key) throws SQLException {
        s.setString(index, channel);
        s.setString(index + 1, key);
    }

    private static long writtenGeneration(PreparedStatement s) throws SQLException {
        try (ResultSet row = s.executeQuery()) {
            return row.next() ? row.getLong(1) : -1;
        }
    }

    private static void bindToken(PreparedStatement s, int index, Token token) throws SQLException {
        s.setString(index, token.accessToken());
        s.setString(index + 1, token.refreshToken());
        Instant expiry = token.expiry();
        s.setString(index + 2, expiry == null ? null : expiry.toString());
    }

    private static Stored stored(ResultSet row) throws SQLException {
        long generation = row.getLong(1);
        if (generation <= 0) {
            return Stored.NONE;
        }
        String expiry = row.getString(4);
        try {
            return new Stored(new Token(row.getString(2), row.getString(3),
                    expiry == null ? null : Instant.parse(expiry)), generation);
        } catch (DateTimeParseException e) {
            throw new SQLException("the stored expiry is no ISO-8601 instant such as 2026-12-02T10:00:00Z");
        }
    }

    private static @Nullable Instant instant(ResultSet row, int column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    @Override
    public String toString() {
        return name;
    }
}
