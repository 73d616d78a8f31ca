package io.github.netatmotoken.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Adversarial review of issue 12 on Redis. */
class Review12RedisAttackTest {
    private static final TestRedis REDIS = TestRedis.shared();

    private final String prefix = REDIS.keyPrefix(Review12RedisAttackTest.class);
    private final List<RedisTokenStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(RedisTokenStore::close);
    }

    private RedisTokenStore open(String key) {
        RedisTokenStore store = RedisTokenStore.builder().url(REDIS.urlText()).keyPrefix(prefix).key(key)
                .leaseTtl(Duration.ofSeconds(2)).writeTimeout(Duration.ofMillis(500)).build();
        opened.add(store);
        return store;
    }

    /**
     * Two accounts in one Redis with the same prefix: the hash of key "acct:lease" would be the lease of key "acct",
     * so that the lease of "acct" could never be taken (WRONGTYPE). Such a key is refused when the store is built.
     */
    @Test
    void aKeyThatWouldNameAnotherKeysLeaseIsRefused() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open("acct:lease"));
        assertTrue(e.getMessage().contains(":lease"), e.getMessage());
        RedisTokenStore first = open("acct");
        RedisTokenStore second = open("acct:leases");
        second.save(new Token("access-b", "refresh-b", null));
        first.save(new Token("access-a", "refresh-a", null));
        try (TokenStore.Lock lease = first.lock(Duration.ofMillis(500))) {
            second.save(new Token("access-b2", "refresh-b2", null));
        }
        assertEquals("refresh-b2", second.load().orElseThrow().refreshToken());
        assertEquals("refresh-a", first.load().orElseThrow().refreshToken());
    }

    /** As in Review12JdbcAttackTest: the row still holds the spent token, at a later generation. */
    @Test
    void aCompareAndSetIsNotRefusedByAHashThatStillHoldsTheSpentToken() throws Exception {
        String key = "resaved";
        RedisTokenStore a = open(key);
        RedisTokenStore b = open(key);
        Token t = new Token("access-0", "refresh-0", Instant.parse("2026-12-02T10:00:00.123456789Z"));
        a.save(t);
        Token spent = a.load().orElseThrow();
        b.save(t);
        Token fresh = new Token("access-1", "refresh-1", Instant.parse("2026-12-02T13:00:00.123456789Z"));
        boolean stored = a.saveRefreshed(spent, fresh);
        assertEquals(fresh, b.load().orElseThrow(), "the only live token must be stored (saveRefreshed said "
                + stored + ")");
        assertTrue(stored);
    }
}
