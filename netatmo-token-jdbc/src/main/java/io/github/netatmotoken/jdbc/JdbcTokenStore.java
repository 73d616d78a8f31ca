package io.github.netatmotoken.jdbc;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Token;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SharedTokenStore} in a PostgreSQL table: processes on several hosts that share one NetAtmo account keep
 * its token in one row, take turns refreshing it under a lease, and hear of each other's writes by
 * {@code LISTEN/NOTIFY}. PostgreSQL is the safer engine of the two this project ships, because a write is durable
 * once it is committed: a refresh token that NetAtmo rotated is never lost to a server restart.
 *
 * <pre>{@code
 * SharedTokenStore store = JdbcTokenStore.builder()
 *         .dataSource(dataSource)   // the application's pool, or .url("jdbc:postgresql://db:5432/app?user=u&password=p")
 *         .key(clientId)            // one row per account
 *         .build();                 // creates the table netatmo_token if it is missing
 * RefreshingTokenSource tokens = RefreshingTokenSource.builder().store(store).client(client).build();
 * }</pre>
 *
 * <p>How it keeps the contract of {@link SharedTokenStore}:
 * <ul>
 *   <li>The lease is the row's {@code lease_holder} and {@code lease_until}, a deadline computed by the database's
 *       {@code now()}, so that the hosts' clocks do not matter. It is renewed every third of its time to live while
 *       held. A waiter tries again every 20 to 50 ms.</li>
 *   <li>Every write adds one to the row's {@code generation}; {@link #saveRefreshed} is an {@code UPDATE ... WHERE
 *       generation = ?} on the generation this store read with the spent token, and is retried on a new connection
 *       for at most the write timeout.</li>
 *   <li>Every write sends {@code pg_notify} on a channel named after the table, in the same statement. The store
 *       keeps one connection of its own that listens (from the first {@link #subscribe}), and reads the generation
 *       every poll interval on it, so that a lost notification delays a callback by one interval at most.</li>
 * </ul>
 *
 * <p>With a {@link DataSource}, configure its timeouts (for PgJDBC {@code connectTimeout}, {@code socketTimeout}),
 * because a connection that hangs can only end by them; the store sets a query timeout on every statement. With a
 * URL the store sets connect, login and socket timeouts that the URL does not set itself. No password or token value
 * appears in a message, a log line, {@link #toString()} or {@link #problem()}.
 *
 * <p>Thread-safe. One lease per store: a second thread of the same process that calls {@link #lock(Duration)}
 * waits like another process would.
 */
public final class JdbcTokenStore implements SharedTokenStore {
    /** How long {@link #lock()} waits for another holder, as a token file's lock does. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(JdbcTokenStore.class);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final int MAX_KEY_LENGTH = 200;
    private static final int MAX_HOLDER_LENGTH = 200;
    private static final long FIRST_RETRY_MILLIS = 50;
    private static final long MAX_RETRY_MILLIS = 1_000;

    /** A token this store read or wrote, with its generation: the expected generation of a refresh of it. */
    private record Seen(Token token, long generation) {
    }

    private final Database database;
    private final TokenTable table;
    private final String key;
    private final String holder;
    private final Duration leaseTtl;
    private final Duration pollInterval;
    private final boolean notifications;
    private final Duration writeTimeout;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Semaphore localLease = new Semaphore(1);
    private final Set<Lease> leases = ConcurrentHashMap.newKeySet();
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicLong newestGeneration = new AtomicLong(-1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Lease.Owner leaseOwner = new Lease.Owner() {
        @Override
        public Connection connect() throws SQLException {
            return database.connect();
        }

        @Override
        public void failed(String description) {
            problem = description;
        }

        @Override
        public void worked() {
            problem = null;
        }

        @Override
        public void ended(Lease lease) {
            leases.remove(lease);
            localLease.release();
        }
    };
    private volatile @Nullable Seen seen;
    private volatile @Nullable String problem;
    /** Guarded by {@code this}; started by the first subscription. */
    private @Nullable ChangeListener listener;

    private JdbcTokenStore(Builder builder, Database database) {
        this.database = database;
        this.table = new TokenTable(builder.table, QUERY_TIMEOUT);
        this.key = Objects.requireNonNull(builder.key);
        this.holder = builder.holderName == null ? defaultHolderName() : builder.holderName;
        this.leaseTtl = builder.leaseTtl;
        this.pollInterval = builder.pollInterval;
        this.notifications = builder.notifications;
        this.writeTimeout = builder.writeTimeout;
        this.scheduler = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "netatmo-token-jdbc-lease-renewal");
            thread.setDaemon(true);
            return thread;
        });
        this.scheduler.setRemoveOnCancelPolicy(true);
    }

    /** {@return a builder; {@link Builder#key(String)} and a data source or URL are required} */
    public static Builder builder() {
        return new Builder();
    }

    private void start() throws IOException {
        try (Connection c = database.connect()) {
            table.create(c);
            newestGeneration.accumulateAndGet(table.generation(c, key), Math::max);
        } catch (SQLException e) {
            scheduler.shutdownNow();
            throw database.failure("cannot create or read the table " + table, e);
        }
    }

    @Override
    public Optional<Token> load() throws IOException {
        TokenTable.Stored row = call("cannot load the token of key " + key, c -> table.load(c, key));
        remember(row.token(), row.generation());
        return Optional.ofNullable(row.token());
    }

    @Override
    public void save(Token token) throws IOException {
        Objects.requireNonNull(token, "token");
        long generation = call("cannot save the token of key " + key, c -> table.save(c, key, token));
        remember(token, generation);
    }

    @Override
    public boolean saveIfAbsent(Token token) throws IOException {
        Objects.requireNonNull(token, "token");
        long generation = call("cannot seed the token of key " + key, c -> table.saveIfAbsent(c, key, token));
        if (generation < 0) {
            return false;
        }
        remember(token, generation);
        return true;
    }

    @Override
    public boolean saveRefreshed(Token spent, Token fresh) throws IOException {
        Objects.requireNonNull(spent, "spent");
        Objects.requireNonNull(fresh, "fresh");
        Long expected = expectedGeneration(spent);
        long deadline = System.nanoTime() + writeTimeout.toNanos();
        long backoff = FIRST_RETRY_MILLIS;
        for (int attempt = 1; ; attempt++) {
            checkOpen();
            try (Connection c = database.connect()) {
                long generation = table.compareAndSet(c, key, expected, spent, fresh);
                TokenTable.Stored row = generation < 0 ? table.load(c, key) : new TokenTable.Stored(fresh, generation);
                problem = null;
                remember(row.token(), row.generation());
                return fresh.equals(row.token()); // also true for the retry of a write that had landed
            } catch (SQLException e) {
                String description = database.describe("cannot store the refreshed token of key " + key
                        + " (attempt " + attempt + ")", e);
                problem = description;
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IOException(description + "; gave up after " + writeTimeout.toMillis() + " ms: the"
                            + " refreshed token is not stored yet, keep it and try again",
                            database.failure("store", e).getCause());
                }
                LOG.warn("{}; trying again on a new connection for {} ms more", description, left);
                sleep(Math.min(left, backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1)),
                        "interrupted while retrying to store the refreshed token of key " + key);
                backoff = Math.min(backoff * 2, MAX_RETRY_MILLIS);
            }
        }
    }

    private @Nullable Long expectedGeneration(Token spent) {
        Seen last = seen;
        return last != null && last.token().equals(spent) ? last.generation() : null;
    }

    /** Takes the lease as {@link #lock(Duration)} does, waiting at most 30 seconds for another holder. */
    @Override
    public Lock lock() throws IOException {
        return lock(LOCK_WAIT);
    }

    @Override
    public Lock lock(Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, but is " + timeout);
        }
        checkOpen();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try {
            if (!localLease.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("the lease of key " + key + " is held by another thread of this process ("
                        + holder + "); waited " + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the lease of key " + key);
        }
        boolean taken = false;
        try (Connection c = database.connect()) {
            while (true) {
                checkOpen();
                if (table.tryLease(c, key, holder, leaseTtl)) {
                    problem = null;
                    Lease lease = new Lease(table, database, key, holder, leaseTtl, leaseOwner, scheduler);
                    leases.add(lease);
                    taken = true;
                    return lease;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    TokenTable.LeaseState state = table.lease(c, key);
                    problem = null;
                    throw new IOException("the lease of key " + key + " in table " + table + " is held by "
                            + state.holder() + " until " + state.until() + " (the database's clock); waited "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
                }
                sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, waitTurn()),
                        "interrupted while waiting for the lease of key " + key);
            }
        } catch (SQLException e) {
            problem = database.describe("cannot take the lease of key " + key, e);
            throw database.failure("cannot take the lease of key " + key, e);
        } finally {
            if (!taken) {
                localLease.release();
            }
        }
    }

    @Override
    public void refreshing(Token spent) throws IOException {
        Objects.requireNonNull(spent, "spent");
        Long generation = expectedGeneration(spent);
        boolean recorded = call("cannot record the refresh intent of key " + key,
                c -> table.recordIntent(c, key, generation, holder));
        if (!recorded) {
            throw new IOException("no token is stored for key " + key + " in table " + table + ", nothing to refresh");
        }
    }

    @Override
    public Optional<Token> awaitNewer(Token spent, Duration timeout) throws IOException {
        Objects.requireNonNull(spent, "spent");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        checkOpen();
        try (Connection c = database.connect()) {
            while (true) {
                TokenTable.Stored row = table.load(c, key);
                if (!spent.equals(row.token())) {
                    problem = null;
                    remember(row.token(), row.generation());
                    return Optional.ofNullable(row.token());
                }
                TokenTable.LeaseState lease = table.lease(c, key);
                problem = null;
                long left = deadline - System.nanoTime();
                boolean otherRefreshing = lease.running() && !holder.equals(lease.holder());
                if (!otherRefreshing || left <= 0) {
                    return Optional.empty();
                }
                sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, waitTurn()),
                        "interrupted while waiting for a newer token of key " + key);
            }
        } catch (SQLException e) {
            problem = database.describe("cannot read the token of key " + key, e);
            throw database.failure("cannot read the token of key " + key, e);
        }
    }

    @Override
    public Optional<String> lossExplanation(Token spent) {
        Objects.requireNonNull(spent, "spent");
        if (closed.get()) {
            return Optional.empty();
        }
        try (Connection c = database.connect()) {
            Optional<TokenTable.Loss> loss = table.loss(c, key);
            problem = null;
            return loss.filter(l -> spent.equals(l.row().token()) && l.lostGeneration() == l.row().generation())
                    .map(l -> "the token chain was lost while " + l.holder() + " was refreshing it at " + l.at());
        } catch (SQLException e) {
            problem = database.describe("cannot read the refresh intent of key " + key, e);
            return Optional.empty();
        }
    }

    @Override
    public Subscription subscribe(Runnable onChange) {
        Objects.requireNonNull(onChange, "onChange");
        Subscriber subscriber = new Subscriber(onChange);
        if (closed.get()) {
            return () -> { };
        }
        if (newestGeneration.get() < 0) {
            try (Connection c = database.connect()) {
                newestGeneration.accumulateAndGet(table.generation(c, key), Math::max);
            } catch (SQLException e) {
                problem = database.describe("cannot read the generation of key " + key, e);
            }
        }
        subscribers.add(subscriber);
        synchronized (this) {
            if (listener == null && !closed.get()) {
                ChangeListener started = new ChangeListener(database, table, key, "netatmo-token " + holder,
                        pollInterval, notifications, this::observed, new ChangeListener.Health() {
                            @Override
                            public void failed(String description) {
                                problem = description;
                            }

                            @Override
                            public void working() {
                                problem = null;
                            }
                        });
                started.start();
                listener = started;
            }
        }
        return subscriber;
    }

    /** The listener saw {@code generation}: news if it is past every generation this store knows of. */
    private void observed(long generation) {
        long before = newestGeneration.getAndAccumulate(generation, Math::max);
        if (generation > before) {
            for (Subscriber s : subscribers) {
                try {
                    s.onChange.run();
                } catch (RuntimeException e) {
                    LOG.warn("A change callback of key {} failed", key, e);
                }
            }
        }
    }

    @Override
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /**
     * Stops the listener and the renewals, releases the leases this store holds (waiting at most two seconds for
     * the database) and closes the listener's connection. Closing twice does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopListener();
        Future<?> released = scheduler.submit(() -> {
            for (Lease lease : List.copyOf(leases)) {
                try {
                    lease.close();
                } catch (IOException e) {
                    LOG.warn("{}", e.getMessage());
                }
            }
        });
        try {
            released.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("Closing the store of key {} did not release its lease within {} ms; it runs out by itself",
                    key, CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
    }

    /** Dies as a killed process would: no release, no renewal, no listener; the leases run out by themselves. */
    void crash() {
        closed.set(true);
        List.copyOf(leases).forEach(Lease::stop);
        scheduler.shutdownNow();
        stopListener();
    }

    private void stopListener() {
        ChangeListener stopping;
        synchronized (this) {
            stopping = listener;
            listener = null;
        }
        if (stopping != null) {
            stopping.close();
        }
    }

    /** {@return the change listener, once a subscription started it} */
    synchronized @Nullable ChangeListener listener() {
        return listener;
    }

    /** {@return the holder name this store writes into the lease and the intent} */
    String holder() {
        return holder;
    }

    /** Names the key, the table, the holder and the server, never a password. */
    @Override
    public String toString() {
        return "JdbcTokenStore[key=" + key + ", table=" + table + ", holder=" + holder + ", "
                + database.where() + "]";
    }

    private void remember(@Nullable Token token, long generation) {
        if (token != null) {
            seen = new Seen(token, generation);
        }
        newestGeneration.accumulateAndGet(generation, Math::max);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the token store of key " + key + " is closed");
        }
    }

    /** One statement's worth of work on a connection of its own. */
    @FunctionalInterface
    private interface SqlCall<T> {
        T on(Connection connection) throws SQLException;
    }

    private <T> T call(String failure, SqlCall<T> call) throws IOException {
        checkOpen();
        try (Connection c = database.connect()) {
            T result = call.on(c);
            problem = null;
            return result;
        } catch (SQLException e) {
            problem = database.describe(failure, e);
            throw database.failure(failure, e);
        }
    }

    private static long waitTurn() {
        return 20 + ThreadLocalRandom.current().nextLong(31);
    }

    private static void sleep(long millis, String interrupted) throws InterruptedIOException {
        try {
            TimeUnit.MILLISECONDS.sleep(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(interrupted);
        }
    }

    private static String defaultHolderName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        byte[] suffix = new byte[2];
        ThreadLocalRandom.current().nextBytes(suffix);
        return ProcessHandle.current().pid() + "@" + host + "-" + HexFormat.of().formatHex(suffix);
    }

    /** A subscription; closing it twice does nothing. */
    private final class Subscriber implements Subscription {
        private final Runnable onChange;

        Subscriber(Runnable onChange) {
            this.onChange = onChange;
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }

    /**
     * Configures a {@link JdbcTokenStore}. Not thread-safe; {@link #build()} may be called more than once.
     *
     * <p>Defaults:
     * <ul>
     *   <li>table {@code netatmo_token}</li>
     *   <li>lease time to live 15 s, renewed every 5 s while held</li>
     *   <li>poll interval 5 s</li>
     *   <li>notifications on ({@code LISTEN/NOTIFY})</li>
     *   <li>write timeout 10 s</li>
     *   <li>holder name: process id, {@code @}, host name and a short random suffix, such as
     *       {@code 4711@host-b-3fa2}</li>
     * </ul>
     */
    public static final class Builder {
        private @Nullable DataSource dataSource;
        private @Nullable String url;
        private @Nullable String key;
        private String table = TokenTable.DEFAULT_NAME;
        private Duration leaseTtl = Duration.ofSeconds(15);
        private Duration pollInterval = Duration.ofSeconds(5);
        private boolean notifications = true;
        private Duration writeTimeout = Duration.ofSeconds(10);
        private @Nullable String holderName;

        private Builder() {
        }

        /**
         * Required, or {@link #url(String)}: where connections come from, normally the application's pool. The
         * store takes one connection per operation and keeps one for its change listener. Configure the data
         * source's connect and socket timeouts, so that an unreachable database fails instead of hangs.
         *
         * @param dataSource the data source of the database that holds the table
         * @return this builder
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.url = null;
            return this;
        }

        /**
         * Required, or {@link #dataSource(DataSource)}: a PostgreSQL JDBC URL for {@link java.sql.DriverManager},
         * such as {@code jdbc:postgresql://db:5432/app?user=app&password=secret}. The application brings the driver.
         * Unless the URL sets them, the store sets {@code connectTimeout} and {@code loginTimeout} to 3 s and
         * {@code socketTimeout} to 30 s.
         *
         * @param url the URL; its password never appears in a message
         * @return this builder
         * @throws IllegalArgumentException if it is no PostgreSQL JDBC URL (the message quotes no password)
         */
        public Builder url(String url) {
            JdbcUrl.parse(url);
            this.url = url;
            this.dataSource = null;
            return this;
        }

        /**
         * Required: the row's key, normally the NetAtmo client id, so that several accounts share one table.
         *
         * @param key from 1 to 200 characters
         * @return this builder
         */
        public Builder key(String key) {
            Objects.requireNonNull(key, "key");
            if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
                throw new IllegalArgumentException("key must have from 1 to " + MAX_KEY_LENGTH
                        + " characters and not be blank, but has " + key.length());
            }
            this.key = key;
            return this;
        }

        /**
         * Optional: the table, {@code netatmo_token} by default; created by {@link #build()} if missing.
         *
         * @param table an SQL identifier, optionally schema-qualified ({@code app.netatmo_token}); unquoted, so
         *     PostgreSQL folds it to lower case
         * @return this builder
         * @throws IllegalArgumentException if it is no such identifier
         */
        public Builder table(String table) {
            Objects.requireNonNull(table, "table");
            new TokenTable(table, QUERY_TIMEOUT);
            this.table = table;
            return this;
        }

        /**
         * Optional: how long a lease lasts without renewal, 15 s by default: how long a crashed holder blocks the
         * others.
         *
         * @param leaseTtl at least 100 ms
         * @return this builder
         */
        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = atLeast(leaseTtl, Duration.ofMillis(100), "leaseTtl");
            return this;
        }

        /**
         * Optional: how often the change listener reads the generation, 5 s by default: the longest delay of a
         * change whose notification was lost.
         *
         * @param pollInterval at least 10 ms
         * @return this builder
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = atLeast(pollInterval, Duration.ofMillis(10), "pollInterval");
            return this;
        }

        /**
         * Optional: whether the change listener uses {@code LISTEN/NOTIFY}, {@code true} by default. With
         * {@code false} it only reads the generation every {@link #pollInterval poll interval}, so another process's
         * token arrives up to that much later: for a connection pooler that cannot {@code LISTEN} (PgBouncer in
         * transaction mode), or to measure polling alone (BENCHMARKS.md, section 7).
         *
         * @param notifications {@code false} to poll only
         * @return this builder
         */
        public Builder notifications(boolean notifications) {
            this.notifications = notifications;
            return this;
        }

        /**
         * Optional: how long {@link JdbcTokenStore#saveRefreshed} retries a failed write, 10 s by default.
         *
         * @param writeTimeout zero (one attempt) or more
         * @return this builder
         */
        public Builder writeTimeout(Duration writeTimeout) {
            this.writeTimeout = atLeast(writeTimeout, Duration.ZERO, "writeTimeout");
            return this;
        }

        /**
         * Optional: who this process is in the lease and in a loss explanation; by default its process id, host
         * name and a short random suffix, so that two stores in one JVM differ.
         *
         * @param holderName from 1 to 200 characters
         * @return this builder
         */
        public Builder holderName(String holderName) {
            Objects.requireNonNull(holderName, "holderName");
            if (holderName.isBlank() || holderName.length() > MAX_HOLDER_LENGTH) {
                throw new IllegalArgumentException("holderName must have from 1 to " + MAX_HOLDER_LENGTH
                        + " characters and not be blank, but has " + holderName.length());
            }
            this.holderName = holderName;
            return this;
        }

        /**
         * Connects, creates the table if it is missing ({@code CREATE TABLE IF NOT EXISTS}, safe when several
         * processes start at once) and returns the store.
         *
         * @return the store; close it when done
         * @throws IllegalStateException if no key, or neither a data source nor a URL, was given
         * @throws IOException if the database cannot be reached or the table cannot be created
         */
        public JdbcTokenStore build() throws IOException {
            if (key == null) {
                throw new IllegalStateException("call key(...) with the NetAtmo client id before build()");
            }
            Database database;
            if (dataSource != null) {
                database = Database.of(dataSource);
            } else if (url != null) {
                database = Database.of(url);
            } else {
                throw new IllegalStateException("call dataSource(...) or url(\"jdbc:postgresql://...\") before"
                        + " build()");
            }
            JdbcTokenStore store = new JdbcTokenStore(this, database);
            store.start();
            return store;
        }

        private static Duration atLeast(Duration value, Duration minimum, String name) {
            Objects.requireNonNull(value, name);
            if (value.compareTo(minimum) < 0) {
                throw new IllegalArgumentException(name + " must be at least " + minimum.toMillis() + " ms, but is "
                        + value.toMillis() + " ms");
            }
            return value;
        }
    }
}
