package io.github.netatmotoken.redis;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Token;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * A {@link SharedTokenStore} in Redis, for processes on several hosts that share one NetAtmo account: the token
 * is one hash, every compare-and-set is one Lua script, the lease is a key with a deadline on Redis's own clock, and
 * every write is announced on a channel.
 *
 * <pre>{@code
 * RedisTokenStore store = RedisTokenStore.builder()
 *         .url("redis://app:secret@cache:6379/0")   // rediss:// for TLS
 *         .key(clientId)
 *         .build();
 * RefreshingTokenSource tokens = RefreshingTokenSource.builder().store(store).client(client).build();
 * }</pre>
 *
 * <p>In Redis, for the prefix {@code netatmo-token:} and the key {@code client-id}:
 * <ul>
 *   <li>{@code netatmo-token:client-id}: a hash with the token, its {@code generation} and the records of
 *       {@link #refreshing} (who was about to spend which generation, and when);</li>
 *   <li>{@code netatmo-token:client-id:lease}: the lease, {@code SET NX PX} with the holder's name and a random
 *       token, renewed every third of its time to live by a script that checks it is still ours, and deleted by
 *       one that checks the same when the {@link Lock} is closed;</li>
 *   <li>{@code netatmo-token:client-id:changed}: the channel on which each write publishes its generation, from
 *       inside its script. One connection of the store's listens to it (unless
 *       {@link Builder#notifications notifications} are off); the store also reads the generation every
 *       {@link Builder#pollInterval poll interval} while anybody is subscribed, because messages are lost while
 *       that connection is down, and a connection can die without either side noticing.</li>
 * </ul>
 *
 * <p>Redis acknowledges a write before it is on disk unless the server runs with {@code appendonly yes} and
 * {@code appendfsync always}; a token that Redis lost in a restart is a lost token chain (NetAtmo has already
 * invalidated the one before), and only a new authorization helps then. See the README.
 *
 * <p>No password and no token value appear in a log line, an exception, {@link #problem()} or {@link #toString()}.
 * Thread-safe.
 */
public final class RedisTokenStore implements SharedTokenStore {
    private static final Logger log = LoggerFactory.getLogger(RedisTokenStore.class);
    private static final long UNKNOWN = -1;
    /** What {@link #lock()} waits at most: as long as other holders renew their leases, practically. */
    /** The lease's key is the hash's key with this suffix. */
    private static final String LEASE_SUFFIX = ":lease";
    /** How long {@link #lock()} waits for another holder, as a token file's lock does. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);
    private static final Duration FIRST_RETRY = Duration.ofMillis(50);
    private static final Duration LAST_RETRY = Duration.ofSeconds(1);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RedisUrl url;
    /** "Redis at host:port", for messages. */
    private final String where;
    private final String hashKey;
    private final String leaseKey;
    private final String channel;
    private final String holder;
    private final Duration leaseTtl;
    private final Duration writeTimeout;
    private final Duration pollInterval;
    private final boolean notifications;
    private final UnifiedJedis redis;
    private final Scripts scripts = new Scripts();
    private final ScheduledExecutorService scheduler;
    private final ChangeSubscriber subscriber;
    private final List<Registration> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicBoolean watching = new AtomicBoolean();
    private final Set<Lease> held = ConcurrentHashMap.newKeySet();
    /** The token this store last read or wrote, with its generation: what {@link #saveRefreshed} compares. */
    private final AtomicReference<@Nullable Seen> seen = new AtomicReference<>();
    /** The newest generation this store knows of, for telling the subscribers about another one. */
    private final AtomicLong knownGeneration = new AtomicLong(UNKNOWN);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile @Nullable String problem;
    private volatile @Nullable ScheduledFuture<?> polling;

    private record Seen(Token token, long generation) {
    }

    private RedisTokenStore(Builder builder, RedisUrl url, String key) {
        this.url = url;
        this.where = "Redis at " + (url.host().indexOf(':') >= 0 ? "[" + url.host() + "]" : url.host()) + ":"
                + url.port() + (url.tls() ? " (TLS)" : "") + (url.database() == 0 ? "" : " database "
                + url.database());
        this.hashKey = builder.keyPrefix + key;
        this.leaseKey = hashKey + LEASE_SUFFIX;
        this.channel = hashKey + ":changed";
        this.holder = builder.holderName != null ? builder.holderName : defaultHolderName();
        this.leaseTtl = builder.leaseTtl;
        this.writeTimeout = builder.writeTimeout;
        this.pollInterval = builder.pollInterval;
        this.notifications = builder.notifications;
        String clientName = holder.replaceAll("[^A-Za-z0-9@._:-]", "_");
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(8);
        pool.setMaxWait(builder.timeout);
        pool.setJmxEnabled(false);
        this.redis = RedisClient.builder()
                .hostAndPort(new HostAndPort(url.host(), url.port()))
                .clientConfig(clientConfig(url, builder.timeout, "netatmo-token:" + clientName))
                .poolConfig(pool)
                .build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "netatmo-token-redis-" + clientName);
            thread.setDaemon(true);
            return thread;
        });
        JedisClientConfig subscriberConfig = clientConfig(url, builder.timeout,
                "netatmo-token-changes:" + clientName);
        HostAndPort address = new HostAndPort(url.host(), url.port());
        this.subscriber = new ChangeSubscriber(() -> new Jedis(address, subscriberConfig), channel, where,
                "netatmo-token-redis-changes-" + clientName, this::announced, this::checkGeneration,
                builder.subscriberBackoff, builder.pollInterval.multipliedBy(2));
    }

    /** {@return a builder; {@link Builder#url} and {@link Builder#key} are required} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Optional<Token> load() throws IOException {
        TokenHash hash = read();
        remember(hash.token(), hash.generation());
        return Optional.ofNullable(hash.token());
    }

    @Override
    public void save(Token token) throws IOException {
        Objects.requireNonNull(token, "token");
        long generation = call("store the token", r -> scripts.save(r, hashKey, channel, token));
        remember(token, generation);
    }

    @Override
    public boolean saveIfAbsent(Token token) throws IOException {
        Objects.requireNonNull(token, "token");
        long generation = call("seed the token", r -> scripts.saveIfAbsent(r, hashKey, channel, token));
        if (generation == 0) {
            return false;
        }
        remember(token, generation);
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The compare is on the generation at which this store read {@code spent}; a store that never read it
     * compares {@code spent}'s refresh token with the stored one instead. A failed attempt is retried on a new
     * connection, 50 ms doubling to 1 s apart, for {@link Builder#writeTimeout} at most.
     */
    @Override
    public boolean saveRefreshed(Token spent, Token fresh) throws IOException {
        Objects.requireNonNull(spent, "spent");
        Objects.requireNonNull(fresh, "fresh");
        Seen last = seen.get();
        Long expected = last != null && last.token().equals(spent) ? last.generation() : null;
        long deadline = System.nanoTime() + writeTimeout.toNanos();
        long pause = FIRST_RETRY.toNanos();
        while (true) {
            checkOpen();
            try {
                Scripts.Outcome outcome = scripts.saveRefreshed(redis, hashKey, channel, expected,
                        spent.refreshToken(), fresh);
                problem = null;
                if (outcome.stored()) {
                    remember(fresh, outcome.generation());
                }
                return outcome.stored();
            } catch (JedisDataException e) {
                throw failure("store the refreshed token", e);
            } catch (JedisException e) {
                IOException failure = failure("store the refreshed token", e);
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException(failure.getMessage() + "; retried for " + writeTimeout.toMillis()
                            + " ms: the refreshed token is not stored yet, keep it and try again", e);
                }
                log.debug("{}; retrying", failure.getMessage());
                sleep(Math.min(pause, left), "retrying to store the refreshed token");
                pause = Math.min(pause * 2, LAST_RETRY.toNanos());
            }
        }
    }

    /** Takes the lease as {@link #lock(Duration)} does, waiting at most 30 seconds for another holder. */
    @Override
    public Lock lock() throws IOException {
        return lock(LOCK_WAIT);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The lease lives {@link Builder#leaseTtl} on Redis's clock and is renewed every third of that while held.
     * A waiter tries again every 20 to 50 ms. A lease is not reentrant: a second {@code lock} of the same store
     * waits for the first to be closed.
     *
     * @throws IOException if another holder kept it for {@code timeout} (the message names the holder), or if
     *     Redis cannot be reached
     */
    @Override
    public Lock lock(Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, but is " + timeout);
        }
        String value = holder + " " + HexFormat.of().formatHex(randomBytes(8));
        SetParams ifAbsent = SetParams.setParams().nx().px(leaseTtl.toMillis());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String answer = call("take the lease " + leaseKey, r -> r.set(leaseKey, value, ifAbsent));
            if ("OK".equals(answer)) {
                Lease lease = new Lease(value);
                held.add(lease);
                lease.startRenewal();
                return lease;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String current = call("read the lease " + leaseKey, r -> r.get(leaseKey));
                throw new IOException("The lease " + leaseKey + " in " + where + " is held by "
                        + (current == null ? "another process (it has just let go)" : holderOf(current))
                        + "; gave up waiting after " + timeout.toMillis() + " ms. A holder that died lets go"
                        + " when its lease runs out (" + leaseTtl.toMillis() + " ms with this store's setting)");
            }
            long jitter = TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextLong(20, 51));
            sleep(Math.min(jitter, left), "waiting for the lease " + leaseKey);
        }
    }

    @Override
    public void refreshing(Token spent) throws IOException {
        Objects.requireNonNull(spent, "spent");
        Seen last = seen.get();
        Long generation = last != null && last.token().equals(spent) ? last.generation() : null;
        call("record the refresh intent", r -> scripts.refreshing(r, hashKey, generation, holder));
    }

    @Override
    public Optional<Token> awaitNewer(Token spent, Duration timeout) throws IOException {
        Objects.requireNonNull(spent, "spent");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            // The lease first: if it was free and the token is still spent afterwards, nobody was refreshing.
            String lease = call("read the lease " + leaseKey, r -> r.get(leaseKey));
            Optional<Token> stored = load();
            if (!stored.equals(Optional.of(spent))) {
                return stored;
            }
            boolean heldByOther = lease != null && !lease.startsWith(holder + " ");
            long left = deadline - System.nanoTime();
            if (!heldByOther || left <= 0) {
                return Optional.empty();
            }
            long jitter = TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextLong(20, 51));
            sleep(Math.min(jitter, left), "waiting for the lease " + leaseKey);
        }
    }

    @Override
    public Optional<String> lossExplanation(Token spent) {
        Objects.requireNonNull(spent, "spent");
        TokenHash hash;
        try {
            hash = read();
        } catch (IOException e) {
            log.debug("cannot explain the lost chain: {}", e.getMessage());
            return Optional.empty();
        }
        if (!spent.equals(hash.token()) || hash.lostGeneration() != hash.generation()) {
            return Optional.empty();
        }
        return Optional.of("the token chain was lost while " + hash.lostHolder() + " was refreshing it at "
                + hash.lostAt() + " (generation " + hash.generation() + " in " + where + ")");
    }

    /**
     * {@inheritDoc}
     *
     * <p>The first subscription starts the listening connection and the polling; both run until {@link #close()}.
     */
    @Override
    public Subscription subscribe(Runnable onChange) {
        Objects.requireNonNull(onChange, "onChange");
        checkOpen();
        Registration registration = new Registration(onChange);
        subscriptions.add(registration);
        if (watching.compareAndSet(false, true)) {
            checkGeneration(); // the baseline: what is there now is not news
            if (notifications) {
                subscriber.start();
            }
            polling = scheduler.scheduleWithFixedDelay(this::checkGeneration, pollInterval.toMillis(),
                    pollInterval.toMillis(), TimeUnit.MILLISECONDS);
            log.debug("watching {} in {}; polling every {} ms", channel, where, pollInterval.toMillis());
        }
        return registration;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Also the listening connection's: while it is down, "the change notifications from Redis at … stopped".
     */
    @Override
    public Optional<String> problem() {
        String mine = problem;
        return Optional.ofNullable(mine != null ? mine : watching.get() ? subscriber.problem() : null);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Releases the leases this store holds (one attempt each), stops the listening and renewing threads and
     * closes the connections. With Redis unreachable it takes at most about the {@link Builder#timeout} per held
     * lease, plus a second.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Lease lease : held) {
            lease.stopRenewal();
            try {
                lease.releaseOnce();
            } catch (JedisException e) {
                log.warn("{}", failure("release the lease " + leaseKey + " while closing (it runs out by itself"
                        + " within " + leaseTtl.toMillis() + " ms)", e).getMessage());
            }
        }
        held.clear();
        shutDown();
    }

    /** Dies as a killed process would: stops renewing and listening, closes the connections, releases nothing. */
    void crash() {
        closed.set(true);
        held.forEach(Lease::stopRenewal);
        held.clear();
        shutDown();
    }

    /** For tests: the listening connection. */
    ChangeSubscriber subscriber() {
        return subscriber;
    }

    /** {@return the store's place and holder name, never the password} */
    @Override
    public String toString() {
        return "RedisTokenStore[" + where + ", key " + hashKey + ", holder " + holder + "]";
    }

    private void shutDown() {
        subscriber.close(CLOSE_WAIT);
        scheduler.shutdownNow();
        try {
            redis.close();
        } catch (RuntimeException e) {
            log.debug("closing the connections to {} failed: {}", where, e.getMessage());
        }
    }

    private TokenHash read() throws IOException {
        Map<String, String> fields = call("read the token", r -> r.hgetAll(hashKey));
        return TokenHash.read(fields, "the hash " + hashKey + " in " + where);
    }

    private void remember(@Nullable Token token, long generation) {
        if (token != null) {
            seen.set(new Seen(token, generation));
        }
        knownGeneration.set(generation);
    }

    /** A message on the channel: a write happened, possibly our own. */
    private void announced(long generation) {
        if (knownGeneration.getAndSet(generation) != generation) {
            fire();
        }
    }

    /** Reads the generation (polling, and after each subscription); a new one tells the subscribers. */
    private void checkGeneration() {
        if (closed.get()) {
            return;
        }
        long generation;
        try {
            String text = call("read the generation", r -> r.hget(hashKey, "generation"));
            generation = text == null ? 0 : Long.parseLong(text);
        } catch (IOException | NumberFormatException e) {
            log.debug("{}", e.getMessage());
            return;
        } catch (RuntimeException e) {
            log.warn("checking the generation in {} failed", where, e);
            return;
        }
        long before = knownGeneration.getAndSet(generation);
        if (before != UNKNOWN && before != generation) {
            fire();
        }
    }

    private void fire() {
        for (Registration registration : subscriptions) {
            try {
                registration.onChange.run();
            } catch (RuntimeException e) {
                log.warn("a change callback of the Redis token store failed", e);
            }
        }
    }

    /** Runs one command; a failure becomes the {@link #problem()} and an {@link IOException}. */
    private <T> T call(String what, Function<UnifiedJedis, T> command) throws IOException {
        checkOpen();
        try {
            T result = command.apply(redis);
            problem = null;
            return result;
        } catch (JedisException e) {
            throw failure(what, e);
        }
    }

    private IOException failure(String what, RuntimeException e) {
        String message = "Cannot " + what + " in " + where + ": " + redact(describe(e));
        if (url.tls() && e instanceof JedisConnectionException) {
            message += "; with rediss:// the server must speak TLS on that port, with a certificate the JVM trusts";
        }
        problem = message;
        return new IOException(message, e);
    }

    /** The exception's message and its cause's, which often says what really happened ("Connection refused"). */
    private static String describe(Throwable e) {
        String message = Objects.toString(e.getMessage(), e.getClass().getSimpleName());
        Throwable cause = e.getCause();
        if (cause != null && cause != e) {
            String detail = Objects.toString(cause.getMessage(), cause.getClass().getSimpleName());
            if (!message.contains(detail)) {
                message = message + " (" + detail + ")";
            }
        }
        return message;
    }

    /** Removes the password, should a message ever quote it. */
    private String redact(String text) {
        String password = url.password();
        return password == null ? text : text.replace(password, RedisUrl.REDACTED);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private static void sleep(long nanos, String what) throws InterruptedIOException {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + what);
        }
    }

    private static String holderOf(String leaseValue) {
        int space = leaseValue.lastIndexOf(' ');
        return space < 0 ? leaseValue : leaseValue.substring(0, space);
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static JedisClientConfig clientConfig(RedisUrl url, Duration timeout, String clientName) {
        int millis = Math.toIntExact(timeout.toMillis());
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .user(url.user())
                .password(url.password())
                .database(url.database())
                .clientName(clientName)
                .resp2() // what JedisPubSub speaks; the scripts' answers are the same in both
                .autoNegotiateProtocol(false);
        if (url.tls()) {
            config.sslOptions(SslOptions.defaults());
        }
        return config.build();
    }

    private static String defaultHolderName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return ProcessHandle.current().pid() + "@" + host + "-" + HexFormat.of().formatHex(randomBytes(2));
    }

    /** A {@link #subscribe} registration: identity, so that the same callback may be registered twice. */
    private final class Registration implements Subscription {
        private final Runnable onChange;
        private final AtomicBoolean closed = new AtomicBoolean();

        Registration(Runnable onChange) {
            this.onChange = onChange;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                subscriptions.remove(this);
            }
        }
    }

    /** A held lease: renewed on the scheduler until closed. */
    private final class Lease implements Lock {
        private final String value;
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile @Nullable ScheduledFuture<?> renewal;

        Lease(String value) {
            this.value = value;
        }

        void startRenewal() {
            long period = Math.max(1, leaseTtl.toMillis() / 3);
            renewal = scheduler.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
        }

        void stopRenewal() {
            released.set(true);
            ScheduledFuture<?> running = renewal;
            if (running != null) {
                running.cancel(false);
            }
        }

        private void renew() {
            if (released.get() || closed.get()) {
                return;
            }
            try {
                boolean renewed = scripts.renew(redis, leaseKey, value, leaseTtl);
                problem = null;
                if (!renewed && !released.get()) {
                    log.warn("The lease {} in {} ran out before {} renewed it; another process may hold it now",
                            leaseKey, where, holder);
                    stopRenewal();
                }
            } catch (JedisException e) {
                log.debug("{}", failure("renew the lease " + leaseKey, e).getMessage());
            }
        }

        void releaseOnce() {
            scripts.release(redis, leaseKey, value);
        }

        @Override
        public void close() throws IOException {
            if (!held.remove(this)) {
                return; // closed before, or the store is closed and let go of it
            }
            stopRenewal();
            call("release the lease " + leaseKey + " (it runs out by itself within " + leaseTtl.toMillis()
                    + " ms)", r -> scripts.release(r, leaseKey, value));
        }
    }

    /**
     * Configures a {@link RedisTokenStore}. Every setter but {@link #url} and {@link #key} is optional and says its
     * default. Not thread-safe; {@link #build()} checks everything and may be called more than once.
     *
     * <pre>{@code
     * RedisTokenStore store = RedisTokenStore.builder()
     *         .url("rediss://app:secret@cache.example.org:6380/0")
     *         .key("my-client-id")
     *         .leaseTtl(Duration.ofSeconds(15))
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private @Nullable String url;
        private String keyPrefix = "netatmo-token:";
        private @Nullable String key;
        private Duration leaseTtl = Duration.ofSeconds(15);
        private Duration pollInterval = Duration.ofSeconds(5);
        private boolean notifications = true;
        private Duration writeTimeout = Duration.ofSeconds(10);
        private Duration timeout = Duration.ofSeconds(2);
        private @Nullable String holderName;
        private Duration subscriberBackoff = Duration.ofMillis(100);

        private Builder() {
        }

        /**
         * Required: where Redis is, {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://}
         * for TLS (the JDK's trust store checks the server's certificate). The user and the password are for
         * Redis 6 ACLs ({@code AUTH user password}); {@code :password} alone is the default user's.
         *
         * @param url the URL; its password never appears in messages
         * @return this builder
         */
        public Builder url(String url) {
            this.url = Objects.requireNonNull(url, "url");
            return this;
        }

        /**
         * Optional: what every key of the store starts with, default {@code netatmo-token:}.
         *
         * @param keyPrefix the prefix, may be empty
         * @return this builder
         */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        /**
         * Required: which token, normally the NetAtmo client id; the hash is {@code keyPrefix + key}.
         *
         * @param key the key, not empty and not ending with {@code :lease} (that is the name of a key's lease)
         * @return this builder
         */
        public Builder key(String key) {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * Optional: how long a lease lives on Redis's clock unless renewed, default 15 s; it is renewed every third
         * of that while held. A process that dies holding it blocks the others this long at most.
         *
         * @param leaseTtl at least 100 ms
         * @return this builder
         */
        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = Objects.requireNonNull(leaseTtl, "leaseTtl");
            return this;
        }

        /**
         * Optional: how often the store reads the generation while anybody is {@link #subscribe subscribed}, in case
         * a notification was lost, default 5 s.
         *
         * @param pollInterval at least 10 ms
         * @return this builder
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
            return this;
        }

        /**
         * Optional: whether the store listens on the change channel, default {@code true}. With {@code false} it
         * opens no listening connection and only reads the generation every {@link #pollInterval poll interval}, so
         * another process's token arrives up to that much later: for a proxy that does not pass pub/sub through, or
         * to measure polling alone (BENCHMARKS.md, section 7).
         *
         * @param notifications {@code false} to poll only
         * @return this builder
         */
        public Builder notifications(boolean notifications) {
            this.notifications = notifications;
            return this;
        }

        /**
         * Optional: how long {@link RedisTokenStore#saveRefreshed} retries a write that failed, default 10 s.
         *
         * @param writeTimeout zero or more; zero tries once
         * @return this builder
         */
        public Builder writeTimeout(Duration writeTimeout) {
            this.writeTimeout = Objects.requireNonNull(writeTimeout, "writeTimeout");
            return this;
        }

        /**
         * Optional: how long one command waits to connect, and then for its answer, default 2 s. It also bounds
         * {@link RedisTokenStore#close()} when Redis is unreachable.
         *
         * @param timeout from 1 ms to 24 days
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Optional: the name under which this store holds the lease and records its refreshes, as the other
         * processes' messages show it. Default: {@code pid@hostname-xxxx}, with four random hexadecimal digits so
         * that two stores in one JVM differ.
         *
         * @param holderName a name without control characters, at most 200 characters
         * @return this builder
         */
        public Builder holderName(String holderName) {
            this.holderName = Objects.requireNonNull(holderName, "holderName");
            return this;
        }

        /** For tests: the first pause before the listening connection connects again (it doubles from there). */
        Builder subscriberBackoff(Duration subscriberBackoff) {
            this.subscriberBackoff = Objects.requireNonNull(subscriberBackoff, "subscriberBackoff");
            return this;
        }

        /**
         * Checks the settings and creates the store; it connects at its first operation.
         *
         * @return the store; close it at the end
         * @throws IllegalStateException if the URL or the key is missing
         * @throws IllegalArgumentException if a setting is out of range, naming it and what is allowed
         */
        public RedisTokenStore build() {
            if (url == null) {
                throw new IllegalStateException("url is required: RedisTokenStore.builder().url(\"redis://host:6379\")");
            }
            if (key == null || key.isEmpty()) {
                throw new IllegalStateException("key is required and not empty: RedisTokenStore.builder()"
                        + ".key(clientId)");
            }
            if (key.endsWith(LEASE_SUFFIX)) {
                // The hash of key "x:lease" would be the lease of key "x" under the same prefix.
                throw new IllegalArgumentException("key must not end with \"" + LEASE_SUFFIX + "\": under one prefix"
                        + " it would name the lease of another key; choose another key");
            }
            RedisUrl parsed = RedisUrl.parse(url);
            atLeast("leaseTtl", leaseTtl, Duration.ofMillis(100));
            atLeast("pollInterval", pollInterval, Duration.ofMillis(10));
            atLeast("writeTimeout", writeTimeout, Duration.ZERO);
            atLeast("timeout", timeout, Duration.ofMillis(1));
            if (timeout.compareTo(Duration.ofDays(24)) > 0) {
                throw new IllegalArgumentException("timeout must be at most 24 days, but is " + timeout);
            }
            if (holderName != null && (holderName.isBlank() || holderName.length() > 200
                    || holderName.chars().anyMatch(Character::isISOControl))) {
                throw new IllegalArgumentException("holderName must be 1 to 200 characters without control"
                        + " characters, such as 4711@host-b");
            }
            return new RedisTokenStore(this, parsed, key);
        }

        private static void atLeast(String name, Duration value, Duration minimum) {
            if (value.compareTo(minimum) < 0) {
                throw new IllegalArgumentException(name + " must be at least " + minimum.toMillis() + " ms, but is "
                        + value.toMillis() + " ms");
            }
        }
    }
}
