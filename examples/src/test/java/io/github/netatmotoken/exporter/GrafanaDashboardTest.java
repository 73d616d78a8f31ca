package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.InMemorySharedTokenStore;
import io.github.netatmotoken.core.Token;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/deploy/grafana-dashboard.json}: every metric its queries read is one the exporter serves on
 * {@code /metrics}, it has the {@code station} variable, CO2's colours and a panel for each measurement.
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("deploy", "grafana-dashboard.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LABEL_VALUES = Pattern.compile("(?s)\\s*label_values\\((.*),\\s*(\\w+)\\s*\\)\\s*");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");
    /** The labels Prometheus adds to every series it scrapes. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
    private static final Pattern QUERY_RESULT = Pattern.compile("(?s)\\s*query_result\\((.*)\\)\\s*");

    /** The sample names of a demo exporter after its first data refresh, and of one with a shared store. */
    private static Set<String> served;
    /** The label names of each of those samples. */
    private static Map<String, Set<String>> servedLabels;

    @TempDir
    static Path dir;

    @BeforeAll
    static void scrapeTheExporters() throws Exception {
        served = new TreeSet<>();
        servedLabels = new TreeMap<>();
        for (String exposition : List.of(demoMetrics(), sharedStoreMetrics())) {
            served.addAll(sampleNames(exposition));
            PromText.parse(exposition).values().forEach(family -> family.samples().forEach(s -> servedLabels
                    .computeIfAbsent(s.name(), k -> new TreeSet<>()).addAll(s.labels().keySet())));
        }
    }

    /** An authorized demo: sensors, token, request counters. */
    private static String demoMetrics() throws Exception {
        FakeClock clock = new FakeClock();
        Config config = new Config("127.0.0.1", 0, null, dir.resolve("demo-token.json"), false, "info",
                Duration.ofMinutes(8), Duration.ofMinutes(60), Config.DEMO_CLIENT_ID, Config.DEMO_CLIENT_SECRET,
                Config.DEFAULT_API_URL, true, false);
        try (Exporter exporter = Exporter.start(config, clock)) {
            exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
            exporter.tokens().setToken(DemoTokens.of(exporter, clock).issue());
            exporter.refreshData().get(20, TimeUnit.SECONDS);
            String metrics = new Browser(exporter.port()).get("/metrics").body();
            assertTrue(metrics.contains("netatmo_up 1.0"), metrics);
            return metrics;
        }
    }

    /** An exporter with {@code --token-store}, for what only it serves. */
    private static String sharedStoreMetrics() throws Exception {
        FakeClock clock = new FakeClock();
        try (FakeNetatmo netatmo = new FakeNetatmo()) {
            netatmo.serve("getstationsdata", FakeNetatmo.STATIONS.formatted(clock.instant().getEpochSecond() - 300));
            netatmo.honour("store-access-g1", "store-refresh-g1");
            InMemorySharedTokenStore store = new InMemorySharedTokenStore(new InMemorySharedTokenStore.Backend(), "a",
                    Duration.ofSeconds(15));
            store.save(new Token("store-access-g1", "store-refresh-g1", clock.instant().plus(Duration.ofHours(3))));
            Config config = new Config("127.0.0.1", 0, null, null, false, "info", Duration.ofHours(1),
                    Duration.ofHours(2), FakeNetatmo.CLIENT_ID, FakeNetatmo.CLIENT_SECRET, netatmo.url(), false,
                    false, TokenStoreUrl.parse("redis://localhost:6379"), FakeNetatmo.CLIENT_ID);
            try (Exporter exporter = Exporter.start(config, clock, (url, key) -> store)) {
                exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
                String metrics = new Browser(exporter.port()).get("/metrics").body();
                assertTrue(metrics.contains("netatmo_exporter_token_store_up 1.0"), metrics);
                return metrics;
            }
        }
    }

    /** The names of the samples in a text exposition, as Prometheus stores them (counters with {@code _total}). */
    static Set<String> sampleNames(String exposition) {
        Set<String> names = new HashSet<>();
        PromText.parse(exposition).values().forEach(family -> family.samples().forEach(s -> names.add(s.name())));
        return names;
    }

    /** Every PromQL query: the panels' targets, in rows too, and the query variables. */
    static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        panels(dashboard).forEach(panel -> panel.path("targets").forEach(t -> {
            if (t.hasNonNull("expr")) {
                out.add(t.get("expr").asText());
            }
        }));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                out.add(variableQuery(variable.path("definition").asText()));
                JsonNode query = variable.path("query");
                out.add(variableQuery(query.isTextual() ? query.asText() : query.path("query").asText()));
            }
        }
        out.removeIf(String::isBlank);
        return out;
    }

    /** Grafana's variable functions around PromQL: label_values(selector, label), query_result(expr). */
    private static String variableQuery(String query) {
        Matcher m = LABEL_VALUES.matcher(query);
        if (m.matches()) {
            return m.group(1);
        }
        if (query.matches("\\s*label_values\\(\\s*\\w+\\s*\\)\\s*") || query.matches("\\s*label_names\\(.*")) {
            return "";
        }
        m = QUERY_RESULT.matcher(query);
        return m.matches() ? m.group(1) : query;
    }

    /** All panels, the ones inside collapsed rows included. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            out.add(panel);
            panel.path("panels").forEach(out::add);
        }
        return out;
    }

    /** The metric names the dashboard reads that none of {@code served} is. */
    static Set<String> unknownMetrics(JsonNode dashboard, Set<String> served) {
        Set<String> unknown = new TreeSet<>();
        for (String query : queries(dashboard)) {
            for (String name : PromQlNames.of(query)) {
                if (!served.contains(name)) {
                    unknown.add(name);
                }
            }
        }
        return unknown;
    }

    /**
     * The labels the dashboard reads (in matchers, in {@code by (…)} and the like, in legends, as a variable's
     * values) that none of the metrics of that query has, as "panel title: label" or "variable: label".
     */
    static Set<String> unknownLabels(JsonNode dashboard, Map<String, Set<String>> labelsByMetric) {
        Set<String> unknown = new TreeSet<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                Set<String> read = new TreeSet<>(PromQlNames.labelsOf(expr));
                Matcher legend = LEGEND_LABEL.matcher(target.path("legendFormat").asText());
                while (legend.find()) {
                    read.add(legend.group(1));
                }
                read.removeAll(labelsOf(PromQlNames.of(expr), labelsByMetric));
                read.forEach(label -> unknown.add(panel.path("title").asText() + ": " + label));
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.path("query");
                for (String text : List.of(variable.path("definition").asText(),
                        query.isTextual() ? query.asText() : query.path("query").asText())) {
                    Matcher m = LABEL_VALUES.matcher(text);
                    if (m.matches()) {
                        Set<String> read = new TreeSet<>(PromQlNames.labelsOf(m.group(1)));
                        read.add(m.group(2));
                        read.removeAll(labelsOf(PromQlNames.of(m.group(1)), labelsByMetric));
                        read.forEach(label -> unknown.add("variable: " + label));
                    }
                }
            }
        }
        return unknown;
    }

    /** The labels any of {@code metrics} has, and the ones Prometheus adds. */
    private static Set<String> labelsOf(Set<String> metrics, Map<String, Set<String>> labelsByMetric) {
        Set<String> labels = new HashSet<>(TARGET_LABELS);
        metrics.forEach(m -> labels.addAll(labelsByMetric.getOrDefault(m, Set.of())));
        return labels;
    }

    private static JsonNode dashboard() throws IOException {
        return JSON.readTree(DASHBOARD.toFile());
    }

    private static Set<String> metricsOf(JsonNode panel) {
        Set<String> names = new HashSet<>();
        panel.path("targets").forEach(t -> names.addAll(PromQlNames.of(t.path("expr").asText())));
        return names;
    }

    @Test
    void everyMetricTheDashboardReadsIsOneTheExporterServes() throws IOException {
        JsonNode dashboard = dashboard();
        Set<String> read = queries(dashboard).stream().flatMap(q -> PromQlNames.of(q).stream())
                .collect(Collectors.toSet());

        assertEquals(Set.of(), unknownMetrics(dashboard, served), "served: " + served);
        assertTrue(read.size() >= 20, "the queries read " + read);
    }

    @Test
    void aMisspelledMetricFailsTheCheck() throws IOException {
        JsonNode dashboard = dashboard();
        ObjectNode target = (ObjectNode) panels(dashboard).stream()
                .filter(p -> p.path("title").asText().equals("Temperature") && p.path("type").asText()
                        .equals("timeseries")).findFirst().orElseThrow().path("targets").get(0);
        target.put("expr", target.get("expr").asText().replace("temperature_celsius", "temprature_celsius"));
        ((ObjectNode) dashboard.path("templating").path("list").get(1)).put("definition",
                "label_values(netatmo_sensor_updatd, station)");

        assertEquals(Set.of("netatmo_sensor_temprature_celsius", "netatmo_sensor_updatd"),
                unknownMetrics(dashboard, served));
    }

    @Test
    void everyLabelTheDashboardReadsIsOneOfTheMetricsItReads() throws IOException {
        JsonNode dashboard = dashboard();

        assertEquals(Set.of(), unknownLabels(dashboard, servedLabels), "served: " + servedLabels);
    }

    @Test
    void aMisspelledLabelFailsTheCheck() throws IOException {
        JsonNode dashboard = dashboard();
        ObjectNode temperature = (ObjectNode) panels(dashboard).stream()
                .filter(p -> p.path("title").asText().equals("Temperature")).findFirst().orElseThrow()
                .path("targets").get(0);
        temperature.put("expr", temperature.get("expr").asText().replace("module=~", "modul=~"));
        ObjectNode requests = (ObjectNode) panels(dashboard).stream()
                .filter(p -> p.path("title").asText().startsWith("NetAtmo data requests")).findFirst().orElseThrow()
                .path("targets").get(0);
        requests.put("legendFormat", "{{code}}");
        ((ObjectNode) dashboard.path("templating").path("list").get(2)).put("definition",
                "label_values(netatmo_sensor_updated{station=~\"$station\"}, room)");

        assertEquals(Set.of("Temperature: modul", "NetAtmo data requests per hour, by status: code",
                "variable: room"), unknownLabels(dashboard, servedLabels));
    }

    @Test
    void theStationVariableListsEveryStationAndAllOfThem() throws IOException {
        JsonNode station = null;
        for (JsonNode variable : dashboard().path("templating").path("list")) {
            if (variable.path("name").asText().equals("station")) {
                station = variable;
            }
        }

        assertTrue(station != null, "a station variable");
        assertEquals("query", station.path("type").asText());
        assertTrue(station.path("definition").asText().matches("label_values\\(netatmo_sensor_\\w+, station\\)"),
                station.path("definition").asText());
        assertTrue(station.path("multi").asBoolean() && station.path("includeAll").asBoolean());
        assertEquals(".*", station.path("allValue").asText(), "All takes a station without a name (\"\") too");
    }

    @Test
    void everyMeasurementPanelFiltersByStationAndNamesItsModules() throws IOException {
        for (JsonNode panel : panels(dashboard())) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                if (expr.contains("netatmo_sensor_")) {
                    String where = panel.path("title").asText() + ": " + expr;
                    assertTrue(expr.contains("station=~\"$station\""), where);
                    assertTrue(target.path("legendFormat").asText().contains("{{module}}"), where);
                }
            }
        }
    }

    @Test
    void co2IsGreenUnder1000PpmAndRedOver2000() throws IOException {
        int co2Panels = 0;
        for (JsonNode panel : panels(dashboard())) {
            if (metricsOf(panel).contains(Measurement.CO2.metricName)) {
                co2Panels++;
                JsonNode steps = panel.path("fieldConfig").path("defaults").path("thresholds").path("steps");
                String where = panel.path("title").asText() + ": " + steps;
                assertEquals("green", steps.get(0).path("color").asText(), where);
                assertTrue(steps.get(0).path("value").isNull(), where);
                assertEquals(1000, steps.get(1).path("value").asInt(), where);
                assertFalse(steps.get(1).path("color").asText().equals("green"), where);
                JsonNode last = steps.get(steps.size() - 1);
                assertEquals(2000, last.path("value").asInt(), where);
                assertEquals("red", last.path("color").asText(), where);
                JsonNode defaults = panel.path("fieldConfig").path("defaults");
                boolean shown = defaults.path("color").path("mode").asText().equals("thresholds")
                        || !defaults.path("custom").path("thresholdsStyle").path("mode").asText("off").equals("off");
                assertTrue(shown, where + ": the colours show");
            }
        }
        assertTrue(co2Panels >= 2, "a CO2 stat for now and a graph over time");
    }

    @Test
    void everyMeasurementAndTheExportersHealthHaveAPanel() throws IOException {
        Map<String, Set<String>> covered = new TreeMap<>();
        for (JsonNode panel : panels(dashboard())) {
            for (String metric : metricsOf(panel)) {
                covered.computeIfAbsent(metric, k -> new TreeSet<>()).add(panel.path("title").asText());
            }
        }
        List<String> wanted = new ArrayList<>();
        for (Measurement m : Measurement.values()) {
            wanted.add(m.metricName);
        }
        wanted.addAll(List.of("netatmo_sensor_updated", "netatmo_up", "netatmo_cache_updated_time",
                "netatmo_refresh_interval_seconds", "netatmo_last_refresh_time", "netatmo_last_refresh_duration_seconds",
                "netatmo_exporter_token_valid", "netatmo_exporter_token_expiry_time", "netatmo_api_requests_total",
                "netatmo_exporter_token_refresh_total", "netatmo_exporter_token_adoptions_total",
                "netatmo_exporter_token_store_up"));

        for (String metric : wanted) {
            assertTrue(covered.containsKey(metric), metric + " has no panel; panels by metric: " + covered);
        }
    }

    @Test
    void everyQueryGoesToTheDataSourceVariable() throws IOException {
        JsonNode dashboard = dashboard();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels(dashboard)) {
            assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique: " + panel.path("id"));
            for (JsonNode target : panel.path("targets")) {
                assertEquals("${datasource}", target.path("datasource").path("uid").asText(),
                        panel.path("title").asText());
            }
        }
        assertTrue(dashboard.path("schemaVersion").asInt() >= 36, "Grafana 9 or later");
    }
}
