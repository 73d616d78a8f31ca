package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachedCollectorTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicInteger collections = new AtomicInteger();

    private MetricSnapshots collect() {
        int n = collections.incrementAndGet();
        return MetricSnapshots.of(GaugeSnapshot.builder().name("jvm_test").dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder().value(n).build()).build());
    }

    @Test
    void collectsOncePerMaxAge() {
        CachedCollector cache = new CachedCollector(this::collect, Duration.ofSeconds(1), now::get);
        MetricSnapshots first = cache.collect();
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertSame(first, cache.collect());
        assertEquals(1, collections.get());
        now.addAndGet(Duration.ofMillis(1).toNanos());
        MetricSnapshots second = cache.collect();
        assertEquals(2, collections.get());
        assertEquals(2.0, ((GaugeSnapshot) second.get(0)).getDataPoints().get(0).getValue());
    }

    @Test
    void concurrentScrapesOfAStaleSnapshotWaitForOneCollection() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CachedCollector cache = new CachedCollector(() -> {
            inside.countDown();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return collect();
        }, Duration.ofSeconds(1), now::get);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Callable<MetricSnapshots> scrape = cache::collect;
            List<Future<MetricSnapshots>> scrapes = new ArrayList<>();
            scrapes.add(pool.submit(scrape));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 7; i++) {
                scrapes.add(pool.submit(scrape));
            }
            release.countDown();
            MetricSnapshots first = scrapes.get(0).get(10, TimeUnit.SECONDS);
            for (Future<MetricSnapshots> f : scrapes) {
                assertSame(first, f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, collections.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
