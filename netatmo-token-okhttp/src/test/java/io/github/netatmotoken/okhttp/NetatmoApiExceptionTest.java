package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.NetatmoException;
import io.github.netatmotoken.okhttp.TestServer.Reply;
import java.io.IOException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NetatmoApiExceptionTest {
    private static final String OK_BODY = "{\"status\":\"ok\"}";

    private TestServer server;
    private final OkHttpClient http = new OkHttpClient();

    @BeforeEach
    void startServer() throws IOException {
        server = TestServer.start();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
    }

    private NetatmoApiException failedCall(Request request) throws IOException {
        try (Response response = http.newCall(request).execute()) {
            return NetatmoApiException.from(response);
        }
    }

    private Request get(String pathAndQuery) {
        return new Request.Builder().url(server.url(pathAndQuery)).build();
    }

    @Test
    void carriesStatusCodeAndMessageAndSaysWhatToDo() throws Exception {
        server.enqueue(Reply.apiError(403, 13, "Application does not have the good scope rights"));

        NetatmoApiException e = failedCall(get("/api/gethomecoachsdata"));

        assertEquals(403, e.httpStatus());
        assertEquals(13, e.errorCode());
        assertEquals("Application does not have the good scope rights", e.errorMessage());
        assertEquals("NetAtmo API call GET " + server.url("/api/gethomecoachsdata") + " failed with HTTP 403,"
                + " error code 13 (Application does not have the good scope rights): the app was not granted the"
                + " scope this call needs; authorize again with it (read_station for weather stations,"
                + " read_homecoach for the Healthy Home Coach)", e.getMessage());
    }

    @Test
    void theUsageLimitSaysToCallLessOften() throws Exception {
        server.enqueue(Reply.apiError(403, 26, "User usage reached"));

        NetatmoApiException e = failedCall(get("/api/getstationsdata"));

        assertEquals(26, e.errorCode());
        assertTrue(e.getMessage().endsWith("the usage limit is reached; call less often (NetAtmo allows 50 requests"
                + " per 10 seconds and 500 per hour for each user)"), e.getMessage());
    }

    @Test
    void aBodyThatIsNoNetatmoErrorKeepsTheStatusAndIsNotQuoted() throws Exception {
        server.enqueue(Reply.json(502, "<html><body>Bad gateway</body></html>"));

        NetatmoApiException e = failedCall(get("/api/getstationsdata"));

        assertEquals(502, e.httpStatus());
        assertEquals(-1, e.errorCode());
        assertNull(e.errorMessage());
        assertEquals("NetAtmo API call GET " + server.url("/api/getstationsdata") + " failed with HTTP 502:"
                + " NetAtmo is having trouble; retry later", e.getMessage());
    }

    @Test
    void neverShowsTheAccessTokenFromTheHeaderTheQueryOrNetatmosText() throws Exception {
        String token = "5f1e0000000000000000|abcdef0123456789abcdef";
        server.enqueue(Reply.apiError(403, 2, "Invalid access token " + token));
        // Percent-encoded in the query: the JDK's test server refuses a raw '|' in the request line.
        Request request = get("/api/getstationsdata?access_token=" + token.replace("|", "%7C")
                + "&device_id=70:ee:50:00:00:01")
                .newBuilder().header("Authorization", "Bearer " + token).build();

        NetatmoApiException e = failedCall(request);

        assertEquals(403, e.httpStatus(), e.getMessage());
        assertEquals("Invalid access token [redacted]", e.errorMessage());
        assertFalse(e.getMessage().contains(token), e.getMessage());
        assertFalse(e.getMessage().contains("access_token="), e.getMessage());
        assertFalse(e.toString().contains(token), e.toString());
        assertTrue(e.getMessage().startsWith("NetAtmo API call GET " + server.url("/api/getstationsdata")
                + " failed with HTTP 403, error code 2 (Invalid access token [redacted])"), e.getMessage());
    }

    @Test
    void leavesTheResponseReadable() throws Exception {
        String body = "{\"error\":{\"code\":9,\"message\":\"Device not found\"}}";
        server.enqueue(Reply.json(400, body));

        try (Response response = http.newCall(get("/api/getstationsdata?device_id=x")).execute()) {
            NetatmoApiException e = NetatmoApiException.from(response);
            assertEquals(9, e.errorCode());
            assertEquals(body, response.body().string());
        }
    }

    @Test
    void readsAtMost16KiBOfTheBody() throws Exception {
        // A valid error after 20 KiB of whitespace: understood only if more than 16 KiB were read.
        server.enqueue(Reply.json(403, " ".repeat(20 * 1024) + "{\"error\":{\"code\":13,\"message\":\"scope\"}}"));

        NetatmoApiException e = failedCall(get("/api/getstationsdata"));

        assertEquals(403, e.httpStatus());
        assertEquals(-1, e.errorCode());
    }

    @Test
    void netatmosTextIsKeptToOneShortLine() throws Exception {
        server.enqueue(Reply.json(400, "{\"error\":{\"code\":21,\"message\":\"bad\\nINFO forged log line "
                + "x".repeat(300) + "\"}}"));

        NetatmoApiException e = failedCall(get("/api/getmeasure"));

        assertFalse(e.errorMessage().contains("\n"));
        assertTrue(e.errorMessage().startsWith("bad INFO forged log line xxx"), e.errorMessage());
        assertEquals(201, e.errorMessage().length(), e.errorMessage());
        assertTrue(e.errorMessage().endsWith("x…"), e.errorMessage());
    }

    @Test
    void everyKnownCodeGetsAdvice() throws Exception {
        int[][] cases = {{403, 1}, {403, 30}, {429, 999}, {400, 0}};
        String[] advice = {"no access token was sent", "the refresh token is no longer valid",
                "rate limited; call less often", null};
        for (int i = 0; i < cases.length; i++) {
            server.enqueue(Reply.apiError(cases[i][0], cases[i][1], "text"));
            NetatmoApiException e = failedCall(get("/api/getstationsdata"));
            if (advice[i] == null) {
                assertFalse(e.getMessage().contains("): "), e.getMessage());
            } else {
                assertTrue(e.getMessage().contains(advice[i]), e.getMessage());
            }
        }
    }

    @Test
    void aCodeGivenAsAStringIsUnderstoodAndGarbageIsNot() throws Exception {
        server.enqueue(Reply.json(403, "{\"error\":{\"code\":\" 3 \",\"message\":\"expired\"}}"));
        assertEquals(3, failedCall(get("/api/getstationsdata")).errorCode());
        server.enqueue(Reply.json(403, "{\"error\":{\"code\":\"three\"}}"));
        assertEquals(-1, failedCall(get("/api/getstationsdata")).errorCode());
        server.enqueue(Reply.json(403, "{\"error\":{\"code\":2,\"message\":\"   \"}}"));
        NetatmoApiException blank = failedCall(get("/api/getstationsdata"));
        assertEquals(2, blank.errorCode());
        assertNull(blank.errorMessage(), "a blank message counts as none");
        server.enqueue(Reply.json(500, ""));
        assertEquals(-1, failedCall(get("/api/getstationsdata")).errorCode());
    }

    @Test
    void aTokenEchoedWhereTheTextIsCutIsRedactedBeforeTheCut() throws Exception {
        String token = "5f1e0000000000000000|abcdef0123456789abcdef";
        server.enqueue(Reply.apiError(403, 2, "x".repeat(190) + " " + token));
        Request request = get("/api/getstationsdata").newBuilder().header("Authorization", "Bearer " + token).build();

        NetatmoApiException e = failedCall(request);

        assertEquals("x".repeat(190) + " [redacted…", e.errorMessage());
        assertFalse(e.getMessage().contains("5f1e0"), e.getMessage());
    }

    @Test
    void afterTheCallerReadTheBodyItDescribesTheResponseWithoutIt() throws Exception {
        server.enqueue(Reply.apiError(403, 13, "Application does not have the good scope rights"));

        NetatmoApiException e;
        try (Response response = http.newCall(get("/api/gethomecoachsdata")).execute()) {
            response.body().string();
            e = NetatmoApiException.from(response);
        }

        assertEquals(403, e.httpStatus());
        assertEquals(-1, e.errorCode());
        assertNull(e.errorMessage());
        assertEquals("NetAtmo API call GET " + server.url("/api/gethomecoachsdata") + " failed with HTTP 403 (body"
                + " already read; pass it to NetatmoApiException.from(response, body) for NetAtmo's error code)",
                e.getMessage());
    }

    @Test
    void aBodyTheCallerReadIsDescribedLikeAnUnreadOne() throws Exception {
        server.enqueue(Reply.apiError(403, 13, "Application does not have the good scope rights"));

        NetatmoApiException e;
        try (Response response = http.newCall(get("/api/gethomecoachsdata")).execute()) {
            e = NetatmoApiException.from(response, response.body().string());
        }

        assertEquals(403, e.httpStatus());
        assertEquals(13, e.errorCode());
        assertEquals("Application does not have the good scope rights", e.errorMessage());
        assertEquals("NetAtmo API call GET " + server.url("/api/gethomecoachsdata") + " failed with HTTP 403,"
                + " error code 13 (Application does not have the good scope rights): the app was not granted the"
                + " scope this call needs; authorize again with it (read_station for weather stations,"
                + " read_homecoach for the Healthy Home Coach)", e.getMessage());
    }

    @Test
    void aBodyTheCallerReadIsLookedAtForItsFirst16KiBOnly() throws Exception {
        server.enqueue(Reply.ok(OK_BODY));
        try (Response response = http.newCall(get("/api/getstationsdata")).execute()) {
            // Valid errors after 20 Ki characters, and after 18000 bytes of 9000 two-byte characters.
            assertEquals(-1, NetatmoApiException.from(response, " ".repeat(20 * 1024)
                    + "{\"error\":{\"code\":13}}").errorCode());
            assertEquals(-1, NetatmoApiException.from(response, "{\"error\":{\"message\":\"" + "é".repeat(9000)
                    + "\",\"code\":21}}").errorCode());
            assertEquals(21, NetatmoApiException.from(response, "{\"error\":{\"message\":\"" + "é".repeat(100)
                    + "\",\"code\":21}}").errorCode());
        }
    }

    @Test
    void aBodyTheCallerReadThatEchoesTheTokenIsRedacted() throws Exception {
        String token = "read-body-token-0123456789";
        server.enqueue(Reply.apiError(403, 2, "Invalid access token " + token));
        Request request = get("/api/getstationsdata").newBuilder().header("Authorization", "Bearer " + token).build();

        NetatmoApiException e;
        try (Response response = http.newCall(request).execute()) {
            e = NetatmoApiException.from(response, response.body().string());
        }

        assertEquals("Invalid access token [redacted]", e.errorMessage());
        assertFalse(e.getMessage().contains(token), e.getMessage());
    }

    @Test
    void aTokenEchoedWithoutBearerPrefixIsStillRedacted() throws Exception {
        server.enqueue(Reply.apiError(403, 2, "Invalid access token raw-token-xyz"));
        Request request = new Request.Builder().url(server.url("/api/getstationsdata"))
                .header("Authorization", "raw-token-xyz").build();
        NetatmoApiException e = failedCall(request);
        assertFalse(e.getMessage().contains("raw-token-xyz"), e.getMessage());
        assertTrue(e.getMessage().contains("[redacted]"), e.getMessage());
    }

    @Test
    void rateLimitsAndServerErrorsAreRetryableAndAMissingScopeIsNot() throws Exception {
        server.enqueue(Reply.apiError(403, 26, "User usage reached"));
        server.enqueue(Reply.apiError(429, 11, "Failed to enter concurrency limited section"));
        server.enqueue(Reply.json(503, "<html>down</html>"));
        server.enqueue(Reply.apiError(403, 13, "Application does not have the good scope rights"));
        server.enqueue(Reply.apiError(400, 21, "Invalid argument"));

        assertTrue(failedCall(get("/api/getstationsdata")).isRetryable(), "26");
        NetatmoApiException concurrency = failedCall(get("/api/getstationsdata"));
        assertTrue(concurrency.isRetryable(), "429 with 11");
        assertTrue(concurrency.getMessage().contains("too many requests at once"), concurrency.getMessage());
        assertTrue(failedCall(get("/api/getstationsdata")).isRetryable(), "503");
        assertFalse(failedCall(get("/api/getstationsdata")).isRetryable(), "13");
        NetatmoException badArgument = failedCall(get("/api/getstationsdata"));
        assertFalse(badArgument.isRetryable(), "21");
    }
}
