package io.github.netatmotoken.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.netatmotoken.core.TcpProxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.params.SetParams;

/** The test server works for what the Redis store needs: SET NX PX, Lua compare-and-set, pub/sub, a cut network. */
class TestRedisTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final String COMPARE_AND_SET = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
                redis.call('SET', KEYS[1], ARGV[2])
                return 1
            end
            return 0
            """;

    private final TestRedis redis = TestRedis.shared();
    private final String prefix = redis.keyPrefix(TestRedisTest.class);

    @Test
    void setIfAbsentWithAnExpiryInMilliseconds() {
        try (Jedis jedis = redis.connect()) {
            String key = prefix + "lock";
            assertEquals("OK", jedis.set(key, "holder-1", SetParams.setParams().nx().px(1000)));
            assertNull(jedis.set(key, "holder-2", SetParams.setParams().nx().px(1000)));
            assertEquals("holder-1", jedis.get(key));
            long ttl = jedis.pttl(key);
            assertTrue(ttl > 0 && ttl <= 1000, "pttl " + ttl);
        }
    }

    @Test
    void aLuaScriptComparesAndSetsInOneStep() {
        try (Jedis jedis = redis.connect()) {
            String key = prefix + "token";
            jedis.set(key, "generation-1");
            assertEquals(1L, jedis.eval(COMPARE_AND_SET, List.of(key), List.of("generation-1", "generation-2")));
            assertEquals("generation-2", jedis.get(key));
            assertEquals(0L, jedis.eval(COMPARE_AND_SET, List.of(key), List.of("generation-1", "generation-3")));
            assertEquals("generation-2", jedis.get(key));
        }
    }

    @Test
    void aPublishedMessageReachesASubscriberOnAnotherConnection() throws Exception {
        String channel = prefix + "saved";
        CountDownLatch subscribed = new CountDownLatch(1);
        CompletableFuture<String> received = new CompletableFuture<>();
        JedisPubSub subscriber = new JedisPubSub() {
            @Override
            public void onSubscribe(String name, int count) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(String name, String message) {
                received.complete(name + " " + message);
                unsubscribe();
            }
        };
        try (Jedis listening = redis.connect(); Jedis publishing = redis.connect()) {
            Thread thread = new Thread(() -> {
                try {
                    listening.subscribe(subscriber, channel);
                } catch (RuntimeException e) {
                    received.completeExceptionally(e);
                }
            }, "redis-subscriber");
            thread.setDaemon(true);
            thread.start();
            assertTrue(subscribed.await(BOUND.toSeconds(), TimeUnit.SECONDS), "not subscribed within " + BOUND);
            assertEquals(1L, publishing.publish(channel, "generation 7"));
            assertEquals(channel + " generation 7", received.get(BOUND.toSeconds(), TimeUnit.SECONDS));
            thread.join(BOUND.toMillis());
        }
    }

    @Test
    void aCutFailsTheNextCommandAndARestoredProxyConnectsAgain() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(redis.host(), redis.port())) {
            Jedis cut = redis.connect(proxy.host(), proxy.port());
            assertEquals("PONG", cut.ping());
            proxy.cut();
            assertTimeoutPreemptively(BOUND, () -> assertThrows(JedisConnectionException.class, cut::ping));
            closeBroken(cut);

            // Jedis talks to the server as it connects (CLIENT SETINFO), so the connection fails at once.
            assertTimeoutPreemptively(BOUND, () -> assertThrows(JedisConnectionException.class,
                    () -> redis.connect(proxy.host(), proxy.port())));

            proxy.restore();
            try (Jedis jedis = redis.connect(proxy.host(), proxy.port())) {
                assertEquals("PONG", jedis.ping());
            }
        }
    }

    /**
     * Closing a Jedis whose connection broke may throw too: it flushes what it could not send ("Broken pipe"). A
     * store must expect that of {@code close()}, as Jedis's own pool does.
     */
    private static void closeBroken(Jedis jedis) {
        try {
            jedis.close();
        } catch (JedisConnectionException expected) {
            // the connection is closed all the same
        }
    }

    @Test
    void theEmbeddedServerListensOnLoopbackWithoutPersistence() {
        assumeFalse(redis.external(), TestRedis.URL_VARIABLE + " names the server");
        try (Jedis jedis = redis.connect()) {
            assertEquals("127.0.0.1", jedis.configGet("bind").get("bind"));
            assertEquals("no", jedis.configGet("appendonly").get("appendonly"));
            assertEquals("", jedis.configGet("save").get("save"));
            assertTrue(jedis.info("server").contains("redis_version:7."), jedis.info("server"));
        }
    }

    @Test
    void aDedicatedServerTakesSettingsOfItsOwn() {
        try (TestRedis own = TestRedis.startDedicated("appendonly yes"); Jedis jedis = own.connect()) {
            assertEquals("yes", jedis.configGet("appendonly").get("appendonly"));
            assertEquals("OK", jedis.set("k", "v"));
        }
    }
}
