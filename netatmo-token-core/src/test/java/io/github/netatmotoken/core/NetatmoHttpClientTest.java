package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link NetatmoHttpClient} against a real HTTP server on 127.0.0.1, with the JDK's own client. */
class NetatmoHttpClientTest {
    private static final String EXPIRED = "{\"error\":{\"code\":3,\"message\":\"Access token expired\"}}";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private MockWebServer server;
    private URI stations;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start(InetAddress.getLoopbackAddress(), 0);
        stations = URI.create(server.url("/api/getstationsdata").toString());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void answer(int code, String body) {
        server.enqueue(new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json")
                .body(body).build());
    }

    private HttpRequest get() {
        return HttpRequest.newBuilder(stations).timeout(Duration.ofSeconds(5)).build();
    }

    private String authorizationOf(RecordedRequest request) {
        return request.getHeaders().get("Authorization");
    }

    private RecordedRequest taken() throws InterruptedException {
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("no request reached the server");
        }
        return request;
    }

    @Test
    void everyRequestCarriesTheAccessToken() throws Exception {
        answer(200, "{\"status\":\"ok\"}");
        SequenceTokenSource tokens = new SequenceTokenSource("a1");
        HttpResponse<String> response = new NetatmoHttpClient(http, tokens).send(get(), BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("{\"status\":\"ok\"}", response.body());
        assertEquals("Bearer a1", authorizationOf(taken()));
    }

    @Test
    void a401RenewsTheTokenAndSendsTheRequestOnceMore() throws Exception {
        answer(401, "");
        answer(200, "{\"status\":\"ok\"}");
        SequenceTokenSource tokens = new SequenceTokenSource("a1", "a2");
        HttpResponse<String> response = new NetatmoHttpClient(http, tokens).send(get(), BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(List.of("a1"), tokens.invalidated());
        assertEquals("Bearer a1", authorizationOf(taken()));
        assertEquals("Bearer a2", authorizationOf(taken()));
    }

    @Test
    void a403WithCode3RenewsTheToken() throws Exception {
        answer(403, EXPIRED);
        answer(200, "ok");
        SequenceTokenSource tokens = new SequenceTokenSource("a1", "a2");
        assertEquals("ok", new NetatmoHttpClient(http, tokens).send(get(), BodyHandlers.ofString()).body());
        assertEquals(List.of("a1"), tokens.invalidated());
        assertEquals(2, server.getRequestCount());
    }

    @Test
    void codes13And26ReachTheCallerWithTheirBodyAndRenewNothing() throws Exception {
        for (String body : List.of("{\"error\":{\"code\":13,\"message\":\"Application does not have the good scope"
                + " rights\"}}", "{\"error\":{\"code\":26,\"message\":\"User usage reached\"}}")) {
            answer(403, body);
            SequenceTokenSource tokens = new SequenceTokenSource("a1", "a2");
            HttpResponse<String> response = new NetatmoHttpClient(http, tokens).send(get(), BodyHandlers.ofString());
            assertEquals(403, response.statusCode());
            assertEquals(body, response.body(), "the caller's handler gets the whole body");
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(tokens.invalidated().isEmpty());
        }
        assertEquals(2, server.getRequestCount());
    }

    @Test
    void aRejectedRetryIsHandedToTheCallerWithoutASecondRetry() throws Exception {
        answer(401, "first");
        answer(401, "second");
        answer(200, "never");
        SequenceTokenSource tokens = new SequenceTokenSource("a1", "a2", "a3");
        HttpResponse<String> response = new NetatmoHttpClient(http, tokens).send(get(), BodyHandlers.ofString());
        assertEquals(401, response.statusCode());
        assertEquals("second", response.body());
        assertEquals(2, server.getRequestCount());
    }

    @Test
    void theSameTokenHandedOutAgainIsNotRetried() throws Exception {
        answer(401, "rejected");
        SequenceTokenSource tokens = new SequenceTokenSource("a1");
        HttpResponse<String> response = new NetatmoHttpClient(http, tokens).send(get(), BodyHandlers.ofString());
        assertEquals("rejected", response.body());
        assertEquals(List.of("a1"), tokens.invalidated());
        assertEquals(1, server.getRequestCount());
    }

    @Test
    void aBodyOfKnownLengthIsSentAgainWhole() throws Exception {
        answer(401, "");
        answer(200, "ok");
        HttpRequest post = HttpRequest.newBuilder(stations).POST(HttpRequest.BodyPublishers.ofString("device_id=x"))
                .build();
        new NetatmoHttpClient(http, new SequenceTokenSource("a1", "a2")).send(post, BodyHandlers.ofString());
        assertEquals("device_id=x", taken().getBody().utf8());
        RecordedRequest retry = taken();
        assertEquals("device_id=x", retry.getBody().utf8());
        assertEquals("Bearer a2", authorizationOf(retry));
    }

    @Test
    void aBodyOfUnknownLengthIsSentOnceAndTheTokenStillRenewed() throws Exception {
        answer(401, "rejected");
        SequenceTokenSource tokens = new SequenceTokenSource("a1", "a2");
        HttpRequest post = HttpRequest.newBuilder(stations).POST(HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream("once".getBytes(StandardCharsets.UTF_8)))).build();
        HttpResponse<String> response = new NetatmoHttpClient(http, tokens).send(post, BodyHandlers.ofString());
        assertEquals(401, response.statusCode());
        assertEquals("rejected", response.body());
        assertEquals(List.of("a1"), tokens.invalidated(), "the next request gets the new token");
        assertEquals(1, server.getRequestCount());
    }

    @Test
    void aRequestWithItsOwnAuthorizationIsSentUntouched() throws Exception {
        answer(401, "");
        SequenceTokenSource tokens = new SequenceTokenSource("a1", "a2");
        HttpRequest own = HttpRequest.newBuilder(stations).header("Authorization", "Bearer mine").build();
        assertEquals(401, new NetatmoHttpClient(http, tokens).send(own, BodyHandlers.ofString()).statusCode());
        assertEquals("Bearer mine", authorizationOf(taken()));
        assertEquals(0, tokens.tokenCalls());
        assertTrue(tokens.invalidated().isEmpty());
    }

    @Test
    void withoutATokenNothingIsSent() throws Exception {
        RefreshingTokenSource empty = RefreshingTokenSource.builder().store(TokenStore.inMemory())
                .client(new FakeTokenClient(new FakeClock(), Duration.ofHours(3), "r")).build();
        try (empty) {
            NetatmoHttpClient netatmo = new NetatmoHttpClient(http, empty);
            assertThrows(NotAuthenticatedException.class, () -> netatmo.send(get(), BodyHandlers.ofString()));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> netatmo.sendAsync(get(), BodyHandlers.ofString()).get(5, TimeUnit.SECONDS));
            assertInstanceOf(NotAuthenticatedException.class, e.getCause());
        }
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void sendAsyncRenewsAndRetriesOnceToo() throws Exception {
        answer(403, EXPIRED);
        answer(200, "ok");
        SequenceTokenSource tokens = new SequenceTokenSource("a1", "a2");
        HttpResponse<String> response = new NetatmoHttpClient(http, tokens).sendAsync(get(), BodyHandlers.ofString())
                .get(5, TimeUnit.SECONDS);
        assertEquals("ok", response.body());
        assertEquals("Bearer a1", authorizationOf(taken()));
        assertEquals("Bearer a2", authorizationOf(taken()));
    }

    @Test
    void sendAsyncHandsANonRejectionToTheCallersHandler() throws Exception {
        answer(403, "<html>proxy says no</html>");
        HttpResponse<String> response = new NetatmoHttpClient(http, new SequenceTokenSource("a1", "a2"))
                .sendAsync(get(), BodyHandlers.ofString()).get(5, TimeUnit.SECONDS);
        assertEquals(403, response.statusCode());
        assertEquals("<html>proxy says no</html>", response.body());
        assertEquals(stations, response.uri());
        assertEquals(1, server.getRequestCount());
    }

    @Test
    void aLongRejectionBodyIsCutAt64KiB() throws Exception {
        String page = "x".repeat(100_000);
        answer(403, page);
        HttpResponse<String> response = new NetatmoHttpClient(http, new SequenceTokenSource("a1"))
                .send(get(), BodyHandlers.ofString());
        assertEquals(CapturedBody.MAX_CAPTURED_BYTES, response.body().length());
    }

    @Test
    void theTokenIsInNoStringOfTheClient() {
        assertEquals("NetatmoHttpClient[SequenceTokenSource]",
                new NetatmoHttpClient(http, new SequenceTokenSource("secret-access")).toString());
    }
}
