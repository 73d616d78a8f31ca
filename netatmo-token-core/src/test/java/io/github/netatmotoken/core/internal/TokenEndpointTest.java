package io.github.netatmotoken.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenRefreshException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a token endpoint answer becomes a token or an exception: the shapes NetAtmo or a proxy may send. */
class TokenEndpointTest {
    private static final URI ENDPOINT = URI.create("https://api.netatmo.com/oauth2/token");
    private static final Instant SENT_AT = Instant.parse("2026-01-15T10:00:00Z");
    private static final String CLIENT_SECRET = "client-secret-C1x9";
    /** Shaped like NetAtmo's: an id, a bar, a hex string; the bar is form-encoded as %7C. */
    private static final String SENT_REFRESH = "5c3dd9b2|sent-refresh-R0q7";
    private static final String NEW_ACCESS = "5c3dd9b2|new-access-A2w4";
    private static final String NEW_REFRESH = "5c3dd9b2|new-refresh-R2e8";

    private static Token parse(int status, String body) throws IOException {
        return TokenEndpoint.parseResponse(status, body.getBytes(StandardCharsets.UTF_8), SENT_AT, SENT_REFRESH,
                List.of(CLIENT_SECRET, SENT_REFRESH), ENDPOINT);
    }

    private static TokenRefreshException unusable(String body) {
        return assertThrows(TokenRefreshException.class, () -> parse(200, body));
    }

    private static void assertNoTokenValueIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (String secret : List.of(CLIENT_SECRET, SENT_REFRESH, NEW_ACCESS, NEW_REFRESH)) {
                assertFalse(String.valueOf(t.getMessage()).contains(secret), t.getMessage());
                assertFalse(t.toString().contains(secret), t.toString());
            }
        }
    }

    // --- expires_in shapes -------------------------------------------------------------------------------------

    @Test
    void expiresInWithAFractionIsRoundedDown() throws IOException {
        assertEquals(SENT_AT.plusSeconds(10800),
                parse(200, "{\"access_token\":\"a1\",\"refresh_token\":\"r1\",\"expires_in\":10800.0}").expiry());
        assertEquals(SENT_AT.plusSeconds(10800),
                parse(200, "{\"access_token\":\"a1\",\"refresh_token\":\"r1\",\"expires_in\":10800.9}").expiry());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"10800\"", "\"10800.0\"", "\" 10800 \"", "\"10800.5\"", "\"1.08e4\""})
    void expiresInMayBeANumericString(String value) throws IOException {
        assertEquals(SENT_AT.plusSeconds(10800),
                parse(200, "{\"access_token\":\"a1\",\"refresh_token\":\"r1\",\"expires_in\":" + value + "}").expiry());
    }

    @Test
    void aNullExpiresInFallsBackToExpireIn() throws IOException {
        assertEquals(SENT_AT.plusSeconds(10800), parse(200, "{\"access_token\":\"a1\",\"refresh_token\":\"r1\","
                + "\"expires_in\":null,\"expire_in\":10800}").expiry());
    }

    @Test
    void aFractionBelowOneSecondIsZero() throws IOException {
        assertEquals(SENT_AT, parse(200, "{\"access_token\":\"a1\",\"expires_in\":\"1e-999999999\"}").expiry());
    }

    @Test
    void noExpiryAtAllIsAnUnknownExpiry() throws IOException {
        assertNull(parse(200, "{\"access_token\":\"a1\",\"expires_in\":null,\"expire_in\":null}").expiry());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5", "-0.5", "\"-1\"", "\"NaN\"", "\"Infinity\"", "1e400", "99999999999999",
            "2147483648", "\"1e999999999\"", "\"soon\"", "\"\"", "true", "{}", "[10800]"})
    void aBadExpiresInMakesTheResponseUnusableButKeepsTheRotatedRefreshToken(String value) {
        TokenRefreshException e = unusable("{\"access_token\":\"" + NEW_ACCESS + "\",\"refresh_token\":\""
                + NEW_REFRESH + "\",\"expires_in\":" + value + "}");

        assertEquals(Optional.of(new Token(NEW_ACCESS, NEW_REFRESH, SENT_AT)), e.rotatedToken());
        assertEquals(200, e.httpStatus());
        assertTrue(e.getMessage().startsWith("Token response from " + ENDPOINT + " (HTTP 200) has an invalid"
                + " expires_in; expected a number of seconds between 0 and 2147483647; it carries a new refresh"
                + " token"), e.getMessage());
        assertNoTokenValueIn(e);
    }

    @Test
    void aBadExpiresInWithoutANewRefreshTokenIsAPlainTransientFailure() {
        TokenRefreshException e = unusable("{\"access_token\":\"a1\",\"expires_in\":-5}");

        assertEquals(Optional.empty(), e.rotatedToken());
        assertTrue(e.getMessage().endsWith("NetAtmo may be having trouble, the refresh will be retried"),
                e.getMessage());
    }

    // --- rotated refresh token in an otherwise unusable answer --------------------------------------------------

    @Test
    void aNewRefreshTokenWithoutAccessTokenIsKeptAsTheRotatedToken() {
        TokenRefreshException e = unusable("{\"refresh_token\":\"" + NEW_REFRESH + "\",\"expires_in\":10800}");

        assertEquals(Optional.of(new Token(null, NEW_REFRESH, SENT_AT)), e.rotatedToken());
        assertTrue(e.getMessage().startsWith("Token response from " + ENDPOINT + " (HTTP 200) has no access_token;"
                + " it carries a new refresh token, which replaces the spent one (see rotatedToken())"),
                e.getMessage());
        assertNull(e.error());
        assertNoTokenValueIn(e);
    }

    @Test
    void anErrorNextToANewRefreshTokenInA2xxKeepsTheRotatedToken() {
        TokenRefreshException e = unusable("{\"error\":\"server_error\",\"access_token\":\"" + NEW_ACCESS + "\","
                + "\"refresh_token\":\"" + NEW_REFRESH + "\",\"expires_in\":10800}");

        assertEquals(Optional.of(new Token(NEW_ACCESS, NEW_REFRESH, SENT_AT)), e.rotatedToken());
        assertEquals("server_error", e.error());
        assertTrue(e.getMessage().contains("has an access_token but also error server_error"), e.getMessage());
        assertNoTokenValueIn(e);
    }

    @Test
    void anErrorWithoutAccessTokenNextToANewRefreshTokenKeepsTheRotatedToken() {
        TokenRefreshException e = unusable("{\"error\":\"server_error\",\"refresh_token\":\"" + NEW_REFRESH + "\"}");

        assertEquals(Optional.of(new Token(null, NEW_REFRESH, SENT_AT)), e.rotatedToken());
        assertTrue(e.getMessage().contains("has no access_token but error server_error"), e.getMessage());
    }

    @Test
    void anErrorStatusNeverCarriesARotatedToken() {
        TokenRefreshException e = assertThrows(TokenRefreshException.class,
                () -> parse(503, "{\"error\":\"busy\",\"refresh_token\":\"" + NEW_REFRESH + "\"}"));

        assertEquals(Optional.empty(), e.rotatedToken());
    }

    @Test
    void aGoodAnswerIsNotAffectedByAnEmptyOrNullError() throws IOException {
        assertEquals(new Token("a1", "r1", SENT_AT.plusSeconds(60)),
                parse(200, "{\"error\":null,\"access_token\":\"a1\",\"refresh_token\":\"r1\",\"expires_in\":60}"));
        assertEquals(new Token("a1", "r1", SENT_AT.plusSeconds(60)),
                parse(200, "{\"error\":\"\",\"access_token\":\"a1\",\"refresh_token\":\"r1\",\"expires_in\":60}"));
    }

    // --- secrets echoed by the server ---------------------------------------------------------------------------

    /** Every secret the server might echo, as it is and as it appears in a form-encoded request body. */
    private static List<String> echoes() {
        List<String> plain = List.of(CLIENT_SECRET, SENT_REFRESH, NEW_ACCESS, NEW_REFRESH);
        List<String> all = new java.util.ArrayList<>(plain);
        for (String secret : plain) {
            all.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        }
        return all;
    }

    /** A response with the new tokens (so that they count as secrets too) and {@code errorFields} around them. */
    private static String withTokens(String errorFields) {
        return "{" + errorFields + ",\"access_token\":\"" + NEW_ACCESS + "\",\"refresh_token\":\"" + NEW_REFRESH
                + "\"}";
    }

    private static void assertRedacted(Throwable e, String echoed, String error) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(echoed), t.getMessage());
            assertFalse(t.toString().contains(echoed), t.toString());
        }
        assertNoTokenValueIn(e);
        assertTrue(e.getMessage().contains("[redacted]"), e.getMessage());
        assertTrue(error.contains("[redacted]"), error);
        assertFalse(error.contains(echoed), error);
    }

    @Test
    void aSecretEchoedInErrorDescriptionIsRedacted() {
        for (String echoed : echoes()) {
            for (int status : List.of(200, 400, 503)) {
                TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> parse(status,
                        withTokens("\"error\":\"invalid_request\",\"error_description\":\"bad token " + echoed
                                + "\"")));
                assertRedacted(e, echoed, e.error());
                assertEquals("invalid_request: bad token [redacted]", e.error());
            }
        }
    }

    @Test
    void aSecretEchoedInTheErrorCodeIsRedacted() {
        for (String echoed : echoes()) {
            TokenRefreshException e = assertThrows(TokenRefreshException.class,
                    () -> parse(400, withTokens("\"error\":\"unknown " + echoed + "\"")));
            assertRedacted(e, echoed, e.error());
        }
    }

    @Test
    void aSecretEchoedInADataApiMessageOrCodeIsRedacted() {
        for (String echoed : echoes()) {
            TokenRefreshException message = assertThrows(TokenRefreshException.class, () -> parse(403,
                    withTokens("\"error\":{\"code\":2,\"message\":\"Invalid access token " + echoed + "\"}")));
            assertRedacted(message, echoed, message.error());
            TokenRefreshException code = assertThrows(TokenRefreshException.class,
                    () -> parse(403, withTokens("\"error\":{\"code\":\"" + echoed + "\"}")));
            assertRedacted(code, echoed, code.error());
        }
    }

    @Test
    void aSecretEchoedInAPermanentErrorsDescriptionIsRedacted() {
        for (String echoed : echoes()) {
            ReauthorizationRequiredException e = assertThrows(ReauthorizationRequiredException.class,
                    () -> parse(400, withTokens("\"error\":\"invalid_grant\",\"error_description\":\"" + echoed
                            + " was revoked\"")));
            assertRedacted(e, echoed, e.getMessage());
            assertEquals("invalid_grant", e.error());
        }
    }

    @Test
    void aSecretThatTheCutAt200CharactersWouldHalveIsRedactedWhole() {
        String padding = "x".repeat(195);
        TokenRefreshException e = assertThrows(TokenRefreshException.class,
                () -> parse(503, "{\"error\":\"" + padding + SENT_REFRESH + "\"}"));

        assertEquals(padding + "[reda…", e.error());
        assertFalse(e.getMessage().contains(SENT_REFRESH.substring(0, 5)), e.getMessage());
    }

    @Test
    void aSecretThatContainsAnotherIsRedactedWhole() throws IOException {
        String shorter = CLIENT_SECRET.substring(0, 8);
        TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> TokenEndpoint.parseResponse(503,
                ("{\"error\":\"x " + CLIENT_SECRET + "\"}").getBytes(StandardCharsets.UTF_8), SENT_AT, null,
                java.util.Arrays.asList(shorter, CLIENT_SECRET, null, ""), ENDPOINT));

        assertEquals("x [redacted]", e.error());
    }
}
