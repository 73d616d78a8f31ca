package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.netatmotoken.core.FakeClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole {@code /metrics} page for a realistic, messy multi-station response, compared with an expected file:
 * names, labels, values, stale and unreachable modules left out.
 */
class MetricsOutputTest {
    @TempDir
    Path dir;

    @Test
    void aMessyMultiStationResponseGivesTheExpectedMetrics() throws Exception {
        FakeClock clock = new FakeClock();
        try (FakeNetatmo netatmo = new FakeNetatmo()) {
            netatmo.serve("getstationsdata", resource("fixtures/getstationsdata.json"));
            netatmo.honour("fixture-access", "fixture-refresh");
            Path tokenFile = dir.resolve("token.json");
            Files.writeString(tokenFile, "{\"access_token\":\"fixture-access\",\"refresh_token\":\"fixture-refresh\","
                    + "\"expiry\":\"2026-01-15T12:00:00Z\"}");
            Config config = new Config("127.0.0.1", 0, null, tokenFile, false, "info", Duration.ofMinutes(8),
                    Duration.ofMinutes(60), FakeNetatmo.CLIENT_ID, FakeNetatmo.CLIENT_SECRET, netatmo.url(), false,
                    false);
            try (Exporter exporter = Exporter.start(config, clock)) {
                exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);

                String metrics = withoutRuntimeMetrics(new Browser(exporter.port()).get("/metrics").body());
                if (System.getProperty("updateGolden") != null) { // mvn ... -DargLine=-DupdateGolden
                    Files.writeString(Path.of("src/test/resources/fixtures/getstationsdata.metrics.txt"), metrics);
                }

                assertEquals(resource("fixtures/getstationsdata.metrics.txt"), metrics);
            }
        }
    }

    /**
     * The page without what changes from run to run: the JVM's and the process's metrics and the build's labels
     * (GoDropInTest checks that they are there).
     */
    static String withoutRuntimeMetrics(String metrics) {
        StringBuilder out = new StringBuilder();
        for (String line : metrics.split("\n", -1)) {
            String name = line.startsWith("# ") ? line.split(" ", 4)[2] : line.split("[{ ]", 2)[0];
            if (!name.startsWith("jvm_") && !name.startsWith("process_") && !name.equals("netatmo_exporter_build_info")) {
                out.append(line).append('\n');
            }
        }
        return out.substring(0, out.length() - 1);
    }

    static String resource(String name) throws IOException {
        try (InputStream in = MetricsOutputTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
