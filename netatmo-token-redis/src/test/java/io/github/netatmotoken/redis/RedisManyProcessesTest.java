package io.github.netatmotoken.redis;

import io.github.netatmotoken.core.ManyProcessesContract;
import io.github.netatmotoken.core.TokenStore;
import java.util.List;

/** Issue 12's many-process fault test on the test Redis: four processes, one key, lease holders killed. */
class RedisManyProcessesTest extends ManyProcessesContract {
    private static final TestRedis REDIS = TestRedis.shared();
    private final String prefix = REDIS.keyPrefix(RedisManyProcessesTest.class);

    @Override
    protected Class<?> workerMain() {
        return RedisManyProcessesWorker.class;
    }

    @Override
    protected List<String> workerArgs() {
        return List.of(REDIS.urlText(), prefix, "many-processes");
    }

    @Override
    protected TokenStore personStore() {
        return RedisManyProcessesWorker.store(REDIS.urlText(), prefix, "many-processes", "person");
    }

    @Override
    protected boolean explainsLostChains() {
        return true;
    }
}
