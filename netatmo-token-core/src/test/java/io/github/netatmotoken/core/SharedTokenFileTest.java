package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two processes share one token file against a server that rotates refresh tokens strictly. */
class SharedTokenFileTest {

    @Test
    void twoProcessesSharingATokenFileNeverSpendADeadRefreshToken(@TempDir Path dir) throws Exception {
        RotatingTokenEndpoint endpoint = new RotatingTokenEndpoint("initial-refresh", 10800);
        Path file = dir.resolve("token.json");
        new FileTokenStore(file).save(new Token("initial-access", "initial-refresh",
                Instant.now().plusSeconds(10800)));
        try (MockWebServer server = new MockWebServer()) {
            server.setDispatcher(endpoint);
            server.start(InetAddress.getLoopbackAddress(), 0);
            String baseUrl = server.url("/").toString();

            List<Process> children = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                children.add(startWorker(file, baseUrl, 10, dir.resolve("worker-" + i + ".log")));
            }
            for (int i = 0; i < children.size(); i++) {
                Process child = children.get(i);
                assertTrue(child.waitFor(90, TimeUnit.SECONDS), "worker " + i + " did not finish");
                String output = Files.readString(dir.resolve("worker-" + i + ".log"), StandardCharsets.UTF_8);
                assertEquals(0, child.exitValue(), "worker " + i + " failed:\n" + output);
                assertEquals(10, output.lines().filter(l -> l.startsWith("refreshed ")).count(), output);
            }

            assertEquals(0, endpoint.invalidGrants(), "no process ever presented a spent refresh token");
            assertTrue(endpoint.refreshes() >= 10, "refreshes: " + endpoint.refreshes());
            Token stored = new FileTokenStore(file).load().orElseThrow();
            assertEquals(endpoint.validRefreshToken(), stored.refreshToken(),
                    "the file holds the one refresh token that still works");
        }
    }

    private static Process startWorker(Path file, String baseUrl, int count, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "-Xshare:auto",
                SharedTokenFileWorker.class.getName(), file.toString(), baseUrl, String.valueOf(count))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }
}
