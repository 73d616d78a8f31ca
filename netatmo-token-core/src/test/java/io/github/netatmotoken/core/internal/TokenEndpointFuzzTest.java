package io.github.netatmotoken.core.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenRefreshException;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * Any status and body from the token endpoint give a token or a {@link TokenRefreshException} /
 * {@link ReauthorizationRequiredException}, never another exception.
 */
class TokenEndpointFuzzTest {
    private static final URI ENDPOINT = URI.create("https://api.netatmo.com/oauth2/token");
    private static final Instant SENT_AT = Instant.parse("2026-01-15T10:00:00Z");

    @FuzzTest(maxDuration = "5m")
    void anyResponseGivesATokenOrATokenException(FuzzedDataProvider data) {
        int status = data.consumeInt(100, 599);
        byte[] body = data.consumeRemainingAsBytes();
        try {
            Token token = TokenEndpoint.parseResponse(status, body, SENT_AT, "previous-refresh",
                    List.of("client-secret", "previous-refresh"), ENDPOINT);
            if (status < 200 || status > 299 || !token.hasAccessToken() || !token.hasRefreshToken()) {
                throw new AssertionError("accepted HTTP " + status + " as " + token);
            }
        } catch (ReauthorizationRequiredException | TokenRefreshException expected) {
            if (expected.getMessage() == null || !expected.getMessage().contains(ENDPOINT.toString())) {
                throw new AssertionError("message does not name the endpoint: " + expected.getMessage());
            }
        }
    }
}
