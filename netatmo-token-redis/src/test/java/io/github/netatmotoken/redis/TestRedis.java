package io.github.netatmotoken.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.SslOptions;
import redis.embedded.RedisServer;
import redis.embedded.RedisServerBuilder;
import redis.embedded.exceptions.EmbeddedRedisException;

/**
 * A Redis server for the tests. {@link #shared()} is the one of this test JVM: started at the first call, or the
 * server that the environment variable {@value #URL_VARIABLE} names ({@code redis://[user:password@]host:port[/db]}
 * or {@code rediss://}). {@link #startDedicated(String...)} starts one of a test's own, with settings of its own,
 * such as {@code "appendonly yes"}; the test closes it.
 *
 * <p>The embedded server is Redis 7.0 from {@code org.signal:embedded-redis}, bound to 127.0.0.1 on a free port,
 * with neither an append-only file nor snapshots (for speed), a working directory of its own in
 * {@code target/embedded-redis/};
 * it runs as the user of the JVM, root included. The library copies its binary into a new temporary directory at
 * each start, and stops the server in a shutdown hook of its own.
 *
 * <pre>{@code
 * private static final TestRedis REDIS = TestRedis.shared();
 * private final String prefix = REDIS.keyPrefix(MyTest.class);   // keys of one test class never meet another's
 * try (Jedis jedis = REDIS.connect()) { jedis.set(prefix + "token", "…"); }
 * }</pre>
 *
 * <p>Thread-safe.
 */
final class TestRedis implements AutoCloseable {
    static final String URL_VARIABLE = "NETATMO_TEST_REDIS_URL";
    /** Bounds every wait of a connection from {@link #connect()}. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final List<String> FAST = List.of("appendonly no", "save \"\"");
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static TestRedis shared;

    private final RedisUrl url;
    private final RedisServer server; // null for a server of URL_VARIABLE
    private final boolean dedicated;
    private final Duration startTime;

    private TestRedis(RedisUrl url, RedisServer server, boolean dedicated, Duration startTime) {
        this.url = url;
        this.server = server;
        this.dedicated = dedicated;
        this.startTime = startTime;
    }

    /** The server of this test JVM; closing it does nothing. */
    static synchronized TestRedis shared() {
        if (shared == null) {
            String url = System.getenv(URL_VARIABLE);
            shared = url == null || url.isBlank() ? start(FAST, false)
                    : new TestRedis(RedisUrl.parse(url), null, false, Duration.ZERO);
        }
        return shared;
    }

    /**
     * Starts an embedded server of the test's own, also when {@value #URL_VARIABLE} is set.
     *
     * @param settings lines of redis.conf, after those of {@link #shared()}: {@code "appendonly yes"}
     */
    static TestRedis startDedicated(String... settings) {
        return start(Stream.concat(FAST.stream(), Stream.of(settings)).toList(), true);
    }

    RedisUrl url() {
        return url;
    }

    /** The URL as a store's builder takes it: with the password, unlike {@link RedisUrl#toString()}. */
    String urlText() {
        return urlText(url.host(), url.port());
    }

    /** {@link #urlText()} for another address, such as a {@code TcpProxy}'s. */
    String urlText(String host, int port) {
        StringBuilder text = new StringBuilder(url.tls() ? "rediss://" : "redis://");
        if (url.user() != null || url.password() != null) {
            text.append(percentEncoded(url.user())).append(':').append(percentEncoded(url.password())).append('@');
        }
        return text.append(host).append(':').append(port).append('/').append(url.database()).toString();
    }

    private static String percentEncoded(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.') {
                out.append((char) c);
            } else {
                out.append(String.format("%%%02X", c));
            }
        }
        return out.toString();
    }

    String host() {
        return url.host();
    }

    int port() {
        return url.port();
    }

    /** Whether this is the server {@value #URL_VARIABLE} names. */
    boolean external() {
        return server == null;
    }

    /** How long the start took (zero for a server of {@value #URL_VARIABLE}). */
    Duration startTime() {
        return startTime;
    }

    /** A new connection, with the URL's user, password, database and TLS; the caller closes it. */
    Jedis connect() {
        return connect(url.host(), url.port());
    }

    /** A new connection through another address, such as a {@code TcpProxy}'s. */
    Jedis connect(String host, int port) {
        return new Jedis(new HostAndPort(host, port), clientConfig());
    }

    /** The client settings of {@link #connect()}: for a store's own Jedis pool in a test. */
    JedisClientConfig clientConfig() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(Math.toIntExact(TIMEOUT.toMillis()))
                .socketTimeoutMillis(Math.toIntExact(TIMEOUT.toMillis()))
                .user(url.user())
                .password(url.password())
                .database(url.database());
        if (url.tls()) {
            config.sslOptions(SslOptions.defaults()); // Jedis 8 deprecates ssl(true) for this
        }
        return config.build();
    }

    /** A key prefix that no other test class, test JVM or earlier run uses: {@code nt:<class>:<pid>:<n>:}. */
    String keyPrefix(Class<?> testClass) {
        return "nt:" + testClass.getSimpleName() + ":" + ProcessHandle.current().pid() + ":"
                + PREFIXES.incrementAndGet() + ":";
    }

    /**
     * Stops a dedicated server and starts it again on the same port and working directory, as a restart of the
     * service would: what it persisted (an append-only file) is read back.
     */
    void restart() {
        if (!dedicated) {
            throw new IllegalStateException("only a dedicated server restarts");
        }
        server.stop();
        server.start();
    }

    /** Stops a dedicated server; the shared one stays until the JVM exits. */
    @Override
    public void close() {
        if (dedicated) {
            server.stop();
        }
    }

    @Override
    public String toString() {
        return url.toString();
    }

    private static TestRedis start(List<String> settings, boolean dedicated) {
        EmbeddedRedisException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) { // another process may take the free port first
            int port = freePort();
            Path directory = Path.of("target", "embedded-redis", ProcessHandle.current().pid() + "-" + port)
                    .toAbsolutePath();
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long start = System.nanoTime();
            RedisServerBuilder builder = RedisServer.builder().bind("127.0.0.1").port(port)
                    .setting("dir \"" + directory + "\"");
            settings.forEach(builder::setting);
            RedisServer server = builder.build(); // copies the binary out of the jar
            try {
                server.start();
            } catch (EmbeddedRedisException e) {
                failure = e;
                continue;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("Embedded Redis on 127.0.0.1:" + port + " started in " + took.toMillis() + " ms,"
                    + " working directory " + directory);
            return new TestRedis(RedisUrl.parse("redis://127.0.0.1:" + port), server, dedicated, took);
        }
        throw new IllegalStateException("cannot start the embedded Redis", failure);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
