package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenRefreshException;
import io.github.netatmotoken.okhttp.TestServer.Received;
import io.github.netatmotoken.okhttp.TestServer.Reply;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OkHttpTokenClientTest {
    private static final String CLIENT_ID = "client-id-0123";
    private static final String CLIENT_SECRET = "client-secret-4567";
    private static final String NEW_PAIR = "{\"access_token\":\"access-2\",\"refresh_token\":\"refresh-2\","
            + "\"scope\":[\"read_station\"],\"expires_in\":10800,\"expire_in\":10800}";

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-15T10:00:00Z"));
    private TestServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = TestServer.start();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
    }

    private OkHttpTokenClient.Builder builder() {
        return OkHttpTokenClient.builder().clientId(CLIENT_ID).clientSecret(CLIENT_SECRET)
                .baseUrl(server.baseUri()).clock(clock);
    }

    @Test
    void refreshPostsTheRefreshGrantAndReturnsTheNewPairDatedFromTheRequest() throws Exception {
        server.enqueue(Reply.ok(NEW_PAIR));

        Token token = builder().build().refresh("refresh-1");

        assertEquals(new Token("access-2", "refresh-2", Instant.parse("2026-01-15T13:00:00Z")), token);
        Received request = server.takeRequest();
        assertEquals("POST", request.method());
        assertEquals("/oauth2/token", request.path());
        assertEquals("application/x-www-form-urlencoded; charset=utf-8", request.header("Content-Type"));
        assertEquals("application/json", request.header("Accept"));
        assertNull(request.authorization());
        assertEquals("grant_type=refresh_token&refresh_token=refresh-1&client_id=client-id-0123"
                + "&client_secret=client-secret-4567", request.body());
    }

    @Test
    void exchangeCodePostsTheAuthorizationCodeGrant() throws Exception {
        server.enqueue(Reply.ok(NEW_PAIR));

        Token token = builder().build().exchangeCode("code-9", URI.create("http://localhost:9210/auth/callback"));

        assertEquals("refresh-2", token.refreshToken());
        assertEquals("grant_type=authorization_code&client_id=client-id-0123&client_secret=client-secret-4567"
                + "&code=code-9&redirect_uri=http%3A%2F%2Flocalhost%3A9210%2Fauth%2Fcallback",
                server.takeRequest().body());
    }

    @Test
    void aResponseWithoutRefreshTokenKeepsTheOneSpent() throws Exception {
        server.enqueue(Reply.ok("{\"access_token\":\"access-2\",\"expires_in\":60}"));

        Token token = builder().build().refresh("refresh-1");

        assertEquals(new Token("access-2", "refresh-1", Instant.parse("2026-01-15T10:01:00Z")), token);
    }

    @Test
    void aPathPrefixOfTheBaseUrlIsKept() throws Exception {
        server.enqueue(Reply.ok(NEW_PAIR));

        builder().baseUrl(URI.create(server.baseUri() + "/netatmo/")).build().refresh("refresh-1");

        assertEquals("/netatmo/oauth2/token", server.takeRequest().path());
    }

    @Test
    void invalidGrantMeansAuthorizeAgain() {
        server.enqueue(Reply.json(400, "{\"error\":\"invalid_grant\"}"));

        ReauthorizationRequiredException e = assertThrows(ReauthorizationRequiredException.class,
                () -> builder().build().refresh("refresh-1"));

        assertEquals("invalid_grant", e.error());
        assertTrue(e.getMessage().contains("Authorize again"), e.getMessage());
        assertTrue(e.getMessage().contains(server.baseUri() + "/oauth2/token"), e.getMessage());
        assertFalse(e.getMessage().contains("refresh-1"), e.getMessage());
        assertFalse(e.getMessage().contains(CLIENT_SECRET), e.getMessage());
    }

    @Test
    void aServerErrorIsATransientFailureWithTheStatus() {
        server.enqueue(Reply.json(503, "{\"error\":\"temporarily_unavailable\"}"));

        TokenRefreshException e = assertThrows(TokenRefreshException.class,
                () -> builder().build().refresh("refresh-1"));

        assertEquals(503, e.httpStatus());
        assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
    }

    @Test
    void anUnreachableServerIsATransientFailureNamingTheEndpoint() throws Exception {
        URI base = server.baseUri();
        server.close();

        TokenRefreshException e = assertThrows(TokenRefreshException.class,
                () -> builder().baseUrl(base).build().refresh("refresh-1"));

        assertEquals(-1, e.httpStatus());
        assertTrue(e.getMessage().startsWith("Token request to " + base + "/oauth2/token failed: "), e.getMessage());
        assertTrue(e.getCause() instanceof IOException);
    }

    @Test
    void aRefreshIsNotSentAgainWhenTheConnectionDropsAfterTheRequestWasSent() throws Exception {
        OkHttpTokenClient client = builder().build();
        server.enqueue(Reply.ok(NEW_PAIR));
        client.refresh("refresh-1"); // leaves a pooled connection, which OkHttp would retry a failure on
        server.enqueue(Reply.dropConnection());
        server.enqueue(Reply.ok(NEW_PAIR));

        assertThrows(TokenRefreshException.class, () -> client.refresh("refresh-2"));

        assertEquals(2, server.requestCount(), "the spent refresh token must not be sent a second time");
    }

    @Test
    void aResponseIsReadOnlyUpToTheLimit() {
        // Valid JSON after 70 KiB of whitespace: parsed only if more than 64 KiB were read.
        server.enqueue(Reply.ok(" ".repeat(70 * 1024) + NEW_PAIR));

        TokenRefreshException e = assertThrows(TokenRefreshException.class,
                () -> builder().build().refresh("refresh-1"));

        assertTrue(e.getMessage().contains("is not a JSON object"), e.getMessage());
    }

    @Test
    void theCallersInterceptorsAreLeftOutAndItsClientIsUnchanged() throws Exception {
        FakeTokenSource apiTokens = FakeTokenSource.of("access-1");
        OkHttpClient callers = new OkHttpClient.Builder()
                .addInterceptor(new NetatmoAuthInterceptor(apiTokens))
                .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("X-App", "seen").build()))
                .addNetworkInterceptor(chain -> chain.proceed(
                        chain.request().newBuilder().header("X-Network", "seen").build()))
                .build();
        server.enqueue(Reply.ok(NEW_PAIR));

        builder().httpClient(callers).build().refresh("refresh-1");

        Received request = server.takeRequest();
        assertNull(request.authorization());
        assertNull(request.header("X-App"));
        assertNull(request.header("X-Network"));
        assertEquals(0, apiTokens.tokenCalls());
        assertEquals(2, callers.interceptors().size());
        assertEquals(1, callers.networkInterceptors().size());
    }

    @Test
    void redirectsAreNotFollowedSoTheSecretGoesNowhereElse() {
        server.enqueue(Reply.redirect(307, server.url("/elsewhere").toString()));

        TokenRefreshException e = assertThrows(TokenRefreshException.class,
                () -> builder().build().refresh("refresh-1"));

        assertEquals(307, e.httpStatus());
        assertEquals(1, server.requestCount());
    }

    @Test
    void theTokenCallRunsOnTheCallingThread() throws Exception {
        AtomicReference<Thread> caller = new AtomicReference<>();
        OkHttpClient callers = new OkHttpClient.Builder().eventListener(new EventListener() {
            @Override
            public void callStart(Call call) {
                caller.set(Thread.currentThread());
            }
        }).build();
        server.enqueue(Reply.ok(NEW_PAIR));

        builder().httpClient(callers).build().refresh("refresh-1");

        assertSame(Thread.currentThread(), caller.get());
    }

    @Test
    void theTokenCallDoesNotWaitForASlotOfABusyDispatcher() throws Exception {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(1);
        OkHttpClient callers = new OkHttpClient.Builder().dispatcher(dispatcher).build();
        CountDownLatch slowCallArrived = new CountDownLatch(1);
        CountDownLatch releaseSlowCall = new CountDownLatch(1);
        CountDownLatch slowCallDone = new CountDownLatch(1);
        server.handle(request -> {
            if (request.path().equals("/api/slow")) {
                slowCallArrived.countDown();
                await(releaseSlowCall);
                return Reply.ok("{}");
            }
            return Reply.ok(NEW_PAIR);
        });
        callers.newCall(new Request.Builder().url(server.url("/api/slow")).build()).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                slowCallDone.countDown();
            }

            @Override
            public void onResponse(Call call, Response response) {
                response.close();
                slowCallDone.countDown();
            }
        });
        assertTrue(slowCallArrived.await(10, TimeUnit.SECONDS), "the async call did not reach the server");
        assertEquals(1, dispatcher.runningCallsCount());

        try {
            Token token = builder().httpClient(callers).build().refresh("refresh-1");
            assertEquals("access-2", token.accessToken());
        } finally {
            releaseSlowCall.countDown();
        }
        assertTrue(slowCallDone.await(10, TimeUnit.SECONDS));
    }

    @Test
    void toStringShowsTheClientIdAndUrlButNeverTheSecret() {
        assertEquals("OkHttpTokenClient[clientId=client-id-0123, baseUrl=https://api.netatmo.com]",
                OkHttpTokenClient.builder().clientId(CLIENT_ID).clientSecret(CLIENT_SECRET).build().toString());
    }

    @Test
    void buildRejectsAMissingClientIdOrSecretAndABadBaseUrl() {
        assertEquals("clientId is required: the app's client id from https://dev.netatmo.com/apps",
                assertThrows(IllegalStateException.class,
                        () -> OkHttpTokenClient.builder().clientSecret(CLIENT_SECRET).build()).getMessage());
        assertEquals("clientSecret is required: the app's client secret from https://dev.netatmo.com/apps",
                assertThrows(IllegalStateException.class,
                        () -> OkHttpTokenClient.builder().clientId(CLIENT_ID).clientSecret(" ").build()).getMessage());
        assertEquals("baseUrl must be an absolute http or https URL such as https://api.netatmo.com, but is"
                        + " ftp://api.netatmo.com",
                assertThrows(IllegalStateException.class, () -> builder()
                        .baseUrl(URI.create("ftp://api.netatmo.com")).build()).getMessage());
        assertEquals("httpClient", assertThrows(NullPointerException.class,
                () -> OkHttpTokenClient.builder().httpClient(null)).getMessage());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within 30 seconds");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
