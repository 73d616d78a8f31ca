package io.github.netatmotoken.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the JSON results of one {@code benchmarks/run.sh} execution into the Markdown tables of BENCHMARKS.md, with
 * every ratio taken between results of that same execution.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.netatmotoken.benchmarks.JmhSummary RESULTS_DIR
 * </pre>
 *
 * Reads {@code hotpath-avgt-t1.json}, {@code hotpath-avgt-t2.json}, {@code hotpath-thrpt-t1.json},
 * {@code hotpath-thrpt-t2.json}, {@code interceptor-avgt.json}, {@code tokenfile.json} and {@code shared-avgt.json},
 * whichever exist.
 */
public final class JmhSummary {
    private static final String OURS = "netatmoToken";
    private static final List<String> ORDER = List.of("volatileReadOnly", "floorBNanoTime", "floorAMillis",
            "floorAInstant", OURS, "googleAuth", "awsCachedSupplier");
    private static final Map<String, String> LABELS = Map.of(
            "volatileReadOnly", "volatile read only (no clock; not a valid cache)",
            "floorBNanoTime", "floor B: volatile read + `System.nanoTime()`",
            "floorAMillis", "floor A (millis): volatile read + `Clock.systemUTC().millis()`",
            "floorAInstant", "floor A: volatile read + `Clock.systemUTC().instant()`",
            OURS, "**`RefreshingTokenSource.token()`**",
            "googleAuth", "google-auth `OAuth2Credentials.getRequestMetadata(URI)`",
            "awsCachedSupplier", "AWS `CachedSupplier.get()`");

    private final ObjectMapper json = new ObjectMapper();
    private final Path dir;

    private JmhSummary(Path dir) {
        this.dir = dir;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: JmhSummary RESULTS_DIR");
        }
        new JmhSummary(Path.of(args[0])).print();
    }

    private void print() throws IOException {
        Map<String, JsonNode> avgt1 = results("hotpath-avgt-t1.json");
        Map<String, JsonNode> avgt2 = results("hotpath-avgt-t2.json");
        Map<String, JsonNode> thrpt1 = results("hotpath-thrpt-t1.json");
        Map<String, JsonNode> thrpt2 = results("hotpath-thrpt-t2.json");
        if (!avgt1.isEmpty() || !thrpt1.isEmpty()) {
            System.out.println("### Hot path (benchmark 1)");
            System.out.println();
            System.out.println("`x token()` = the contender's time per call divided by `token()`'s, in the same JMH run"
                    + " (below 1: faster than `token()`). Scaling = total throughput on 2 threads / on 1 thread.");
            System.out.println();
            System.out.println("| contender | avgt 1 thread | x token() | alloc B/op | avgt 2 threads | x token() |"
                    + " thrpt 1 thread | thrpt 2 threads | scaling 1 -> 2 |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            for (String name : ORDER) {
                JsonNode a1 = avgt1.get(name);
                JsonNode a2 = avgt2.get(name);
                JsonNode t1 = thrpt1.get(name);
                JsonNode t2 = thrpt2.get(name);
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", LABELS.get(name),
                        score(a1, "ns"), ratio(a1, avgt1.get(OURS)), alloc(a1),
                        score(a2, "ns"), ratio(a2, avgt2.get(OURS)),
                        score(t1, "ops/us"), score(t2, "ops/us"),
                        t1 == null || t2 == null ? "-" : String.format(Locale.ROOT, "%.2f", primary(t2) / primary(t1)));
            }
            System.out.println();
        }
        Map<String, JsonNode> interceptor = results("interceptor-avgt.json");
        if (!interceptor.isEmpty()) {
            System.out.println("### Interceptor, in process (benchmark 2, no network)");
            System.out.println();
            System.out.println("| interceptor | whole OkHttp call, avgt | alloc B/op | x trivial |");
            System.out.println("|---|---|---|---|");
            JsonNode trivial = interceptor.get("trivialInterceptor");
            for (String name : List.of("trivialInterceptor", "netatmoAuthInterceptor")) {
                JsonNode r = interceptor.get(name);
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n",
                        name.equals("trivialInterceptor") ? "trivial (constant header)" : "`NetatmoAuthInterceptor`",
                        score(r, "ns"), alloc(r), ratio(r, trivial));
            }
            System.out.println();
        }
        Map<String, JsonNode> file = results("tokenfile.json");
        if (!file.isEmpty()) {
            System.out.println("### FileTokenStore (benchmark 4)");
            System.out.println();
            System.out.println("| operation | samples | p50 | p90 | p99 | p99.9 | max | p50 x plain write |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            JsonNode plain = file.get("plainWrite");
            for (String name : List.of("save", "load", "plainWrite")) {
                JsonNode r = file.get(name);
                if (r == null) {
                    continue;
                }
                JsonNode p = r.path("primaryMetric").path("scorePercentiles");
                String unit = r.path("primaryMetric").path("scoreUnit").asText();
                System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s |%n",
                        switch (name) {
                            case "save" -> "`save` (temp file, fsync, rename, fsync dir)";
                            case "load" -> "`load` (read, parse)";
                            default -> "plain `Files.write` (not atomic, no fsync)";
                        },
                        samples(r), time(p.path("50.0").asDouble(), unit), time(p.path("90.0").asDouble(), unit),
                        time(p.path("99.0").asDouble(), unit), time(p.path("99.9").asDouble(), unit),
                        time(p.path("100.0").asDouble(), unit),
                        plain == null ? "-" : String.format(Locale.ROOT, "%.2f", p.path("50.0").asDouble()
                                / plain.path("primaryMetric").path("scorePercentiles").path("50.0").asDouble()));
            }
            System.out.println();
        }
        printShared();
    }

    /** Benchmark 7c: one method, one result per store ({@code @Param}), each against the file store's. */
    private void printShared() throws IOException {
        Path file = dir.resolve("shared-avgt.json");
        if (!Files.exists(file)) {
            return;
        }
        Map<String, JsonNode> byStore = new LinkedHashMap<>();
        for (JsonNode r : json.readTree(file.toFile())) {
            byStore.put(r.path("params").path("store").asText(), r);
        }
        System.out.println("### `token()` on the shared stores (benchmark 7c)");
        System.out.println();
        System.out.println("| store under the source | avgt 1 thread | x file store | alloc B/op |");
        System.out.println("|---|---|---|---|");
        for (String store : List.of("file", "jdbc", "redis")) {
            JsonNode r = byStore.get(store);
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", switch (store) {
                case "file" -> "`FileTokenStore`";
                case "jdbc" -> "`JdbcTokenStore` (PostgreSQL running, subscribed)";
                default -> "`RedisTokenStore` (Redis running, subscribed)";
            }, score(r, "ns"), ratio(r, byStore.get("file")), alloc(r));
        }
        System.out.println();
    }

    private Map<String, JsonNode> results(String fileName) throws IOException {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        Path file = dir.resolve(fileName);
        if (!Files.exists(file)) {
            return byName;
        }
        for (JsonNode r : json.readTree(file.toFile())) {
            String benchmark = r.path("benchmark").asText();
            byName.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), r);
        }
        return byName;
    }

    private static double primary(JsonNode result) {
        return result.path("primaryMetric").path("score").asDouble();
    }

    private static String score(JsonNode result, String unit) {
        if (result == null) {
            return "-";
        }
        JsonNode m = result.path("primaryMetric");
        double error = m.path("scoreError").asDouble();
        String scoreUnit = m.path("scoreUnit").asText();
        String shown = scoreUnit.startsWith(unit) ? unit : scoreUnit;
        return Double.isNaN(error) || error == 0 ? String.format(Locale.ROOT, "%.1f %s", m.path("score").asDouble(), shown)
                : String.format(Locale.ROOT, "%.1f ± %.1f %s", m.path("score").asDouble(), error, shown);
    }

    private static String ratio(JsonNode result, JsonNode ours) {
        if (result == null || ours == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f", primary(result) / primary(ours));
    }

    private static String alloc(JsonNode result) {
        if (result == null) {
            return "-";
        }
        List<String> names = new ArrayList<>();
        result.path("secondaryMetrics").fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (name.endsWith("gc.alloc.rate.norm")) {
                return String.format(Locale.ROOT, "%.3f", result.path("secondaryMetrics").path(name).path("score")
                        .asDouble());
            }
        }
        return "-";
    }

    private static long samples(JsonNode result) {
        long n = 0;
        for (JsonNode fork : result.path("primaryMetric").path("rawDataHistogram")) {
            for (JsonNode iteration : fork) {
                for (JsonNode bucket : iteration) {
                    n += bucket.get(1).asLong();
                }
            }
        }
        return n;
    }

    private static String time(double value, String unit) {
        if (!unit.startsWith("us")) {
            return String.format(Locale.ROOT, "%.1f %s", value, unit);
        }
        return value >= 1000 ? String.format(Locale.ROOT, "%.2f ms", value / 1000)
                : String.format(Locale.ROOT, "%.0f µs", value);
    }
}
