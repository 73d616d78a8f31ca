package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.RotatingTokenEndpoint;
import io.github.netatmotoken.jdbc.ExporterTestDatabase;
import io.github.netatmotoken.redis.ExporterTestRedis;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three exporter processes with {@code --token-store} on one PostgreSQL (or one Redis), against a NetAtmo whose
 * token endpoint rotates strictly and whose tokens live 10 s, each exporter polling the data API every second: they
 * share one token chain (NetAtmo never answers invalid_grant), and their refresh counters add up to the refreshes
 * NetAtmo served.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreeExportersTest {
    private static final int TOKEN_SECONDS = 10;
    private static final int REFRESHES = 3;
    private static final String SUCCESS = "netatmo_exporter_token_refresh_total{result=\"success\"}";
    private static final String PG_PASSWORD = "pg-s3cret-three-k8";
    private static final String REDIS_PASSWORD = "redis-s3cret-three-m2";

    @TempDir
    Path dir;

    private final RotatingTokenEndpoint tokens = new RotatingTokenEndpoint("seed-refresh-0", TOKEN_SECONDS);
    private final MockWebServer netatmo = new MockWebServer();
    private final List<ExporterChild> exporters = new ArrayList<>();
    private Path logs;

    @BeforeEach
    void startNetatmo(TestInfo test) throws Exception {
        netatmo.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getUrl().encodedPath().equals("/api/getstationsdata")) {
                    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                            .body(FakeNetatmo.STATIONS.formatted(Instant.now().getEpochSecond() - 60)).build();
                }
                return tokens.dispatch(request);
            }
        });
        netatmo.start(InetAddress.getByName("127.0.0.1"), 0);
        logs = Path.of("target", "three-exporters", test.getTestMethod().orElseThrow().getName());
        Files.createDirectories(logs);
    }

    @AfterEach
    void stop() throws Exception {
        for (ExporterChild exporter : exporters) {
            exporter.close();
        }
        netatmo.close();
    }

    @Test
    void threeExportersOnOnePostgresShareOneTokenChain() throws Exception {
        // The embedded server trusts local connections and never asks for the password: it is there to be hidden.
        String url = ExporterTestDatabase.newDatabaseUrl(ThreeExportersTest.class) + "&password=" + PG_PASSWORD;

        shareOneChain(url, PG_PASSWORD);
    }

    @Test
    void threeExportersOnOneRedisShareOneTokenChain() throws Exception {
        try (ExporterTestRedis redis = ExporterTestRedis.startWithPassword(REDIS_PASSWORD)) {
            shareOneChain(redis.url(), REDIS_PASSWORD);
        }
    }

    private void shareOneChain(String storeUrl, String password) throws Exception {
        String seed = "{\"access_token\":\"seed-access-0\",\"refresh_token\":\"seed-refresh-0\",\"expiry\":\""
                + Instant.now().plusSeconds(TOKEN_SECONDS) + "\"}";
        for (int i = 0; i < 3; i++) {
            Path tokenFile = dir.resolve("token-" + i + ".json");
            Files.writeString(tokenFile, seed); // each replica brings the same seed; only the first lands
            exporters.add(ExporterChild.start(logs.resolve("exporter-" + i + ".log"), List.of(
                    "--token-store", storeUrl, "--token-file", tokenFile.toString(),
                    "--api-url", "http://127.0.0.1:" + netatmo.getPort(),
                    "--client-id", "three-exporters-" + ProcessHandle.current().pid(), "--client-secret", "secret",
                    "--refresh-interval", "1s", "--log-level", "info")));
        }

        awaitRefreshes(REFRESHES, Duration.ofSeconds(TOKEN_SECONDS * (REFRESHES + 1)));
        double[] counted = countedRefreshes();
        String[] pages = new String[3];
        double[] adoptions = new double[3];
        for (int i = 0; i < 3; i++) {
            ExporterChild exporter = exporters.get(i);
            assertEquals(1.0, exporter.metric("netatmo_exporter_token_store_up"), "exporter " + i);
            adoptions[i] = exporter.metric("netatmo_exporter_token_adoptions_total");
            pages[i] = exporter.get("/") + exporter.get("/metrics");
        }
        List<Integer> exitCodes = new ArrayList<>();
        for (ExporterChild exporter : exporters) {
            exitCodes.add(exporter.stop());
        }

        System.out.printf("%d refreshes at NetAtmo, %d invalid_grant; per exporter: refreshes %s, adoptions %s%n",
                tokens.refreshes(), tokens.invalidGrants(), java.util.Arrays.toString(counted),
                java.util.Arrays.toString(adoptions));
        assertEquals(0, tokens.invalidGrants(), "one chain: no exporter spent a rotated refresh token");
        assertEquals(tokens.refreshes(), counted[0] + counted[1] + counted[2], 0.0,
                "the exporters' own refreshes add up to what NetAtmo served");
        assertTrue(adoptions[0] + adoptions[1] + adoptions[2] > 0, "the others adopted the refreshed tokens");
        assertEquals(List.of(0, 0, 0), exitCodes);
        List<String> seeded = new ArrayList<>();
        for (ExporterChild exporter : exporters) {
            List<String> log = exporter.log();
            log.stream().filter(l -> l.contains("Seeded the empty token store") || l.contains("already holds a"
                    + " token: kept")).forEach(seeded::add);
            for (String text : log) {
                assertFalse(text.contains(password), () -> "the store's password in a log line: " + text);
            }
        }
        assertEquals(1, seeded.stream().filter(l -> l.contains("Seeded")).count(), String.join("\n", seeded));
        assertEquals(2, seeded.stream().filter(l -> l.contains("kept")).count(), String.join("\n", seeded));
        for (String page : pages) {
            assertFalse(page.contains(password), "the store's password on a page");
        }
    }

    /** Waits (polling, since the exporters run on real time in other processes) until NetAtmo served enough. */
    private void awaitRefreshes(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tokens.refreshes() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + tokens.refreshes() + " refreshes within " + timeout + ", "
                        + tokens.invalidGrants() + " invalid_grant; logs in " + logs.toAbsolutePath());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /**
     * Each exporter's own refreshes, read when no refresh happened between the first scrape and NetAtmo's count:
     * a refresh comes every few seconds, the three scrapes take milliseconds.
     */
    private double[] countedRefreshes() throws Exception {
        for (int attempt = 0; attempt < 10; attempt++) {
            int before = tokens.refreshes();
            double[] counted = new double[3];
            for (int i = 0; i < 3; i++) {
                counted[i] = exporters.get(i).metric(SUCCESS);
            }
            if (tokens.refreshes() == before && counted[0] + counted[1] + counted[2] == before) {
                return counted;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
        }
        double[] counted = new double[3];
        for (int i = 0; i < 3; i++) {
            counted[i] = exporters.get(i).metric(SUCCESS);
        }
        return counted;
    }
}
