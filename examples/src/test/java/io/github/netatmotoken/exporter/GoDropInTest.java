package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user switching from the Go netatmo-exporter 2.1.2: our exporter on the token file Go wrote, with Go's default
 * flags, against a real-shaped {@code getstationsdata} response, compared with Go's {@code /metrics} for the same
 * input ({@code fixtures/go-dropin/go-2.1.2.metrics.txt}). Every sensor series is identical (names, labels, values
 * as the float32 Go reads them); HELP and TYPE are Go's; every family that one has and the other has not is an
 * intended difference listed here and in the README's "Switching from the Go exporter".
 */
class GoDropInTest {
    /** Go's runtime metrics, which a JVM has no counterpart of (its own are jvm_*). */
    private static final Set<String> ONLY_IN_GO = Set.of("process_network_receive_bytes_total",
            "process_network_transmit_bytes_total", "process_virtual_memory_max_bytes");
    private static final String GO_RUNTIME = "go_";

    /** What we add: request and refresh counters, the build, the JVM's metrics. */
    private static final Set<String> ONLY_IN_OURS = Set.of("netatmo_api_requests_total",
            "netatmo_exporter_token_refresh_total", "netatmo_exporter_token_adoptions_total",
            "netatmo_exporter_build_info");
    private static final String JVM_RUNTIME = "jvm_";

    /** Values that depend on when and how fast the exporter ran, not on the input. */
    private static final Set<String> VALUES_OF_THE_RUN = Set.of("netatmo_last_refresh_time",
            "netatmo_last_refresh_duration_seconds", "netatmo_cache_updated_time");

    @TempDir
    Path dir;

    @Test
    void onGosTokenFileAndARealResponseTheMetricsAreGos() throws Exception {
        Path tokenFile = dir.resolve("netatmo-token.json");
        Files.writeString(tokenFile, MetricsOutputTest.resource("fixtures/go-dropin/token.json"));
        Map<String, PromText.Family> go = PromText.parse(
                MetricsOutputTest.resource("fixtures/go-dropin/go-2.1.2.metrics.txt"));

        Map<String, PromText.Family> ours;
        try (FakeNetatmo netatmo = new FakeNetatmo()) {
            netatmo.serve("getstationsdata", MetricsOutputTest.resource("fixtures/go-dropin/getstationsdata.json"));
            netatmo.honour("go-written-access|5f1e2d3c", "go-written-refresh|5f1e2d3c");
            try (Exporter exporter = Exporter.start(goDefaults(tokenFile, netatmo), new FakeClock())) {
                exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
                ours = PromText.parse(new Browser(exporter.port()).get("/metrics").body());
            }
            assertEquals(0, netatmo.count("/oauth2/token"), "Go's token is valid: no refresh");
        }

        Set<String> missing = new TreeSet<>(go.keySet());
        missing.removeAll(ours.keySet());
        missing.removeIf(name -> name.startsWith(GO_RUNTIME) || ONLY_IN_GO.contains(name));
        assertEquals(Set.of(), missing, "Go's families that we do not have");
        Set<String> extra = new TreeSet<>(ours.keySet());
        extra.removeAll(go.keySet());
        extra.removeIf(name -> name.startsWith(JVM_RUNTIME) || ONLY_IN_OURS.contains(name));
        assertEquals(Set.of(), extra, "our families that Go does not have");

        List<String> differences = new ArrayList<>();
        for (PromText.Family theirs : go.values()) {
            PromText.Family mine = ours.get(theirs.name());
            if (mine == null) {
                continue;
            }
            if (!theirs.type().equals(mine.type())) {
                differences.add(theirs.name() + ": TYPE " + mine.type() + ", Go's " + theirs.type());
            }
            if (!theirs.help().equals(mine.help())) {
                differences.add(theirs.name() + ": HELP \"" + mine.help() + "\", Go's \"" + theirs.help() + "\"");
            }
            if (theirs.name().startsWith("process_")) {
                continue; // this run's process, not Go's
            }
            if (VALUES_OF_THE_RUN.contains(theirs.name())) {
                // A time is set; the duration is 0 on this test's clock, which does not move during the refresh.
                mine.samples().forEach(s -> assertTrue(theirs.name().endsWith("_time") ? s.value() > 0
                        : s.value() >= 0, theirs.name() + " is set: " + s));
                continue;
            }
            Map<Map<String, String>, Float> goValues = readings(theirs);
            Map<Map<String, String>, Float> ourValues = readings(mine);
            if (!goValues.equals(ourValues)) {
                differences.add(theirs.name() + ": " + ourValues + ", Go's " + goValues);
            }
        }
        assertEquals(List.of(), differences);

        PromText.Sample build = ours.get("netatmo_exporter_build_info").samples().get(0);
        assertEquals(1.0, build.value());
        assertEquals(Set.of("version", "revision", "java_version"), build.labels().keySet());
        assertEquals(System.getProperty("java.version"), build.labels().get("java_version"));
        for (String name : List.of("process_resident_memory_bytes", "process_cpu_seconds_total",
                "process_start_time_seconds", "jvm_memory_used_bytes")) {
            assertTrue(ours.get(name).samples().stream().allMatch(s -> s.value() > 0), name + " has values");
        }
    }

    @Test
    void beforeAnyTokenOrDataTheTimesAreZeroAsInGo() throws Exception {
        try (FakeNetatmo netatmo = new FakeNetatmo()) {
            try (Exporter exporter = Exporter.start(goDefaults(dir.resolve("absent.json"), netatmo),
                    new FakeClock())) {
                exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
                Map<String, PromText.Family> ours = PromText.parse(new Browser(exporter.port()).get("/metrics")
                        .body());

                for (String name : List.of("netatmo_exporter_token_expiry_time", "netatmo_cache_updated_time",
                        "netatmo_exporter_token_valid", "netatmo_up")) {
                    assertEquals(List.of(0.0), ours.get(name).samples().stream().map(PromText.Sample::value)
                            .collect(Collectors.toList()), name);
                }
            }
        }
    }

    @Test
    void theDefaultRedirectIsGosForEveryListenAddress() {
        // Go 2.1.2 takes the host of --addr as it is and puts 127.0.0.1 only for an empty one: an app registered for
        // "--addr 0.0.0.0:9210" names http://0.0.0.0:9210/auth/callback, which must keep matching.
        assertEquals(URI.create("http://127.0.0.1:9210"), Exporter.externalUrl(goDefaults(null, 9210), 9210));
        assertEquals(URI.create("http://0.0.0.0:9210"), Exporter.externalUrl(goDefaults("0.0.0.0", 9210), 9210));
        assertEquals(URI.create("http://nas.local:9210"), Exporter.externalUrl(goDefaults("nas.local", 9210),
                9210));
        assertEquals(URI.create("http://[::1]:9210"), Exporter.externalUrl(goDefaults("::1", 9210), 9210));
        // Go writes http://:::9210 for [::]:9210, which no app can have registered; 127.0.0.1 is a working URL.
        assertEquals(URI.create("http://127.0.0.1:9210"), Exporter.externalUrl(goDefaults("::", 9210), 9210));
    }

    private static Config goDefaults(String host, int port) {
        return new Config(host, port, null, Path.of("token.json"), false, "info", Duration.ofMinutes(8),
                Duration.ofMinutes(60), FakeNetatmo.CLIENT_ID, FakeNetatmo.CLIENT_SECRET, Config.DEFAULT_API_URL,
                false, false);
    }

    /** The Go exporter's defaults: 8-minute refresh, readings stale after an hour. */
    private static Config goDefaults(Path tokenFile, FakeNetatmo netatmo) {
        return new Config("127.0.0.1", 0, null, tokenFile, false, "info", Duration.ofMinutes(8),
                Duration.ofMinutes(60), FakeNetatmo.CLIENT_ID, FakeNetatmo.CLIENT_SECRET, netatmo.url(), false,
                false);
    }

    /** Each series' value as the float32 that Go's NetAtmo client reads it into. */
    private static Map<Map<String, String>, Float> readings(PromText.Family family) {
        return family.samples().stream().collect(Collectors.toMap(PromText.Sample::labels,
                s -> (float) s.value()));
    }
}
