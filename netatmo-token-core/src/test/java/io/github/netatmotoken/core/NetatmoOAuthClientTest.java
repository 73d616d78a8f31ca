package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FaultyTokenServer.Fault;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class NetatmoOAuthClientTest {
    private static final String SECRET = "client-secret-s3cr3t";

    private final FakeClock clock = new FakeClock();
    private MockWebServer server;
    private NetatmoOAuthClient client;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start(InetAddress.getLoopbackAddress(), 0);
        client = clientFor(URI.create(server.url("/").toString()), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private NetatmoOAuthClient clientFor(URI base, Duration timeout) {
        return NetatmoOAuthClient.builder().clientId("my-client").clientSecret(SECRET).baseUrl(base)
                .timeout(timeout).clock(clock).build();
    }

    private void respond(int code, String body) {
        server.enqueue(new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json")
                .body(body).build());
    }

    private static Map<String, String> form(RecordedRequest request) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : request.getBody().utf8().split("&")) {
            String[] kv = pair.split("=", 2);
            fields.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return fields;
    }

    @Test
    void refreshPostsTheRefreshGrantAsAForm() throws Exception {
        respond(200, "{\"access_token\":\"a1\",\"refresh_token\":\"r1\",\"expires_in\":10800}");
        client.refresh("r0 with space&amp");
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("POST", request.getMethod());
        assertEquals("/oauth2/token", request.getUrl().encodedPath());
        assertTrue(request.getHeaders().get("Content-Type").startsWith("application/x-www-form-urlencoded"));
        assertEquals(Map.of("grant_type", "refresh_token", "refresh_token", "r0 with space&amp",
                "client_id", "my-client", "client_secret", SECRET), form(request));
    }

    @Test
    void exchangeCodePostsTheAuthorizationCodeGrant() throws Exception {
        respond(200, "{\"access_token\":\"a1\",\"refresh_token\":\"r1\",\"expires_in\":10800}");
        Token token = client.exchangeCode("the-code", URI.create("http://localhost:9210/auth/callback"));
        assertEquals(new Token("a1", "r1", clock.instant().plusSeconds(10800)), token);
        assertEquals(Map.of("grant_type", "authorization_code", "client_id", "my-client", "client_secret", SECRET,
                "code", "the-code", "redirect_uri", "http://localhost:9210/auth/callback"),
                form(server.takeRequest(5, TimeUnit.SECONDS)));
    }

    @Test
    void aBasePathPrefixIsKept() throws Exception {
        NetatmoOAuthClient prefixed = clientFor(URI.create(server.url("/netatmo").toString()), Duration.ofSeconds(5));
        respond(200, "{\"access_token\":\"a1\",\"expires_in\":60}");
        prefixed.refresh("r0");
        assertEquals("/netatmo/oauth2/token", server.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath());
    }

    @Test
    void theExpiryCountsFromWhenTheRequestWasSent() throws IOException {
        respond(200, "{\"access_token\":\"a1\",\"refresh_token\":\"r1\",\"scope\":[\"read_station\"],"
                + "\"expires_in\":10800,\"expire_in\":10800}");
        assertEquals(clock.instant().plusSeconds(10800), client.refresh("r0").expiry());
    }

    @Test
    void theNonStandardExpireInIsUnderstoodAndScopeMayBeAString() throws IOException {
        respond(200, "{\"access_token\":\"a1\",\"refresh_token\":\"r1\",\"scope\":\"read_station read_homecoach\","
                + "\"expire_in\":7200}");
        assertEquals(clock.instant().plusSeconds(7200), client.refresh("r0").expiry());
    }

    @Test
    void aResponseWithoutExpiryGivesAnUnknownExpiry() throws IOException {
        respond(200, "{\"access_token\":\"a1\",\"refresh_token\":\"r1\"}");
        assertNull(client.refresh("r0").expiry());
    }

    @Test
    void aResponseWithoutRefreshTokenKeepsTheOldOne() throws IOException {
        respond(200, "{\"access_token\":\"a1\",\"expires_in\":10800}");
        assertEquals("r0", client.refresh("r0").refreshToken());
    }

    @Test
    void aResponseWithoutAccessTokenIsATransientFailureNamingIt() {
        respond(200, "{\"refresh_token\":\"r1\",\"expires_in\":10800}");
        TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
        assertTrue(e.getMessage().contains("has no access_token"), e.getMessage());
        assertEquals(200, e.httpStatus());
    }

    @Test
    void anUnparsableResponseIsATransientFailure() {
        respond(200, "<html>Bad gateway</html>");
        TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
        assertTrue(e.getMessage().contains("is not a JSON object"), e.getMessage());
    }

    @Test
    void aNegativeOrAbsurdExpiresInIsATransientFailure() {
        respond(200, "{\"access_token\":\"a1\",\"expires_in\":-5}");
        assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
        respond(200, "{\"access_token\":\"a1\",\"expires_in\":99999999999999}");
        assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
        respond(200, "{\"access_token\":\"a1\",\"expires_in\":\"soon\"}");
        assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
    }

    @Test
    void invalidGrantRequiresReauthorization() {
        respond(400, "{\"error\":\"invalid_grant\"}");
        ReauthorizationRequiredException e = assertThrows(ReauthorizationRequiredException.class,
                () -> client.refresh("r0"));
        assertEquals("invalid_grant", e.error());
        assertTrue(e.getMessage().contains("refused the refresh token"), e.getMessage());
        assertTrue(e.getMessage().contains("Authorize again"), e.getMessage());
    }

    @Test
    void invalidClientPointsAtTheClientIdAndSecret() {
        respond(400, "{\"error\":\"invalid_client\",\"error_description\":\"Invalid client\"}");
        ReauthorizationRequiredException e = assertThrows(ReauthorizationRequiredException.class,
                () -> client.refresh("r0"));
        assertEquals("invalid_client", e.error());
        assertTrue(e.getMessage().contains("client id or secret"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @Test
    void unauthorizedClientRequiresReauthorization() {
        respond(400, "{\"error\":\"unauthorized_client\"}");
        assertEquals("unauthorized_client",
                assertThrows(ReauthorizationRequiredException.class, () -> client.refresh("r0")).error());
    }

    @Test
    void serverErrorsAndRateLimitsAreTransientWithStatusAndText() {
        for (int status : List.of(500, 502, 503, 429)) {
            respond(status, "{\"error\":{\"code\":26,\"message\":\"User usage reached\"}}");
            TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
            assertEquals(status, e.httpStatus());
            assertEquals("code 26: User usage reached", e.error());
            assertTrue(e.getMessage().contains("HTTP " + status), e.getMessage());
        }
    }

    @Test
    void theServersErrorTextCannotForgeLogLines() {
        respond(503, "{\"error\":\"server_error\",\"error_description\":\"busy\\nINFO fake log line\\r\"}");
        TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
        assertEquals("server_error: busy INFO fake log line ", e.error());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void expiresInMayBeANumericString() throws IOException {
        respond(200, "{\"access_token\":\"a1\",\"expires_in\":\" 10800 \"}");
        assertEquals(clock.instant().plusSeconds(10800), client.refresh("r0").expiry());
    }

    @Test
    void anErrorInsteadOfATokenIsNamed() {
        respond(200, "{\"error\":\"server_error\"}");
        TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
        assertTrue(e.getMessage().contains("has no access_token but error server_error"), e.getMessage());
    }

    @Test
    void errorBodiesOfOtherShapesAreStillTransientFailures() {
        for (String body : List.of("", "[1,2]", "{\"error\":42}", "{\"error\":{\"message\":\"no code\"}}",
                "{\"error\":{\"code\":9}}")) {
            respond(500, body);
            TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
            assertEquals(500, e.httpStatus(), body);
        }
        respond(500, "{\"error\":{\"message\":\"no code\"}}");
        assertEquals("code ?: no code",
                assertThrows(TokenRefreshException.class, () -> client.refresh("r0")).error());
    }

    @Test
    void aLongErrorTextIsCutShort() {
        respond(503, "{\"error\":\"" + "x".repeat(500) + "\"}");
        TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
        assertEquals(201, e.error().length());
        assertTrue(e.error().endsWith("…"));
    }

    @Test
    void invalidGrantWithADescriptionKeepsIt() {
        respond(400, "{\"error\":\"invalid_grant\",\"error_description\":\"token revoked\"}");
        ReauthorizationRequiredException e = assertThrows(ReauthorizationRequiredException.class,
                () -> client.refresh("r0"));
        assertTrue(e.getMessage().contains("invalid_grant: token revoked"), e.getMessage());
    }

    @Test
    void otherClientErrorsAreTransientNotPermanent() {
        respond(400, "{\"error\":\"invalid_request\"}");
        TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
        assertEquals("invalid_request", e.error());
    }

    @Test
    void aSlowServerTimesOut() {
        server.enqueue(new MockResponse.Builder().code(200).headersDelay(3, TimeUnit.SECONDS)
                .body("{\"access_token\":\"a1\"}").build());
        NetatmoOAuthClient impatient = clientFor(URI.create(server.url("/").toString()), Duration.ofMillis(200));
        TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> impatient.refresh("r0"));
        assertTrue(e.getMessage().contains("timed out after PT0.2S"), e.getMessage());
    }

    @Test
    void anUnreachableServerIsATransientFailure() throws IOException {
        MockWebServer closed = new MockWebServer();
        closed.start(InetAddress.getLoopbackAddress(), 0);
        URI base = URI.create(closed.url("/").toString());
        closed.close();
        TokenRefreshException e = assertThrows(TokenRefreshException.class,
                () -> clientFor(base, Duration.ofSeconds(2)).refresh("r0"));
        assertTrue(e.getMessage().contains("check the network"), e.getMessage());
    }

    @Test
    void theAuthorizationUrlCarriesEveryParameterEncoded() {
        Set<String> scopes = new LinkedHashSet<>(List.of("read_station", "read_homecoach"));
        URI url = NetatmoOAuthClient.builder().clientId("my client").clientSecret(SECRET).build()
                .authorizationUrl(URI.create("http://localhost:9210/auth/callback?x=1"), scopes, "st&ate");
        assertEquals("https://api.netatmo.com/oauth2/authorize?client_id=my%20client"
                + "&redirect_uri=http%3A%2F%2Flocalhost%3A9210%2Fauth%2Fcallback%3Fx%3D1"
                + "&scope=read_station%20read_homecoach&state=st%26ate&response_type=code", url.toString());
    }

    @Test
    void theBuilderRejectsMissingOrBadSettingsWithAClearMessage() {
        IllegalStateException noId = assertThrows(IllegalStateException.class,
                () -> NetatmoOAuthClient.builder().clientSecret(SECRET).build());
        assertTrue(noId.getMessage().startsWith("clientId is required"), noId.getMessage());
        IllegalStateException blankSecret = assertThrows(IllegalStateException.class,
                () -> NetatmoOAuthClient.builder().clientId("id").clientSecret(" ").build());
        assertTrue(blankSecret.getMessage().startsWith("clientSecret is required"), blankSecret.getMessage());
        IllegalStateException badUrl = assertThrows(IllegalStateException.class,
                () -> NetatmoOAuthClient.builder().clientId("id").clientSecret(SECRET)
                        .baseUrl(URI.create("ftp://example.com")).build());
        assertTrue(badUrl.getMessage().contains("absolute http or https URL"), badUrl.getMessage());
        assertEquals("timeout must be more than zero and at most PT24H, but is PT0S",
                assertThrows(IllegalArgumentException.class, () -> NetatmoOAuthClient.builder()
                        .timeout(Duration.ZERO)).getMessage());
    }

    @Test
    void toStringNeverShowsTheSecret() {
        assertFalse(client.toString().contains(SECRET), client.toString());
        assertTrue(client.toString().contains("my-client"));
    }
    // --- one total deadline per token request: one named fault per test ---------------------------------------

    private static final Duration DEADLINE = Duration.ofSeconds(1);
    /** Generous: the call must end near {@link #DEADLINE}, but a busy build machine may be slow. */
    private static final Duration BOUND = DEADLINE.multipliedBy(5);

    private TokenRefreshException refreshTimesOut(Fault fault, @Nullable HttpClient http) throws Exception {
        try (FaultyTokenServer faulty = FaultyTokenServer.start(fault)) {
            NetatmoOAuthClient.Builder builder = NetatmoOAuthClient.builder().clientId("my-client")
                    .clientSecret(SECRET).baseUrl(faulty.baseUri()).timeout(DEADLINE).clock(clock);
            if (http != null) {
                builder.httpClient(http);
            }
            NetatmoOAuthClient impatient = builder.build();
            TokenRefreshException e = assertTimeoutPreemptively(BOUND,
                    () -> assertThrows(TokenRefreshException.class, () -> impatient.refresh("refresh-sent-r0")));
            assertEquals(1, faulty.requestCount());
            assertTrue(e.getMessage().startsWith("Token request to " + faulty.baseUri() + "/oauth2/token timed out"
                    + " after PT1S"), e.getMessage());
            assertEquals(-1, e.httpStatus());
            assertFalse(e.toString().contains("refresh-sent-r0"), e.toString());
            assertFalse(e.toString().contains(SECRET), e.toString());
            return e;
        }
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersEndsWithinTheTimeout() throws Exception {
        refreshTimesOut(Fault.NO_RESPONSE, null);
    }

    @Test
    void aServerThatStallsMidBodyEndsWithinTheTimeout() throws Exception {
        refreshTimesOut(Fault.STALL_MID_BODY, null);
    }

    @Test
    void aServerThatTricklesTheBodyEndsWithinTheTimeout() throws Exception {
        refreshTimesOut(Fault.TRICKLE_BODY, null);
    }

    @Test
    void aServerThatTricklesTheBodyEndsWithinTheTimeoutAlsoWithTheCallersHttpClient() throws Exception {
        refreshTimesOut(Fault.TRICKLE_BODY, HttpClient.newHttpClient());
    }

    @Test
    void aServerThatStallsMidBodyEndsWithinTheTimeoutAlsoWithTheCallersHttpClient() throws Exception {
        refreshTimesOut(Fault.STALL_MID_BODY, HttpClient.newHttpClient());
    }

    @Test
    void aResponseIsReadOnlyUpToTheLimit() {
        // Valid JSON after 70 KiB of whitespace: parsed only if more than 64 KiB were read.
        respond(200, " ".repeat(70 * 1024) + "{\"access_token\":\"a1\",\"refresh_token\":\"r1\"}");

        TokenRefreshException e = assertTimeoutPreemptively(BOUND,
                () -> assertThrows(TokenRefreshException.class, () -> client.refresh("r0")));

        assertTrue(e.getMessage().contains("is not a JSON object"), e.getMessage());
    }

    // --- interrupts ---------------------------------------------------------------------------------------------

    private record Outcome(Token token, boolean interruptedAfterwards) {
    }

    @Test
    void anInterruptAfterTheRequestWasSentKeepsWaitingAndReturnsTheRotatedTokenWithTheFlagSet() throws Exception {
        try (FaultyTokenServer held = FaultyTokenServer.holdingAnswer(
                "{\"access_token\":\"a2\",\"refresh_token\":\"r2\",\"expires_in\":10800}")) {
            NetatmoOAuthClient patient = clientFor(held.baseUri(), Duration.ofSeconds(10));
            CompletableFuture<Outcome> outcome = new CompletableFuture<>();
            Thread caller = new Thread(() -> {
                try {
                    Token token = patient.refresh("r1");
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
            assertEquals(new Token("a2", "r2", clock.instant().plusSeconds(10800)), done.token());
            assertTrue(done.interruptedAfterwards(), "the interrupt must be kept for the caller");
            caller.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    @Test
    void anInterruptBeforeAnythingWasSentFailsAtOnceAndSendsNothing() throws Exception {
        respond(200, "{\"access_token\":\"a1\",\"refresh_token\":\"r1\",\"expires_in\":10800}");
        Thread.currentThread().interrupt();
        try {
            InterruptedIOException e = assertThrows(InterruptedIOException.class, () -> client.refresh("r0"));
            assertTrue(e.getMessage().contains("was not sent: the calling thread is interrupted"), e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt stays set");
        } finally {
            Thread.interrupted();
        }

        client.refresh("r-next");

        assertEquals(1, server.getRequestCount(), "the interrupted call must have sent nothing");
        assertEquals("r-next", form(server.takeRequest(5, TimeUnit.SECONDS)).get("refresh_token"));
    }

    // --- what the server sends back -----------------------------------------------------------------------------

    @Test
    void aRotatedRefreshTokenInAnOtherwiseUnusableAnswerIsKept() {
        respond(200, "{\"refresh_token\":\"r1\",\"expires_in\":10800}");
        TokenRefreshException e = assertThrows(TokenRefreshException.class, () -> client.refresh("r0"));
        assertEquals(Optional.of(new Token(null, "r1", clock.instant())), e.rotatedToken());
    }

    @Test
    void anExpiresInWithAFractionOrAsNullNextToExpireInGivesTheRightExpiry() throws IOException {
        respond(200, "{\"access_token\":\"a1\",\"expires_in\":10800.0}");
        assertEquals(clock.instant().plusSeconds(10800), client.refresh("r0").expiry());
        respond(200, "{\"access_token\":\"a1\",\"expires_in\":null,\"expire_in\":10800}");
        assertEquals(clock.instant().plusSeconds(10800), client.refresh("r0").expiry());
    }

    @Test
    void noSecretEchoedByTheServerReachesAMessageOrError() {
        String sent = "refresh-sent-R0";
        String access = "access-new-A1";
        String refresh = "refresh-new-R1";
        for (String echoed : List.of(SECRET, sent, access, refresh)) {
            String tokens = ",\"access_token\":\"" + access + "\",\"refresh_token\":\"" + refresh + "\"";
            List<String> bodies = List.of(
                    "{\"error\":\"bad " + echoed + "\"" + tokens + "}",
                    "{\"error\":\"invalid_request\",\"error_description\":\"bad " + echoed + "\"" + tokens + "}",
                    "{\"error\":\"invalid_grant\",\"error_description\":\"bad " + echoed + "\"" + tokens + "}",
                    "{\"error\":{\"code\":2,\"message\":\"bad " + echoed + "\"}" + tokens + "}",
                    "<html>refresh_token=" + echoed + "</html>");
            for (String body : bodies) {
                // Every status takes the same path through TokenEndpoint, whose own test covers 2xx and 5xx too.
                respond(400, body);
                IOException e = assertThrows(IOException.class, () -> client.refresh(sent));
                for (Throwable t = e; t != null; t = t.getCause()) {
                    for (String secret : List.of(SECRET, sent, access, refresh)) {
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
}
