package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.FaultyTokenServer;
import io.github.netatmotoken.core.FaultyTokenServer.Fault;
import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenRefreshException;
import io.github.netatmotoken.okhttp.TestServer.Received;
import io.github.netatmotoken.okhttp.TestServer.Reply;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
    void theTokenCallRunsOnADaemonThreadOfItsOwnWhileTheCallerWaits() throws Exception {
        AtomicReference<Thread> sender = new AtomicReference<>();
        OkHttpClient callers = new OkHttpClient.Builder().eventListener(new EventListener() {
            @Override
            public void requestHeadersStart(Call call) {
                sender.set(Thread.currentThread());
            }
        }).build();
        server.enqueue(Reply.ok(NEW_PAIR));

        builder().httpClient(callers).build().refresh("refresh-1");

        assertNotSame(Thread.currentThread(), sender.get());
        // OkHttp names the thread after the call while it runs it, and gives the name back just after the answer.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (!sender.get().getName().startsWith("netatmo-token-okhttp") && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertTrue(sender.get().getName().startsWith("netatmo-token-okhttp"), sender.get().getName());
        assertTrue(sender.get().isDaemon());
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
        assertEquals("timeout must be between 1 ms and PT596H31M23.647S, but is PT0S",
                assertThrows(IllegalStateException.class, () -> builder().timeout(Duration.ZERO).build())
                        .getMessage());
        assertThrows(IllegalStateException.class, () -> builder().timeout(Duration.ofDays(25)).build());
        assertEquals("timeout", assertThrows(NullPointerException.class,
                () -> OkHttpTokenClient.builder().timeout(null)).getMessage());
    }

    // --- one total deadline per token request: one named fault per test ---------------------------------------

    private static final Duration DEADLINE = Duration.ofSeconds(1);
    /** Generous: the call must end near {@link #DEADLINE}, but a busy build machine may be slow. */
    private static final Duration BOUND = DEADLINE.multipliedBy(5);

    private void refreshTimesOut(Fault fault) throws Exception {
        try (FaultyTokenServer faulty = FaultyTokenServer.start(fault)) {
            OkHttpTokenClient impatient = builder().baseUrl(faulty.baseUri()).timeout(DEADLINE).build();

            TokenRefreshException e = assertTimeoutPreemptively(BOUND,
                    () -> assertThrows(TokenRefreshException.class, () -> impatient.refresh("refresh-1")));

            assertEquals(1, faulty.requestCount());
            assertTrue(e.getMessage().startsWith("Token request to " + faulty.baseUri() + "/oauth2/token timed out"
                    + " after PT1S"), e.getMessage());
            assertEquals(-1, e.httpStatus());
            assertFalse(e.toString().contains("refresh-1"), e.toString());
            assertFalse(e.toString().contains(CLIENT_SECRET), e.toString());
        }
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersEndsWithinTheTimeout() throws Exception {
        refreshTimesOut(Fault.NO_RESPONSE);
    }

    @Test
    void aServerThatStallsMidBodyEndsWithinTheTimeout() throws Exception {
        refreshTimesOut(Fault.STALL_MID_BODY);
    }

    @Test
    void aServerThatTricklesTheBodyEndsWithinTheTimeout() throws Exception {
        refreshTimesOut(Fault.TRICKLE_BODY);
    }

    // --- interrupts ---------------------------------------------------------------------------------------------

    private record Outcome(Token token, boolean interruptedAfterwards) {
    }

    @Test
    void anInterruptAfterTheRequestWasSentKeepsWaitingAndReturnsTheRotatedTokenWithTheFlagSet() throws Exception {
        try (FaultyTokenServer held = FaultyTokenServer.holdingAnswer(NEW_PAIR)) {
            OkHttpTokenClient patient = builder().baseUrl(held.baseUri()).timeout(Duration.ofSeconds(10)).build();
            CompletableFuture<Outcome> outcome = new CompletableFuture<>();
            Thread caller = new Thread(() -> {
                try {
                    Token token = patient.refresh("refresh-1");
                    outcome.complete(new Outcome(token, Thread.interrupted()));
                } catch (Throwable e) {
                    outcome.completeExceptionally(e);
                }
            }, "refreshing-caller");
            caller.start();
            held.awaitRequest();

            caller.interrupt(); // as RefreshingTokenSource.close() does to its refresh thread
            held.release();

            Outcome done = outcome.get(10, TimeUnit.SECONDS);
            assertEquals(new Token("access-2", "refresh-2", Instant.parse("2026-01-15T13:00:00Z")), done.token());
            assertTrue(done.interruptedAfterwards(), "the interrupt must be kept for the caller");
            caller.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    @Test
    void anInterruptBeforeAnythingWasSentFailsAtOnceAndSendsNothing() throws Exception {
        server.enqueue(Reply.ok(NEW_PAIR));
        OkHttpTokenClient client = builder().build();
        Thread.currentThread().interrupt();
        try {
            InterruptedIOException e = assertThrows(InterruptedIOException.class, () -> client.refresh("refresh-1"));
            assertEquals("Token request to " + server.baseUri() + "/oauth2/token was not sent: the calling thread is"
                    + " interrupted", e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt stays set");
        } finally {
            Thread.interrupted();
        }

        client.refresh("refresh-next");

        assertEquals(1, server.requestCount(), "the interrupted call must have sent nothing");
        assertTrue(server.takeRequest().body().contains("refresh_token=refresh-next"));
    }

    // --- what the server sends back -----------------------------------------------------------------------------

    @Test
    void aRotatedRefreshTokenInAnOtherwiseUnusableAnswerIsKept() {
        server.enqueue(Reply.ok("{\"refresh_token\":\"refresh-2\",\"expires_in\":\"soon\"}"));

        TokenRefreshException e = assertThrows(TokenRefreshException.class,
                () -> builder().build().refresh("refresh-1"));

        assertEquals(Optional.of(new Token(null, "refresh-2", clock.instant())), e.rotatedToken());
    }

    @Test
    void expiresInWithAFractionAsAStringOrNullNextToExpireInGivesTheRightExpiry() throws Exception {
        OkHttpTokenClient client = builder().build();
        Instant threeHoursLater = Instant.parse("2026-01-15T13:00:00Z");
        for (String expiry : List.of("\"expires_in\":10800.0", "\"expires_in\":\"10800\"",
                "\"expires_in\":\"10800.0\"", "\"expires_in\":null,\"expire_in\":10800")) {
            server.enqueue(Reply.ok("{\"access_token\":\"access-2\"," + expiry + "}"));
            assertEquals(threeHoursLater, client.refresh("refresh-1").expiry(), expiry);
        }
    }

    @Test
    void noSecretEchoedByTheServerReachesAMessageOrError() {
        OkHttpTokenClient client = builder().build();
        String sent = "refresh-sent-1";
        List<String> secrets = List.of(CLIENT_SECRET, sent, "access-2", "refresh-2");
        for (String echoed : secrets) {
            String tokens = ",\"access_token\":\"access-2\",\"refresh_token\":\"refresh-2\"";
            List<String> bodies = List.of(
                    "{\"error\":\"bad " + echoed + "\"" + tokens + "}",
                    "{\"error\":\"invalid_request\",\"error_description\":\"bad " + echoed + "\"" + tokens + "}",
                    "{\"error\":\"invalid_grant\",\"error_description\":\"bad " + echoed + "\"" + tokens + "}",
                    "{\"error\":{\"code\":2,\"message\":\"bad " + echoed + "\"}" + tokens + "}",
                    "<html>refresh_token=" + echoed + "</html>");
            for (String body : bodies) {
                server.enqueue(Reply.json(400, body));
                IOException e = assertThrows(IOException.class, () -> client.refresh(sent));
                for (Throwable t = e; t != null; t = t.getCause()) {
                    for (String secret : secrets) {
                        assertFalse(String.valueOf(t.getMessage()).contains(secret), t.getMessage());
                        assertFalse(t.toString().contains(secret), t.toString());
                    }
                }
                String error = e instanceof TokenRefreshException r ? r.error()
                        : ((ReauthorizationRequiredException) e).error();
                assertFalse(String.valueOf(error).contains(echoed), error);
            }
        }
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
