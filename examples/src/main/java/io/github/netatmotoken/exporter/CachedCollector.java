package io.github.netatmotoken.exporter;

import io.github.netatmotoken.core.Ticker;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Serves the JVM's and the process's metrics from one collection for up to {@code maxAge}, however many scrapes ask.
 * Collecting them is the dearest part of a scrape: thread states and deadlock checks stop the JVM at a safepoint,
 * and the process's figures are read from {@code /proc}; fifty concurrent scrapers made it 17 times slower than the
 * exporter's own metrics (BENCHMARKS.md 5a). Concurrent scrapes that find the snapshot stale wait for the one
 * collection in progress instead of starting their own. Values at most {@code maxAge} old are well within a
 * Prometheus scrape interval.
 */
final class CachedCollector implements MultiCollector {
    private final Supplier<MetricSnapshots> source;
    private final long maxAgeNanos;
    private final Ticker ticker;
    private MetricSnapshots cached; // null until the first collection
    private long collectedAt;

    CachedCollector(Supplier<MetricSnapshots> source, Duration maxAge, Ticker ticker) {
        this.source = source;
        this.maxAgeNanos = maxAge.toNanos();
        this.ticker = ticker;
    }

    @Override
    public synchronized MetricSnapshots collect() {
        long now = ticker.read();
        MetricSnapshots snapshots = cached;
        if (snapshots == null || now - collectedAt >= maxAgeNanos) {
            snapshots = source.get();
            cached = snapshots;
            collectedAt = now;
        }
        return snapshots;
    }
}
