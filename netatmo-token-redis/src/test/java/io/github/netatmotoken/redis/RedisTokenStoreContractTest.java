package io.github.netatmotoken.redis;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.SharedTokenStoreContract;
import java.time.Duration;

/** The contract of every shared store, on the test Redis: each test's keys under a prefix of their own. */
class RedisTokenStoreContractTest extends SharedTokenStoreContract {
    private static final TestRedis REDIS = TestRedis.shared();
    private final String prefix = REDIS.keyPrefix(RedisTokenStoreContractTest.class);

    @Override
    protected SharedTokenStore open(String key, Duration leaseTtl) {
        return RedisTokenStore.builder().url(REDIS.urlText()).keyPrefix(prefix).key(key)
                .leaseTtl(leaseTtl).build();
    }

    @Override
    protected void crash(SharedTokenStore store) {
        ((RedisTokenStore) store).crash();
    }
}
