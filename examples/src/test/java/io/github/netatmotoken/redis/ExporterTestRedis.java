package io.github.netatmotoken.redis;

/**
 * The redis module's test fixture {@link TestRedis} (package-private, from its test jar) for the exporter's tests:
 * this class sits in the fixture's package on the test class path. Closing it stops the server.
 */
public final class ExporterTestRedis implements AutoCloseable {
    private final TestRedis redis;
    private final String password;

    private ExporterTestRedis(TestRedis redis, String password) {
        this.redis = redis;
        this.password = password;
    }

    /** A Redis server of its own that asks for {@code password} ({@code requirepass}). */
    public static ExporterTestRedis startWithPassword(String password) {
        return new ExporterTestRedis(TestRedis.startDedicated("requirepass " + password), password);
    }

    /** {@return {@code redis://:password@127.0.0.1:port/0}} */
    public String url() {
        return "redis://:" + password + "@" + redis.url().host() + ":" + redis.url().port() + "/0";
    }

    @Override
    public void close() {
        redis.close();
    }
}
