package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.CapturedLogs;
import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.FileTokenStore;
import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenRefreshException;
import io.github.netatmotoken.okhttp.TestServer.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the module through renewal, rejection and failure with tokens and a client secret that all contain one
 * marker, and checks that the marker shows up in no log line, exception text or {@code toString}.
 */
class NoSecretsTest {
    private static final String MARKER = "s3cr3t";
    private static final String CLIENT_SECRET = "client-" + MARKER;

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private TestServer server;
    private RefreshingTokenSource tokens;

    @BeforeEach
    void startServer() throws IOException {
        server = TestServer.start();
    }

    @AfterEach
    void stop() throws IOException {
        if (tokens != null) {
            tokens.close();
        }
        server.close();
    }

    private Reply answer(TestServer.Received request) {
        if (request.path().equals("/oauth2/token")) {
            return switch (tokenRequests.incrementAndGet()) {
                case 1 -> Reply.ok("{\"access_token\":\"access-" + MARKER + "-2\",\"refresh_token\":\"refresh-"
                        + MARKER + "-2\",\"expires_in\":10800}");
                case 2 -> Reply.json(400, "{\"error\":\"invalid_grant\"}");
                default -> Reply.dropConnection();
            };
        }
        if (request.path().equals("/api/upload")) {
            return Reply.apiError(403, 2, "Invalid access token " + request.authorization());
        }
        return request.authorization().endsWith("-1") ? Reply.apiError(403, 3, "Access token expired")
                : Reply.ok("{\"status\":\"ok\"}");
    }

    @Test
    void noTokenOrSecretIsEverLoggedOrPutInAMessage() throws Exception {
        server.handle(this::answer);
        FileTokenStore store = new FileTokenStore(dir.resolve("token.json"), clock);
        store.save(new Token("access-" + MARKER + "-1", "refresh-" + MARKER + "-1",
                clock.instant().plus(Duration.ofHours(3))));
        OkHttpTokenClient tokenClient = OkHttpTokenClient.builder().clientId("client-id").clientSecret(CLIENT_SECRET)
                .baseUrl(server.baseUri()).clock(clock).build();
        tokens = RefreshingTokenSource.builder().store(store).client(tokenClient).clock(clock).ticker(clock).build();
        NetatmoAuthInterceptor interceptor = new NetatmoAuthInterceptor(tokens);
        OkHttpClient api = new OkHttpClient.Builder().addInterceptor(interceptor).build();
        List<String> texts = new ArrayList<>();
        int mark = CapturedLogs.mark();

        // Rejected, refreshed, retried.
        try (Response response = api.newCall(get("/api/getstationsdata")).execute()) {
            assertEquals(200, response.code());
        }
        // Rejected with a one-shot body and a message that repeats the token; the refresh it starts is refused.
        try (Response response = api.newCall(new Request.Builder().url(server.url("/api/upload"))
                .post(new OneShotBody()).build()).execute()) {
            assertEquals(403, response.code());
            addChain(texts, NetatmoApiException.from(response));
        }
        addChain(texts, assertThrows(ReauthorizationRequiredException.class,
                () -> api.newCall(get("/api/getstationsdata")).execute()));
        // The token endpoint drops the connection.
        addChain(texts, assertThrows(TokenRefreshException.class, () -> tokenClient.refresh("refresh-" + MARKER)));
        texts.add(tokenClient.toString());
        texts.add(interceptor.toString());
        texts.add(tokens.toString());
        texts.add(tokens.status().toString());
        List<String> logs = CapturedLogs.since(mark).stream().map(CapturedLogs.Line::fullText).toList();
        texts.addAll(logs);

        assertEquals(3, tokenRequests.get());
        assertTrue(logs.stream().anyMatch(l -> l.startsWith("NetAtmo rejected access token sha256:")), logs::toString);
        assertTrue(logs.stream().anyMatch(l -> l.contains("request body is one-shot")), logs::toString);
        assertTrue(logs.stream().anyMatch(l -> l.contains("invalid_grant")), logs::toString);
        for (String text : texts) {
            assertFalse(text.contains(MARKER), text);
        }
    }

    private Request get(String path) {
        return new Request.Builder().url(server.url(path)).build();
    }

    private static void addChain(List<String> texts, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            texts.add(t.toString());
            for (Throwable suppressed : t.getSuppressed()) {
                texts.add(suppressed.toString());
            }
        }
    }

    private static final class OneShotBody extends RequestBody {
        @Override
        public MediaType contentType() {
            return MediaType.get("text/plain");
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            sink.writeUtf8("reading");
        }

        @Override
        public boolean isOneShot() {
            return true;
        }
    }
}
