package io.github.netatmotoken.exporter;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Measures a {@code /metrics} scrape over HTTP with 20 modules cached (4 stations of 5 modules). Not a test: run
 * it by hand, see the README. Prints the median and 99th percentile.
 */
public final class ScrapeBenchmark {
    private ScrapeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        StringBuilder devices = new StringBuilder();
        for (int s = 0; s < 4; s++) {
            devices.append(s == 0 ? "" : ",").append("{\"_id\":\"70:ee:50:00:00:0").append(s)
                    .append("\",\"type\":\"NAMain\",\"station_name\":\"Station ").append(s)
                    .append("\",\"module_name\":\"Indoor\",\"home_name\":\"Home\",\"wifi_status\":56,")
                    .append("\"dashboard_data\":{\"time_utc\":").append(now).append(",\"Temperature\":21.5,")
                    .append("\"CO2\":600,\"Humidity\":45,\"Noise\":40,\"Pressure\":1013.2},\"modules\":[");
            for (int m = 0; m < 4; m++) {
                devices.append(m == 0 ? "" : ",").append("{\"_id\":\"02:00:00:00:0").append(s).append(":0")
                        .append(m).append("\",\"type\":\"NAModule1\",\"module_name\":\"Module ").append(m)
                        .append("\",\"battery_percent\":80,\"rf_status\":60,\"dashboard_data\":{\"time_utc\":")
                        .append(now).append(",\"Temperature\":5.5,\"Humidity\":80,\"WindStrength\":10,")
                        .append("\"WindAngle\":180,\"Rain\":0.1}}");
            }
            devices.append("]}");
        }
        try (FakeNetatmo netatmo = new FakeNetatmo()) {
            netatmo.serve("getstationsdata", "{\"body\":{\"devices\":[" + devices + "]},\"status\":\"ok\"}");
            netatmo.honour("bench-access", "bench-refresh");
            Path dir = Files.createTempDirectory("scrape-benchmark");
            Path tokenFile = dir.resolve("token.json");
            Files.writeString(tokenFile, "{\"access_token\":\"bench-access\",\"refresh_token\":\"bench-refresh\","
                    + "\"expiry\":\"2999-01-01T00:00:00Z\"}");
            Config config = new Config("127.0.0.1", 0, null, tokenFile, false, "warn", Duration.ofHours(1),
                    Duration.ofHours(2), FakeNetatmo.CLIENT_ID, FakeNetatmo.CLIENT_SECRET, netatmo.url(), false,
                    false);
            try (Exporter exporter = Exporter.start(config, Clock.systemUTC())) {
                DataSnapshot data = exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
                HttpClient http = HttpClient.newHttpClient();
                HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.port()
                        + "/metrics")).header("Accept", "text/plain;version=0.0.4").build();
                int warmup = 2000;
                int runs = 5000;
                long[] nanos = new long[runs];
                int size = 0;
                for (int i = -warmup; i < runs; i++) {
                    long start = System.nanoTime();
                    HttpResponse<byte[]> response = http.send(scrape, HttpResponse.BodyHandlers.ofByteArray());
                    long took = System.nanoTime() - start;
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + response.statusCode());
                    }
                    size = response.body().length;
                    if (i >= 0) {
                        nanos[i] = took;
                    }
                }
                Arrays.sort(nanos);
                long dataCalls = netatmo.count("/api/");
                System.out.printf("modules cached: %d, response: %d bytes, scrapes: %d%n", data.readings().size(),
                        size, runs);
                System.out.printf("median %.3f ms, p90 %.3f ms, p99 %.3f ms; NetAtmo data calls: %d%n",
                        nanos[runs / 2] / 1e6, nanos[runs * 9 / 10] / 1e6, nanos[runs * 99 / 100] / 1e6, dataCalls);
            }
        }
    }
}
