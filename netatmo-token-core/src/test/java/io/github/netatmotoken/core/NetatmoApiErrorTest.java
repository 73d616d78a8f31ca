package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetatmoApiErrorTest {
    private static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] code(int code) {
        return body("{\"error\":{\"code\":" + code + ",\"message\":\"m\"}}");
    }

    @ParameterizedTest(name = "HTTP {0} with code {1}: rejection {2}")
    @CsvSource({
        "401, -1, true", "401, 2, true", "401, 3, true", "401, 13, false", "401, 26, false", "401, 11, false",
        "403, 2, true", "403, 3, true", "403, 13, false", "403, 26, false", "403, 9, false", "403, -1, false",
        "400, 3, false", "429, 26, false", "500, 2, false", "200, 3, false"
    })
    void theTokenRejectionRule(int status, int code, boolean rejection) {
        byte[] body = code < 0 ? new byte[0] : code(code);
        assertEquals(rejection, NetatmoApiError.isTokenRejection(status, body));
    }

    @Test
    void aProxysHtmlPageIsNoRejectionOnA403ButA401StaysOne() {
        byte[] html = body("<html><body>Forbidden</body></html>");
        assertFalse(NetatmoApiError.isTokenRejection(403, html));
        assertTrue(NetatmoApiError.isTokenRejection(401, html));
        assertTrue(NetatmoApiError.isTokenRejection(401, null));
        assertFalse(NetatmoApiError.isTokenRejection(403, null));
    }

    @Test
    void parseReadsTheCodeAndMessage() {
        NetatmoApiError error = NetatmoApiError.parse(body("{\"error\":{\"code\":3,\"message\":\"Access token"
                + " expired\"}}")).orElseThrow();
        assertEquals(3, error.code());
        assertEquals("Access token expired", error.message());
        assertTrue(error.rejectsAccessToken());
        assertFalse(error.isRateLimit());
        assertEquals("NetatmoApiError[code=3, message=Access token expired]", error.toString());
        assertEquals(error, NetatmoApiError.parse(body("{\"error\":{\"code\":\"3\",\"message\":\"Access token"
                + " expired\"}}")).orElseThrow(), "a code as a string is the same code");
    }

    @Test
    void bodiesThatAreNotNetatmosErrorParseToNothing() {
        for (String text : new String[] {"", "not json", "{\"error\":\"invalid_grant\"}", "{\"error\":{}}",
                "{\"error\":{\"code\":\"x\"}}", "{\"error\":{\"code\":1e99}}", "[1,2]", "{\"status\":\"ok\"}"}) {
            assertTrue(NetatmoApiError.parse(body(text)).isEmpty(), text);
        }
        assertTrue(NetatmoApiError.parse(null).isEmpty());
    }

    @Test
    void aRateLimitIsNamedAsOne() {
        assertTrue(NetatmoApiError.parse(code(26)).orElseThrow().isRateLimit());
        assertTrue(NetatmoApiError.parse(code(11)).orElseThrow().isRateLimit());
    }

    @Test
    void theSecretIsRedactedBeforeTheMessageIsCutAndControlCharactersGo() {
        String secret = "0123456789abcdef";
        NetatmoApiError error = NetatmoApiError.parse(body("{\"error\":{\"code\":2,\"message\":\"bad\\n"
                + "x".repeat(190) + secret + "\"}}"), secret).orElseThrow();
        assertEquals("bad " + "x".repeat(190) + "[redac…", error.message());
        assertFalse(error.message().contains("0123"));
        assertNull(NetatmoApiError.parse(body("{\"error\":{\"code\":2,\"message\":\"  \"}}")).orElseThrow()
                .message());
    }
}
