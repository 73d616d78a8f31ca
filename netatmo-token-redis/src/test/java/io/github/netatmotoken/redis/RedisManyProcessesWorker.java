package io.github.netatmotoken.redis;

import io.github.netatmotoken.core.ManyProcessesWorker;
import java.time.Duration;
import java.util.Arrays;

/**
 * A child of {@link RedisManyProcessesTest}: {@code <redis url> <key prefix> <key> <worker arguments>}. It names
 * no class that starts a Redis of its own (such as the test's {@link TestRedis}).
 */
public final class RedisManyProcessesWorker {
    private RedisManyProcessesWorker() {
    }

    public static void main(String[] args) throws Exception {
        ManyProcessesWorker.run(Arrays.copyOfRange(args, 3, args.length),
                holder -> store(args[0], args[1], args[2], holder));
    }

    /** The store of every process: a lease that a killed holder keeps for 1 s, a poll each second. */
    static RedisTokenStore store(String url, String prefix, String key, String holder) {
        return RedisTokenStore.builder().url(url).keyPrefix(prefix).key(key).holderName(holder)
                .leaseTtl(Duration.ofSeconds(1)).pollInterval(Duration.ofSeconds(1)).build();
    }
}
