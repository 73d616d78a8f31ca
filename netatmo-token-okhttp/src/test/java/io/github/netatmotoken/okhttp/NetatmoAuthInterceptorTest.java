package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.FakeTokenClient;
import io.github.netatmotoken.core.InMemoryTokenStore;
import io.github.netatmotoken.core.NotAuthenticatedException;
import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenSource;
import io.github.netatmotoken.okhttp.TestServer.Received;
import io.github.netatmotoken.okhttp.TestServer.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetatmoAuthInterceptorTest {
    private static final String STATIONS = "/api/getstationsdata";
    private static final String OK = "{\"body\":{\"devices\":[]},\"status\":\"ok\"}";

    private TestServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = TestServer.start();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
    }

    private static OkHttpClient client(FakeTokenSource tokens) {
        return new OkHttpClient.Builder().addInterceptor(new NetatmoAuthInterceptor(tokens)).build();
    }

    private Request get() {
        return new Request.Builder().url(server.url(STATIONS)).build();
    }

    @Test
    void addsTheAccessTokenAsBearerHeader() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1");
        server.enqueue(Reply.ok(OK));

        try (Response response = client(tokens).newCall(get()).execute()) {
            assertEquals(200, response.code());
            assertEquals(OK, response.body().string());
        }
        Received received = server.takeRequest();
        assertEquals("GET", received.method());
        assertEquals(STATIONS, received.path());
        assertEquals("Bearer access-1", received.authorization());
        assertEquals(1, server.requestCount());
        assertEquals(List.of(), tokens.invalidated());
    }

    @Test
    void everyCallAsksTheSourceSoANewTokenIsUsedAtOnce() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        OkHttpClient client = client(tokens);
        server.enqueue(Reply.ok(OK));
        server.enqueue(Reply.ok(OK));

        client.newCall(get()).execute().close();
        tokens.invalidate(tokens.token());
        client.newCall(get()).execute().close();

        assertEquals("Bearer access-1", server.takeRequest().authorization());
        assertEquals("Bearer access-2", server.takeRequest().authorization());
    }

    @Test
    void requestWithItsOwnAuthorizationHeaderPassesUntouched() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1");
        server.enqueue(Reply.apiError(403, 3, "Access token expired"));
        Request request = get().newBuilder().header("Authorization", "Bearer callers-own").build();

        try (Response response = client(tokens).newCall(request).execute()) {
            assertEquals(403, response.code());
        }
        assertEquals("Bearer callers-own", server.takeRequest().authorization());
        assertEquals(1, server.requestCount());
        assertEquals(0, tokens.tokenCalls());
        assertEquals(List.of(), tokens.invalidated());
    }

    @Test
    void withoutATokenTheCallFailsWithTheSourcesExceptionBeforeAnythingIsSent() throws Exception {
        NotAuthenticatedException noToken = new NotAuthenticatedException("No NetAtmo token yet: authorize first");
        OkHttpClient client = client(FakeTokenSource.failing(noToken));

        IOException thrown = assertThrows(IOException.class, () -> client.newCall(get()).execute());

        assertSame(noToken, thrown);
        assertEquals(0, server.requestCount());
    }

    @Test
    void aTokenThatCannotBeRenewedFailsTheCallBeforeAnythingIsSent() throws Exception {
        ReauthorizationRequiredException dead = new ReauthorizationRequiredException("invalid_grant: authorize again");
        OkHttpClient client = client(FakeTokenSource.failing(dead));

        assertSame(dead, assertThrows(ReauthorizationRequiredException.class, () -> client.newCall(get()).execute()));
        assertEquals(0, server.requestCount());
    }

    @Test
    void unauthorizedIsRetriedOnceWithANewToken() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        server.enqueue(Reply.json(401, "{}"));
        server.enqueue(Reply.ok(OK));

        try (Response response = client(tokens).newCall(get()).execute()) {
            assertEquals(200, response.code());
            assertEquals(OK, response.body().string());
        }
        assertEquals("Bearer access-1", server.takeRequest().authorization());
        assertEquals("Bearer access-2", server.takeRequest().authorization());
        assertEquals(2, server.requestCount());
        assertEquals(List.of("access-1"), tokens.invalidated());
    }

    @ParameterizedTest(name = "403 with NetAtmo error code {0}")
    @ValueSource(ints = {2, 3})
    void forbiddenForAnInvalidOrExpiredTokenIsRetriedOnceWithANewToken(int code) throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        server.enqueue(Reply.apiError(403, code, "Invalid access token"));
        server.enqueue(Reply.ok(OK));

        try (Response response = client(tokens).newCall(get()).execute()) {
            assertEquals(200, response.code());
        }
        List<Received> received = server.received();
        assertEquals(2, received.size());
        assertEquals("Bearer access-1", received.get(0).authorization());
        assertEquals("Bearer access-2", received.get(1).authorization());
        assertEquals(List.of("access-1"), tokens.invalidated());
    }

    @ParameterizedTest(name = "403 with NetAtmo error code {0}")
    @ValueSource(ints = {13, 26, 9, 1})
    void forbiddenForOtherReasonsReachesTheCallerUnchangedWithoutARefresh(int code) throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        String body = "{\"error\":{\"code\":" + code + ",\"message\":\"not a token problem\"}}";
        server.enqueue(Reply.json(403, body));

        try (Response response = client(tokens).newCall(get()).execute()) {
            assertEquals(403, response.code());
            assertEquals(body, response.body().string());
        }
        assertEquals(1, server.requestCount());
        assertEquals(List.of(), tokens.invalidated());
    }

    @Test
    void forbiddenWithABodyThatIsNoNetatmoErrorReachesTheCallerUnchanged() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        server.enqueue(Reply.json(403, "<html>Forbidden by a proxy</html>"));

        try (Response response = client(tokens).newCall(get()).execute()) {
            assertEquals(403, response.code());
            assertEquals("<html>Forbidden by a proxy</html>", response.body().string());
        }
        assertEquals(1, server.requestCount());
        assertEquals(List.of(), tokens.invalidated());
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {400, 404, 429, 500, 503})
    void otherStatusesReachTheCallerUnchangedWithoutARefresh(int status) throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        server.enqueue(Reply.apiError(status, 3, "even with a token code, only 401 and 403 count"));

        try (Response response = client(tokens).newCall(get()).execute()) {
            assertEquals(status, response.code());
        }
        assertEquals(1, server.requestCount());
        assertEquals(List.of(), tokens.invalidated());
    }

    @Test
    void aRetryThatIsRejectedAgainReachesTheCallerWithoutASecondRetry() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2", "access-3");
        server.handle(request -> Reply.apiError(403, 2, "Invalid access token"));

        try (Response response = client(tokens).newCall(get()).execute()) {
            assertEquals(403, response.code());
            assertTrue(response.body().string().contains("\"code\":2"));
        }
        List<Received> received = server.received();
        assertEquals(2, received.size());
        assertEquals("Bearer access-1", received.get(0).authorization());
        assertEquals("Bearer access-2", received.get(1).authorization());
        assertEquals(List.of("access-1"), tokens.invalidated());
    }

    @Test
    void theRetryRepeatsMethodAndBody() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        server.enqueue(Reply.apiError(403, 3, "Access token expired"));
        server.enqueue(Reply.ok(OK));
        Request post = new Request.Builder().url(server.url("/api/setthing"))
                .post(RequestBody.create("device_id=70:ee:50:00:00:01",
                        MediaType.get("application/x-www-form-urlencoded")))
                .build();

        client(tokens).newCall(post).execute().close();

        Received first = server.takeRequest();
        Received retry = server.takeRequest();
        assertEquals("POST", retry.method());
        assertEquals("/api/setthing", retry.path());
        assertEquals("device_id=70:ee:50:00:00:01", first.body());
        assertEquals(first.body(), retry.body());
        assertEquals("Bearer access-2", retry.authorization());
    }

    @Test
    void aOneShotBodyIsNeverRetriedButTheTokenIsInvalidatedForTheNextCall() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        String rejection = "{\"error\":{\"code\":3,\"message\":\"Access token expired\"}}";
        server.enqueue(Reply.json(403, rejection));
        server.enqueue(Reply.ok(OK));
        OkHttpClient client = client(tokens);

        try (Response response = client.newCall(new Request.Builder().url(server.url("/api/upload"))
                .post(new OneShotBody("payload")).build()).execute()) {
            assertEquals(403, response.code());
            assertEquals(rejection, response.body().string());
        }
        assertEquals(1, server.requestCount());
        assertEquals(List.of("access-1"), tokens.invalidated());

        client.newCall(get()).execute().close();
        assertEquals("Bearer access-1", server.takeRequest().authorization());
        assertEquals("Bearer access-2", server.takeRequest().authorization());
    }

    @Test
    void whenNoNewTokenCanBeHadTheCallFailsWithTheSourcesReason() throws Exception {
        ReauthorizationRequiredException dead = new ReauthorizationRequiredException("invalid_grant: authorize again");
        FakeTokenSource tokens = FakeTokenSource.thenFailing(dead, "access-1");
        server.enqueue(Reply.json(401, "{}"));

        assertSame(dead, assertThrows(ReauthorizationRequiredException.class,
                () -> client(tokens).newCall(get()).execute()));
        assertEquals(1, server.requestCount());
        assertEquals(List.of("access-1"), tokens.invalidated());
    }

    @Test
    void whenTheSourceHandsOutTheSameTokenAgainTheRejectionReachesTheCallerWithItsBody() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1");
        String rejection = "{\"error\":{\"code\":2,\"message\":\"Invalid access token\"}}";
        server.enqueue(Reply.json(403, rejection));

        try (Response response = client(tokens).newCall(get()).execute()) {
            assertEquals(403, response.code());
            assertEquals("application/json", response.header("Content-Type"));
            assertEquals(rejection, response.body().string());
        }
        assertEquals(1, server.requestCount());
        assertEquals(List.of("access-1"), tokens.invalidated());
    }

    @Test
    void aRejectedOneShotRequestHandsTheCallerTheWholeBody() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        String rejection = largeBody("{\"error\":{\"code\":3,\"message\":\"Access token expired\"}}");
        server.enqueue(Reply.json(401, rejection));

        try (Response response = client(tokens).newCall(new Request.Builder().url(server.url("/api/upload"))
                .post(new OneShotBody("payload")).build()).execute()) {
            assertWholeBody(rejection, 401, response);
        }
        assertEquals(List.of("access-1"), tokens.invalidated());
    }

    @Test
    void whenTheSourceHandsOutTheSameTokenAgainTheCallerGetsTheWholeBody() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1");
        String rejection = largeBody("{\"error\":{\"code\":2,\"message\":\"Invalid access token\"}}");
        server.enqueue(Reply.json(403, rejection));

        try (Response response = client(tokens).newCall(get()).execute()) {
            assertWholeBody(rejection, 403, response);
        }
        assertEquals(1, server.requestCount());
        assertEquals(List.of("access-1"), tokens.invalidated());
    }

    @Test
    void aForbiddenThatRejectsNoTokenHandsTheCallerTheWholeBody() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        String forbidden = largeBody("{\"error\":{\"code\":13,\"message\":\"Application does not have the good"
                + " scope rights\"}}");
        server.enqueue(Reply.json(403, forbidden));

        try (Response response = client(tokens).newCall(get()).execute()) {
            assertWholeBody(forbidden, 403, response);
        }
        assertEquals(List.of(), tokens.invalidated());
    }

    /** NetAtmo's error JSON, then spaces (which JSON allows after a value) up to 20000 bytes, more than is peeked. */
    private static String largeBody(String json) {
        return json + " ".repeat(20_000 - json.length());
    }

    private static void assertWholeBody(String expected, int status, Response response) throws IOException {
        assertEquals(status, response.code());
        assertEquals("20000", response.header("Content-Length"));
        byte[] body = response.body().bytes();
        assertEquals(20_000, body.length);
        assertEquals(expected, new String(body, StandardCharsets.UTF_8));
    }

    @Test
    void asANetworkInterceptorItFailsEveryCallSayingHowToAddIt() {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        OkHttpClient client = new OkHttpClient.Builder()
                .addNetworkInterceptor(new NetatmoAuthInterceptor(tokens)).build();

        IOException e = assertThrows(IOException.class, () -> client.newCall(get()).execute());

        assertEquals("NetatmoAuthInterceptor must be added with OkHttpClient.Builder.addInterceptor, not"
                + " addNetworkInterceptor", e.getMessage());
        assertEquals(0, tokens.tokenCalls());
        assertEquals(0, server.requestCount());
    }

    @Test
    void aClosedRefreshingTokenSourceFailsAnEnqueuedCallWithAnIOExceptionThatSaysSo() throws Exception {
        FakeClock clock = new FakeClock();
        RefreshingTokenSource closed = RefreshingTokenSource.builder()
                .store(new InMemoryTokenStore(new Token("access-1", "refresh-1", clock.instant().plusSeconds(10800))))
                .client(new FakeTokenClient(clock, Duration.ofHours(3), "refresh-1"))
                .clock(clock).build();
        closed.close();
        OkHttpClient client = new OkHttpClient.Builder().addInterceptor(new NetatmoAuthInterceptor(closed)).build();
        CompletableFuture<Object> outcome = new CompletableFuture<>();

        client.newCall(get()).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                outcome.complete(e);
            }

            @Override
            public void onResponse(Call call, Response response) {
                response.close();
                outcome.complete(response.code());
            }
        });

        // OkHttp would report a RuntimeException as "canceled due to ..." and rethrow it on its dispatcher thread.
        IOException e = assertInstanceOf(IOException.class, outcome.get(10, TimeUnit.SECONDS));
        assertEquals("Could not get a NetAtmo access token from RefreshingTokenSource: This RefreshingTokenSource is"
                + " closed", e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(0, server.requestCount());
    }

    @Test
    void aRuntimeExceptionFromInvalidateFailsTheCallWithAnIOException() throws Exception {
        IllegalStateException broken = new IllegalStateException("the token store is gone");
        TokenSource source = new TokenSource() {
            private final Token token = new Token("access-1", "refresh-1", Instant.parse("2030-01-01T00:00:00Z"));

            @Override
            public Token token() {
                return token;
            }

            @Override
            public void invalidate(Token rejected) {
                throw broken;
            }
        };
        server.enqueue(Reply.json(401, "{}"));
        OkHttpClient client = new OkHttpClient.Builder().addInterceptor(new NetatmoAuthInterceptor(source)).build();

        IOException e = assertThrows(IOException.class, () -> client.newCall(get()).execute());

        assertTrue(e.getMessage().startsWith("Could not report a rejected NetAtmo access token to "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": the token store is gone"), e.getMessage());
        assertSame(broken, e.getCause());
        assertEquals(1, server.requestCount());
    }

    @Test
    void toStringNamesTheSourceTypeOnly() {
        NetatmoAuthInterceptor interceptor = new NetatmoAuthInterceptor(FakeTokenSource.of("access-secret-1"));
        assertEquals("NetatmoAuthInterceptor[FakeTokenSource]", interceptor.toString());
    }

    @Test
    void aMissingSourceIsRejectedAtOnce() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new NetatmoAuthInterceptor(null));
        assertEquals("tokens", e.getMessage());
    }

    @Test
    void aSourceThatReturnsNoAccessTokenFailsTheCallBeforeAnythingIsSent() throws Exception {
        TokenSource broken = new TokenSource() {
            @Override
            public Token token() {
                return Token.ofRefreshToken("refresh-only");
            }

            @Override
            public void invalidate(Token rejected) {
            }
        };
        OkHttpClient client = new OkHttpClient.Builder().addInterceptor(new NetatmoAuthInterceptor(broken)).build();

        NotAuthenticatedException e = assertThrows(NotAuthenticatedException.class,
                () -> client.newCall(get()).execute());
        assertTrue(e.getMessage().contains("returned no access token"), e.getMessage());
        assertFalse(e.getMessage().contains("refresh-only"), e.getMessage());
        assertEquals(0, server.requestCount());
    }

    /** A body that can be written once, like a stream being uploaded. */
    private static final class OneShotBody extends RequestBody {
        private final String content;

        OneShotBody(String content) {
            this.content = content;
        }

        @Override
        public MediaType contentType() {
            return MediaType.get("text/plain");
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            sink.writeUtf8(content);
        }

        @Override
        public boolean isOneShot() {
            return true;
        }
    }

    @Test
    void a401ThatNamesARateLimitOrAMissingScopeRenewsNothing() throws Exception {
        FakeTokenSource tokens = FakeTokenSource.of("access-1", "access-2");
        server.enqueue(Reply.apiError(401, 26, "User usage reached"));
        server.enqueue(Reply.apiError(401, 13, "Application does not have the good scope rights"));
        OkHttpClient client = client(tokens);

        try (Response response = client.newCall(get()).execute()) {
            assertEquals(401, response.code());
        }
        try (Response response = client.newCall(get()).execute()) {
            assertEquals(401, response.code());
        }
        assertEquals(2, server.requestCount());
        assertEquals(List.of(), tokens.invalidated());
    }
}
