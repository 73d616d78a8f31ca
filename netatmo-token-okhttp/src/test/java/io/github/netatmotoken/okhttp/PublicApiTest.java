package io.github.netatmotoken.okhttp;

import io.github.netatmotoken.core.PublicApi;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every change of this module's public API shows as a diff of {@code api/netatmo-token-okhttp.txt} in review. */
class PublicApiTest {
    @Test
    void thePublicApiIsTheCommittedOne() throws IOException {
        PublicApi.assertUnchanged("io.github.netatmotoken.okhttp", Path.of("api", "netatmo-token-okhttp.txt"));
    }
}
