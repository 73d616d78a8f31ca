package io.github.netatmotoken.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.netatmotoken.core.ModulePathCheck;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar is the module {@code io.github.netatmotoken.redis} on the module path, next to Jedis (an
 * automatic module) and Jedis's own dependencies, and gives its users Jedis and the core module: a store builds
 * (its pool is commons-pool2's, its log SLF4J's) and closes without a server.
 */
class ModulePathIT {

    @Test
    void theRedisJarWorksAsANamedModule(@TempDir Path work) throws Exception {
        String output = ModulePathCheck.compileAndRun(work, Path.of(System.getProperty("netatmo.it.jar")),
                List.of("netatmo-token-core-0", "jackson-core-",
                        "slf4j-api-", "jedis-", "commons-pool2-", "json-2", "gson-", "redis-authx-core-"),
                "module check { requires io.github.netatmotoken.redis; }",
                """
                package check;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        Module redis = io.github.netatmotoken.redis.RedisTokenStore.class.getModule();
                        // Its connection pool is a commons-pool2 class: Jedis's dependencies resolve too.
                        try (io.github.netatmotoken.core.SharedTokenStore store = io.github.netatmotoken.redis
                                .RedisTokenStore.builder().url("redis://127.0.0.1:1").key("check").build()) {
                            store.problem();
                        }
                        System.out.print(redis.getName() + " " + redis.isExported("io.github.netatmotoken.redis")
                                + " " + redis.clients.jedis.Jedis.class.getModule().getName()
                                + " " + io.github.netatmotoken.core.TokenStore.class.getModule().getName());
                    }
                }
                """);
        assertEquals("io.github.netatmotoken.redis true redis.clients.jedis io.github.netatmotoken.core",
                output.lines().reduce((a, b) -> b).orElse(""), output);
    }
}
