package io.github.netatmotoken.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.netatmotoken.core.Token;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * With the settings the README asks for ({@code appendonly yes}, {@code appendfsync always}), a token that Redis
 * acknowledged is still there after a restart: a lost write would be a lost token chain.
 */
class RedisTokenStoreDurabilityTest {

    @Test
    void anAcknowledgedTokenSurvivesARestartWithAnAppendOnlyFileSyncedAlways() throws Exception {
        Token token = new Token("access-d", "refresh-d", Instant.parse("2026-12-02T13:00:00.123456789Z"));
        try (TestRedis redis = TestRedis.startDedicated("appendonly yes", "appendfsync always")) {
            try (RedisTokenStore store = RedisTokenStore.builder().url(redis.urlText()).key("durable").build()) {
                store.save(token);
                Token spent = store.load().orElseThrow();
                store.saveRefreshed(spent, new Token("access-e", "refresh-e", null));
            }
            String before = runId(redis);
            redis.restart();
            assertNotEquals(before, runId(redis), "the server did not restart");
            try (RedisTokenStore store = RedisTokenStore.builder().url(redis.urlText()).key("durable").build()) {
                assertEquals(Optional.of(new Token("access-e", "refresh-e", null)), store.load());
                store.save(token); // the generation goes on where it was
                assertEquals(Optional.of(token), store.load());
            }
        }
    }

    private static String runId(TestRedis redis) {
        try (Jedis jedis = redis.connect()) {
            return jedis.info("server").lines().filter(l -> l.startsWith("run_id:")).findFirst().orElseThrow();
        }
    }
}
