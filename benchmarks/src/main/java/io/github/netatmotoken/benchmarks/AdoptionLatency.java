package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Token;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 7a, adoption latency: how long after one process stores a refreshed token every other process holds
 * it. The parent stores each sample with a raw {@link SharedTokenStore#saveRefreshed} on a store of its own; the
 * {@code observers} child JVMs ({@link AdoptionObserver}) each run a {@code RefreshingTokenSource} on a store of
 * their own and report when {@code TokenListener.adopted} fired. A sample's latency is from the return of
 * {@code saveRefreshed} (the commit acknowledged) to that moment, on {@link System#nanoTime()}, which all processes
 * of one Linux host share. The parent waits for every observer before the next sample, then pauses a random 5 to
 * 25 ms (with polling alone, a random part of the poll interval too, so that samples do not lock onto its phase).
 *
 * <p>Each engine runs twice: with notifications ({@code LISTEN/NOTIFY}, pub/sub; the poll interval at its 5 s
 * default, so that the notification is what delivers), and with polling alone ({@code notifications(false)},
 * {@code --poll-ms}). PostgreSQL runs twice as well: with {@code url(...)} (a new connection per operation) and with
 * a pooled {@code dataSource(...)} ({@code jdbc-pooled}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.netatmotoken.benchmarks.AdoptionLatency
 *     [--engines jdbc,jdbc-pooled,redis] [--observers 4] [--samples 300] [--polling-samples 100] [--warmup 20]
 *     [--poll-ms 100] [--dir benchmarks/target]
 * </pre>
 */
public final class AdoptionLatency {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private AdoptionLatency() {
    }

    public static void main(String[] args) throws Exception {
        Arguments a = new Arguments(args);
        List<String> engines = List.of(a.text("--engines", "jdbc,jdbc-pooled,redis").split(","));
        int observers = a.integer("--observers", 4);
        int samples = a.integer("--samples", 300);
        int pollingSamples = a.integer("--polling-samples", 100);
        int warmup = a.integer("--warmup", 20);
        int pollMillis = a.integer("--poll-ms", 100);
        Path work = Files.createTempDirectory(Path.of(a.text("--dir", ".")).toAbsolutePath(), "adoption-");
        System.out.printf(Locale.ROOT, "adoption: %d observer JVMs, %d warm-up samples, then %d with notifications and"
                + " %d polling every %d ms alone; logs in %s%n%n", observers, warmup, samples, pollingSamples,
                pollMillis, work);
        System.out.println("| engine | delivered by | samples | `saveRefreshed` p50 | one observer p50 | p99 |"
                + " every observer holds it p50 | p99 | max |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String engine : engines) {
            try (StoreServer server = StoreServer.start(engine, work)) {
                measure(server, observers, warmup, samples, true, 5_000, work);
                measure(server, observers, warmup, pollingSamples, false, pollMillis, work);
            }
        }
    }

    private static void measure(StoreServer server, int observers, int warmup, int samples, boolean notifications,
            int pollMillis, Path work) throws Exception {
        String key = "adoption-" + (notifications ? "notified" : "polled") + "-" + ProcessHandle.current().pid();
        long[] commit = new long[samples];
        long[] each = new long[samples * observers];
        long[] all = new long[samples];
        try (SharedTokenStore store = StoreServer.open(server.engine(), server.url(), key, true,
                Duration.ofSeconds(5))) {
            Token spent = new Token("access-0", "refresh-0", Instant.now().plus(Duration.ofHours(3)));
            store.save(spent);
            store.load(); // the generation that saveRefreshed compares with
            try (ChildJvms children = ChildJvms.start(observers, AdoptionObserver.class, List.of("--engine",
                    server.engine(), "--key", key, "--notifications", Boolean.toString(notifications), "--poll-ms",
                    Integer.toString(pollMillis)), Map.of(AdoptionObserver.URL_VARIABLE, server.url()),
                    work.resolve("observers.log"))) {
                children.awaitAll("ready", Duration.ofSeconds(60));
                for (int i = 1; i <= warmup + samples; i++) {
                    Token fresh = new Token("access-" + i, "refresh-" + i, Instant.now().plus(Duration.ofHours(3)));
                    long before = System.nanoTime();
                    if (!store.saveRefreshed(spent, fresh)) {
                        throw new IllegalStateException("saveRefreshed of sample " + i + " lost its compare-and-set");
                    }
                    long committed = System.nanoTime();
                    spent = fresh;
                    String[] answers = children.awaitAll("adopted " + i + " ", WAIT);
                    int s = i - warmup - 1;
                    if (s >= 0) {
                        commit[s] = committed - before;
                        long slowest = 0;
                        for (int o = 0; o < observers; o++) {
                            long latency = Long.parseLong(answers[o].substring(answers[o].lastIndexOf(' ') + 1))
                                    - committed;
                            each[s * observers + o] = latency;
                            slowest = Math.max(slowest, latency);
                        }
                        all[s] = slowest;
                    }
                    long pause = ThreadLocalRandom.current().nextLong(5, 26)
                            + (notifications ? 0 : ThreadLocalRandom.current().nextLong(pollMillis));
                    TimeUnit.MILLISECONDS.sleep(pause);
                }
            }
        }
        Arrays.sort(commit);
        Arrays.sort(each);
        Arrays.sort(all);
        System.out.printf(Locale.ROOT, "| %s | %s | %d × %d | %s | %s | %s | %s | %s | %s |%n",
                StoreServer.label(server.engine()), notifications ? "notification" : "polling every " + pollMillis
                        + " ms", samples, observers, millis(Percentile.of(commit, 0.5)),
                millis(Percentile.of(each, 0.5)), millis(Percentile.of(each, 0.99)), millis(Percentile.of(all, 0.5)),
                millis(Percentile.of(all, 0.99)), millis(all[all.length - 1]));
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }
}
