package io.github.netatmotoken.redis;

import io.github.netatmotoken.core.PublicApi;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every change of this module's public API shows as a diff of {@code api/netatmo-token-redis.txt} in review. */
class PublicApiTest {
    @Test
    void thePublicApiIsTheCommittedOne() throws IOException {
        PublicApi.assertUnchanged("io.github.netatmotoken.redis", Path.of("api", "netatmo-token-redis.txt"));
    }
}
