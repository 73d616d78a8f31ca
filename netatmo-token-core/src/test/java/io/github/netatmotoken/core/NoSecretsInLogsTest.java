package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the token life through every path that logs or throws (refresh, transient failure, invalid_grant, failed
 * save, rejection, shutdown) with distinctive secrets, and checks that none of them appears anywhere a user sees.
 */
class NoSecretsInLogsTest {
    private static final String SECRET = "CLIENTSECRET-9f8e7d";
    private static final String ACCESS_0 = "ACCESSTOKEN-0-a1b2c3";
    private static final String REFRESH_0 = "REFRESHTOKEN-0-d4e5f6";
    private static final String ACCESS_1 = "ACCESSTOKEN-1-778899";
    private static final String REFRESH_1 = "REFRESHTOKEN-1-aabbcc";

    @Test
    void noTokenOrSecretInAnyLogLineExceptionOrToString(@TempDir Path dir) throws Exception {
        int mark = CapturedLogs.mark();
        List<String> seen = new ArrayList<>();
        FakeClock clock = new FakeClock();
        Path file = dir.resolve("token.json");
        Files.writeString(file, "{\"access_token\":\"" + ACCESS_0 + "\",\"refresh_token\":\"" + REFRESH_0 + "\"}");

        try (MockWebServer server = new MockWebServer()) {
            server.start(InetAddress.getLoopbackAddress(), 0);
            NetatmoOAuthClient client = NetatmoOAuthClient.builder().clientId("id").clientSecret(SECRET)
                    .baseUrl(URI.create(server.url("/").toString())).clock(clock).build();
            FileTokenStore store = new FileTokenStore(file, clock);
            RefreshingTokenSource source = RefreshingTokenSource.builder().store(store).client(client).clock(clock).ticker(clock)
                    .executor(Runnable::run).build();
            seen.add(client.toString());
            seen.add(source.toString());

            // A transient failure, then a successful refresh.
            server.enqueue(new MockResponse.Builder().code(503).body("{\"error\":\"temporarily_unavailable\"}")
                    .build());
            seen.add(assertThrows(TokenRefreshException.class, source::token).getMessage());
            clock.advance(Duration.ofSeconds(2));
            server.enqueue(new MockResponse.Builder().code(200).body("{\"access_token\":\"" + ACCESS_1
                    + "\",\"refresh_token\":\"" + REFRESH_1 + "\",\"expires_in\":10800}").build());
            Token token = source.token();
            assertEquals(ACCESS_1, token.accessToken());
            seen.add(token.toString());
            seen.add(source.status().toString());

            // A rejected token, a failed save, then invalid_grant.
            Files.delete(file);
            Files.createDirectory(file); // the token file path is now a directory: saving fails
            server.enqueue(new MockResponse.Builder().code(200).body("{\"access_token\":\"" + ACCESS_0
                    + "\",\"refresh_token\":\"" + REFRESH_0 + "\",\"expires_in\":10800}").build());
            source.invalidate(token);
            Token afterRejection = source.token();
            seen.add(afterRejection.toString());
            server.enqueue(new MockResponse.Builder().code(400).body("{\"error\":\"invalid_grant\"}").build());
            source.invalidate(afterRejection);
            ReauthorizationRequiredException reauth = assertThrows(ReauthorizationRequiredException.class,
                    source::token);
            for (Throwable t = reauth; t != null; t = t.getCause()) {
                seen.add(t.toString());
            }
            seen.add(source.status().toString());
            source.close();

            // A corrupt file that quotes a token in its broken JSON.
            Path corrupt = dir.resolve("corrupt.json");
            Files.writeString(corrupt, "{\"access_token\": " + ACCESS_0 + "}");
            seen.add(assertThrows(TokenFileException.class, () -> new FileTokenStore(corrupt).load()).toString());
        }

        List<String> texts = new ArrayList<>(seen);
        CapturedLogs.since(mark).forEach(line -> texts.add(line.fullText()));
        assertTrue(texts.size() > 10, "the scenario produced output to check: " + texts);
        assertTrue(CapturedLogs.since(mark).stream().anyMatch(l -> l.message().contains("Could not save")),
                "the failed save was logged");
        for (String text : texts) {
            for (String secret : List.of(SECRET, ACCESS_0, REFRESH_0, ACCESS_1, REFRESH_1)) {
                assertFalse(text.contains(secret), "secret " + secret + " leaked in: " + text);
            }
        }
    }

    @Test
    void theRequestCarriesTheSecretOnlyInTheBody(@TempDir Path dir) throws IOException, InterruptedException {
        try (MockWebServer server = new MockWebServer()) {
            server.start(InetAddress.getLoopbackAddress(), 0);
            server.enqueue(new MockResponse.Builder().code(200).body("{\"access_token\":\"x\"}").build());
            NetatmoOAuthClient.builder().clientId("id").clientSecret(SECRET)
                    .baseUrl(URI.create(server.url("/").toString())).build().refresh(REFRESH_0);
            var request = server.takeRequest();
            assertFalse(request.getUrl().toString().contains(SECRET), "not in the URL");
            assertFalse(request.getHeaders().toString().contains(SECRET), "not in a header");
            assertTrue(request.getBody().utf8().contains(SECRET));
        }
    }
}
