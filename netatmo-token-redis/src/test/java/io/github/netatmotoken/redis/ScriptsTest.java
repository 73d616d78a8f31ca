package io.github.netatmotoken.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.Token;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/** Each Lua script on a real Redis, by what it leaves in the hash or the lease. */
class ScriptsTest {
    private static final TestRedis REDIS = TestRedis.shared();
    private static final Token FIRST = new Token("a1", "r1", Instant.parse("2026-12-02T10:00:00Z"));
    private static final Token SECOND = new Token("a2", "r2", null);

    private final String prefix = REDIS.keyPrefix(ScriptsTest.class);
    private final String hash = prefix + "token";
    private final String channel = prefix + "token:changed";
    private final String lease = prefix + "token:lease";
    private final Scripts scripts = new Scripts();
    private final RedisClient redis = RedisClient.builder().hostAndPort(REDIS.host(), REDIS.port())
            .clientConfig(REDIS.clientConfig()).build();
    private final Jedis jedis = REDIS.connect();

    @AfterEach
    void close() {
        redis.close();
        jedis.close();
    }

    @Test
    void saveWritesTheNextGenerationAndDeletesMissingComponents() {
        assertEquals(1, scripts.save(redis, hash, channel, FIRST));
        assertEquals(Map.of("generation", "1", "access_token", "a1", "refresh_token", "r1",
                "expiry", "2026-12-02T10:00:00Z"), jedis.hgetAll(hash));
        assertEquals(2, scripts.save(redis, hash, channel, SECOND));
        assertEquals(Map.of("generation", "2", "access_token", "a2", "refresh_token", "r2"), jedis.hgetAll(hash));
    }

    @Test
    void saveAnnouncesItsGenerationOnTheChannel() throws Exception {
        CountDownLatch subscribed = new CountDownLatch(1);
        CompletableFuture<String> received = new CompletableFuture<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onSubscribe(String name, int count) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(String name, String message) {
                received.complete(message);
                unsubscribe();
            }
        };
        try (Jedis listening = REDIS.connect()) {
            CompletableFuture<Void> thread = CompletableFuture.runAsync(() -> listening.subscribe(listener, channel));
            assertTrue(subscribed.await(10, TimeUnit.SECONDS));
            scripts.save(redis, hash, channel, FIRST);
            assertEquals("1", received.get(10, TimeUnit.SECONDS));
            thread.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void saveIfAbsentNeverOverwrites() {
        assertEquals(1, scripts.saveIfAbsent(redis, hash, channel, FIRST));
        assertEquals(0, scripts.saveIfAbsent(redis, hash, channel, SECOND));
        assertEquals("r1", jedis.hget(hash, "refresh_token"));
    }

    @Test
    void saveRefreshedComparesTheGeneration() {
        scripts.save(redis, hash, channel, FIRST);
        assertEquals(new Scripts.Outcome(false, 1), scripts.saveRefreshed(redis, hash, channel, 0L, null, SECOND));
        assertEquals(new Scripts.Outcome(true, 2), scripts.saveRefreshed(redis, hash, channel, 1L, null, SECOND));
        assertEquals(new Scripts.Outcome(true, 2), scripts.saveRefreshed(redis, hash, channel, 1L, null, SECOND),
                "a retry of a write that landed");
    }

    @Test
    void saveRefreshedWithoutAGenerationComparesTheRefreshToken() {
        scripts.save(redis, hash, channel, FIRST);
        assertEquals(new Scripts.Outcome(false, 1), scripts.saveRefreshed(redis, hash, channel, null, "r0", SECOND));
        assertEquals(new Scripts.Outcome(false, 1), scripts.saveRefreshed(redis, hash, channel, null, null, SECOND));
        assertEquals(new Scripts.Outcome(true, 2), scripts.saveRefreshed(redis, hash, channel, null, "r1", SECOND));
    }

    @Test
    void aSecondIntentForOneGenerationMovesTheFirstToTheLostRecord() {
        scripts.save(redis, hash, channel, FIRST);
        assertEquals(1, scripts.refreshing(redis, hash, null, "a"));
        assertFalse(jedis.hexists(hash, "lost_generation"));
        assertEquals(1, scripts.refreshing(redis, hash, 1L, "b"));
        Map<String, String> fields = jedis.hgetAll(hash);
        assertEquals("1", fields.get("lost_generation"));
        assertEquals("a", fields.get("lost_holder"));
        assertEquals("b", fields.get("intent_holder"));
        long micros = Long.parseLong(fields.get("intent_at"));
        long redisNowMicros = Long.parseLong(jedis.time().get(0)) * 1_000_000;
        assertTrue(Math.abs(redisNowMicros - micros) < 5_000_000, "intent_at is Redis's clock in microseconds");
    }

    @Test
    void anIntentForAnotherGenerationLosesNothing() {
        scripts.save(redis, hash, channel, FIRST);
        scripts.refreshing(redis, hash, null, "a");
        scripts.save(redis, hash, channel, SECOND);
        assertEquals(2, scripts.refreshing(redis, hash, null, "b"));
        assertFalse(jedis.hexists(hash, "lost_generation"));
    }

    @Test
    void renewAndReleaseTouchOnlyOurLease() {
        jedis.set(lease, "ours 1", SetParams.setParams().px(1_000));
        assertFalse(scripts.renew(redis, lease, "theirs 2", java.time.Duration.ofSeconds(60)));
        assertTrue(jedis.pttl(lease) <= 1_000);
        assertTrue(scripts.renew(redis, lease, "ours 1", java.time.Duration.ofSeconds(60)));
        assertTrue(jedis.pttl(lease) > 50_000);
        assertFalse(scripts.release(redis, lease, "theirs 2"));
        assertTrue(jedis.exists(lease));
        assertTrue(scripts.release(redis, lease, "ours 1"));
        assertFalse(jedis.exists(lease));
    }

    @Test
    void aScriptThatRedisForgotIsLoadedAgain() {
        scripts.save(redis, hash, channel, FIRST);
        jedis.scriptFlush();
        assertEquals(2, scripts.save(redis, hash, channel, SECOND));
    }
}
