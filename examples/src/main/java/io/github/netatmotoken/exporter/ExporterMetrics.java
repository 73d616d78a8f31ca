package io.github.netatmotoken.exporter;

import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Ticker;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The exporter's metrics: the Go netatmo-exporter's names, labels and HELP texts, built on each scrape from the
 * cached {@link DataSnapshot} and the token status (never from a call to NetAtmo), plus counters of API requests and
 * token refreshes, {@code netatmo_exporter_build_info}, and the {@code process_*} and {@code jvm_*} metrics (where
 * the Go exporter has {@code process_*} and {@code go_*}). As in the Go exporter, the time gauges are 0 before
 * there is a token or data. Thread-safe.
 */
final class ExporterMetrics implements MultiCollector {
    /** How old the JVM's and the process's metrics may be when a scrape gets them. */
    static final Duration JVM_METRICS_MAX_AGE = Duration.ofSeconds(1);
    private static final String[] SENSOR_LABELS = {"module", "station", "home"};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Supplier<DataSnapshot> data;
    private final Supplier<RefreshingTokenSource.Status> tokenStatus;
    private final Duration refreshInterval;
    private final Duration ageStale;
    private final Clock clock;
    private final Counter apiRequests;
    private final Counter tokenRefreshes;
    private final Counter tokenAdoptions;
    private final boolean sharedStore;

    ExporterMetrics(Supplier<DataSnapshot> data, Supplier<RefreshingTokenSource.Status> tokenStatus,
            Duration refreshInterval, Duration ageStale, Clock clock) {
        this(data, tokenStatus, refreshInterval, ageStale, clock, false);
    }

    /**
     * Also registers the JVM's and the process's metrics: once per registry, as the exporter does. These are
     * client_java's {@code JvmMetrics} without {@code JvmNativeMemoryMetrics}, whose {@code jvm_native_memory_*}
     * exist only under {@code -XX:NativeMemoryTracking} and whose check for it starts the platform MBean server: about
     * 250 classes more, and 60 ms more to the first scrape. They are collected at most once a second
     * ({@link CachedCollector}).
     */
    static ExporterMetrics withJvmMetrics(Supplier<DataSnapshot> data,
            Supplier<RefreshingTokenSource.Status> tokenStatus, Duration refreshInterval, Duration ageStale,
            Clock clock, boolean sharedStore) {
        ExporterMetrics metrics = new ExporterMetrics(data, tokenStatus, refreshInterval, ageStale, clock,
                sharedStore);
        PrometheusRegistry r = new PrometheusRegistry();
        metrics.registry.register(new CachedCollector(r::scrape, JVM_METRICS_MAX_AGE, Ticker.systemTicker()));
        JvmThreadsMetrics.builder().register(r);
        JvmBufferPoolMetrics.builder().register(r);
        JvmClassLoadingMetrics.builder().register(r);
        JvmCompilationMetrics.builder().register(r);
        JvmGarbageCollectorMetrics.builder().register(r);
        JvmMemoryPoolAllocationMetrics.builder().register(r);
        JvmMemoryMetrics.builder().register(r);
        JvmRuntimeInfoMetric.builder().register(r);
        ProcessMetrics.builder().register(r);
        return metrics;
    }

    /**
     * @param sharedStore whether the token is in a shared store ({@code --token-store}): then
     *     {@code netatmo_exporter_token_store_up} says whether it can be reached
     */
    ExporterMetrics(Supplier<DataSnapshot> data, Supplier<RefreshingTokenSource.Status> tokenStatus,
            Duration refreshInterval, Duration ageStale, Clock clock, boolean sharedStore) {
        this.sharedStore = sharedStore;
        this.data = data;
        this.tokenStatus = tokenStatus;
        this.refreshInterval = refreshInterval;
        this.ageStale = ageStale;
        this.clock = clock;
        this.apiRequests = Counter.builder()
                .name("netatmo_api_requests_total")
                .help("Requests to the NetAtmo data API by HTTP status (\"error\": no response)")
                .labelNames("status")
                .register(registry);
        this.tokenRefreshes = Counter.builder()
                .name("netatmo_exporter_token_refresh_total")
                .help("Token refreshes by result; this exporter's own calls to NetAtmo's token endpoint only")
                .labelNames("result")
                .register(registry);
        for (String result : List.of("success", "transient_error", "reauthorization_required")) {
            tokenRefreshes.labelValues(result);
        }
        Gauge.builder()
                .name("netatmo_exporter_build_info")
                .help("Always 1; the labels tell the exporter's version, the git revision it was built from and the"
                        + " Java version it runs on")
                .labelNames("version", "revision", "java_version")
                .register(registry)
                .labelValues(Version.VERSION, Version.REVISION, System.getProperty("java.version", "unknown"))
                .set(1);
        this.tokenAdoptions = Counter.builder()
                .name("netatmo_exporter_token_adoptions_total")
                .help("Tokens taken from the token store that another exporter (or process) refreshed or"
                        + " authorized, without a call to NetAtmo")
                .register(registry);
        registry.register(this);
    }

    PrometheusRegistry registry() {
        return registry;
    }

    /** Counts one data API request; {@code status} is the HTTP status or "error" if none came back. */
    void apiRequest(String status) {
        apiRequests.labelValues(status).inc();
    }

    /** Counts one token refresh: success, transient_error or reauthorization_required. */
    void tokenRefresh(String result) {
        tokenRefreshes.labelValues(result).inc();
    }

    /** Counts one token taken from the store that another process stored. */
    void tokenAdopted() {
        tokenAdoptions.inc();
    }

    @Override
    public MetricSnapshots collect() {
        DataSnapshot snapshot = data.get();
        RefreshingTokenSource.Status token = tokenStatus.get();
        List<MetricSnapshot> out = new ArrayList<>();
        sensors(snapshot, out);
        gauge(out, "netatmo_up", "Zero if there was an error during the last refresh try.",
                snapshot.lastSucceeded() ? 1 : 0);
        gauge(out, "netatmo_refresh_interval_seconds", "Contains the configured refresh interval in seconds. This is"
                + " provided as a convenience for calculations with the cache update time.",
                refreshInterval.toMillis() / 1000.0);
        // The Go exporter's "nothing yet" is 0, which alerts such as "expiry_time - time() < 600" rely on.
        gauge(out, "netatmo_last_refresh_time", "Contains the time of the last refresh try, successful or not.",
                seconds(snapshot.lastAttempt()));
        gauge(out, "netatmo_last_refresh_duration_seconds", "Contains the time it took for the last refresh to"
                + " complete, even if it was unsuccessful.",
                snapshot.lastAttempt() == null ? 0 : snapshot.lastDuration().toNanos() / 1e9);
        gauge(out, "netatmo_cache_updated_time", "Contains the time of the cached data.",
                seconds(snapshot.cacheUpdated()));
        gauge(out, "netatmo_exporter_token_valid", "Set to 1 if there is a valid token, 0 otherwise.",
                token.state() == RefreshingTokenSource.State.VALID ? 1 : 0);
        gauge(out, "netatmo_exporter_token_expiry_time", "Set to the unix timestamp when the token will expire. 0 if"
                + " no expiry is set.", seconds(token.expiry()));
        if (sharedStore) {
            gauge(out, "netatmo_exporter_token_store_up", "One if the shared token store (--token-store) answered"
                    + " its last operation, zero if it cannot be reached.", token.storeProblem() == null ? 1 : 0);
        }
        return new MetricSnapshots(out);
    }

    private void sensors(DataSnapshot snapshot, List<MetricSnapshot> out) {
        Instant oldest = clock.instant().minus(ageStale);
        GaugeSnapshot.Builder updated = GaugeSnapshot.builder().name("netatmo_sensor_updated")
                .help("Timestamp of last update");
        Map<Measurement, GaugeSnapshot.Builder> builders = new EnumMap<>(Measurement.class);
        boolean any = false;
        Set<List<String>> seen = new HashSet<>();
        for (ModuleReading reading : snapshot.readings()) {
            if (reading.updated() == null || reading.updated().isBefore(oldest)) {
                continue; // unreachable or stale, as in the Go exporter
            }
            if (!seen.add(List.of(reading.module(), reading.station(), reading.home()))) {
                // Two modules with one name in one station would make the scrape invalid; the id tells them apart.
                reading = reading.withModule(reading.module() + " (id-" + reading.id() + ")");
                seen.add(List.of(reading.module(), reading.station(), reading.home()));
            }
            Labels labels = Labels.of(SENSOR_LABELS, new String[] {reading.module(), reading.station(),
                reading.home()});
            updated.dataPoint(point(labels, seconds(reading.updated())));
            any = true;
            for (Map.Entry<Measurement, Double> value : reading.values().entrySet()) {
                Measurement m = value.getKey();
                builders.computeIfAbsent(m, k -> GaugeSnapshot.builder().name(k.metricName).help(k.help))
                        .dataPoint(point(labels, value.getValue()));
            }
        }
        if (any) {
            out.add(updated.build());
        }
        builders.values().forEach(b -> out.add(b.build()));
    }

    private static void gauge(List<MetricSnapshot> out, String name, String help, double value) {
        out.add(GaugeSnapshot.builder().name(name).help(help).dataPoint(point(Labels.EMPTY, value)).build());
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    /** Epoch seconds; 0 for none, as the Go exporter writes a zero time. */
    private static double seconds(Instant instant) {
        return instant == null ? 0 : instant.getEpochSecond();
    }
}
