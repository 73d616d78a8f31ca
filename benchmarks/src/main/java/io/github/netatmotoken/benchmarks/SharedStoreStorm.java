package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Token;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Benchmark 7b, refresh under contention: {@code processes} child JVMs ({@link StormProcess}), each a replica with a
 * shared store of its own, all hold one token that expires at the same instant and all call {@code token()} then.
 * The token endpoint ({@link StrictTokenEndpoint}) rotates strictly and answers after {@code delay} ms. Per round:
 * the token requests it received (must be 1), whether every replica ended with the one new token, and the time from
 * the instant of expiry until the last replica held it (target: under 2 × delay plus the adoption time of 7a), split
 * at the request's arrival and its answer.
 *
 * <p>Each round the parent stores a new token as a new authorization ({@code save}) that expires {@code lead} ms
 * later, tells each replica to build a new {@code RefreshingTokenSource} (which loads it; no background refresh),
 * and the replicas sleep until that instant on {@link System#nanoTime()}, which all processes of one Linux host share.
 * PostgreSQL runs with {@code url(...)} and with a pooled {@code dataSource(...)} ({@code jdbc-pooled}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.netatmotoken.benchmarks.SharedStoreStorm
 *     [--engines jdbc,jdbc-pooled,redis] [--processes 8] [--rounds 20] [--warmup 2] [--delay 100]
 *     [--dir benchmarks/target]
 * </pre>
 */
public final class SharedStoreStorm {
    /** From storing the round's token to its expiry, when the replicas call: time to build 8 sources. */
    private static final Duration LEAD = Duration.ofMillis(1_500);

    private SharedStoreStorm() {
    }

    /** One round: times from the instant of expiry, in nanoseconds. */
    private record Round(long lastHolds, long requestArrived, long answered, int requests, int refreshers,
            boolean sameToken) {
    }

    public static void main(String[] args) throws Exception {
        Arguments a = new Arguments(args);
        List<String> engines = List.of(a.text("--engines", "jdbc,jdbc-pooled,redis").split(","));
        int processes = a.integer("--processes", 8);
        int rounds = a.integer("--rounds", 20);
        int warmup = a.integer("--warmup", 2);
        Duration delay = Duration.ofMillis(a.integer("--delay", 100));
        Path work = Files.createTempDirectory(Path.of(a.text("--dir", ".")).toAbsolutePath(), "shared-storm-");
        System.out.printf(Locale.ROOT, "shared storm: %d replica JVMs, endpoint answers after %d ms, %d warm-up + %d"
                + " measured rounds; logs in %s%n%n", processes, delay.toMillis(), warmup, rounds, work);
        System.out.println("| engine | rounds | token requests per round | replicas that refreshed | same new token"
                + " everywhere | last replica holds it, median | p99 | max | median: until the request arrives |"
                + " the request | answer to last replica |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        boolean broken = false;
        for (String engine : engines) {
            try (StoreServer server = StoreServer.start(engine, work);
                    StrictTokenEndpoint endpoint = StrictTokenEndpoint.start(delay)) {
                List<Round> measured = storm(server, endpoint, processes, warmup, rounds, work);
                print(engine, measured);
                broken |= measured.stream().anyMatch(r -> r.requests != 1 || r.refreshers != 1 || !r.sameToken);
            }
        }
        System.out.println();
        System.out.println(broken ? "SINGLE FLIGHT BROKEN: some round made other than 1 token request, or the replicas"
                + " ended with different tokens" : "single flight: every round made exactly 1 token request, and every"
                + " replica ended with its token");
        if (broken) {
            throw new IllegalStateException("the shared storm broke a guarantee; see the table above");
        }
    }

    private static List<Round> storm(StoreServer server, StrictTokenEndpoint endpoint, int processes, int warmup,
            int rounds, Path work) throws Exception {
        String key = "storm-" + ProcessHandle.current().pid();
        List<Round> measured = new ArrayList<>();
        try (SharedTokenStore store = StoreServer.open(server.engine(), server.url(), key, true,
                Duration.ofSeconds(5));
                ChildJvms replicas = ChildJvms.start(processes, StormProcess.class, List.of("--engine",
                        server.engine(), "--key", key, "--base-url", endpoint.baseUrl().toString()),
                        Map.of(AdoptionObserver.URL_VARIABLE, server.url()), work.resolve("replicas.log"))) {
            store.save(new Token("access-seed", "refresh-seed", Instant.now().plus(Duration.ofHours(3))));
            replicas.awaitAll("ready", Duration.ofSeconds(60));
            for (int r = 1; r <= warmup + rounds; r++) {
                Instant now = Instant.now();
                long start = System.nanoTime() + LEAD.toNanos();
                endpoint.accept("old-refresh-" + r);
                store.save(new Token("old-access-" + r, "old-refresh-" + r, now.plus(LEAD)));
                int requestsBefore = endpoint.requests();
                replicas.sendAll("round " + r + " " + start);
                replicas.awaitAll("built " + r, LEAD);
                if (System.nanoTime() - start > 0) {
                    throw new IllegalStateException("building the sources took longer than " + LEAD.toMillis()
                            + " ms; the machine is too busy for this measurement");
                }
                String[] done = replicas.awaitAll("done " + r + " ", Duration.ofSeconds(30));
                long last = Long.MIN_VALUE;
                int refreshers = 0;
                boolean same = true;
                String expected = endpoint.lastAccessToken();
                for (String d : done) {
                    String[] f = d.split(" ");
                    last = Math.max(last, Long.parseLong(f[2]));
                    same &= f[3].equals(expected);
                    refreshers += Integer.parseInt(f[4]) > 0 ? 1 : 0;
                }
                if (r > warmup) {
                    measured.add(new Round(last - start, endpoint.lastArrivedNanos() - start,
                            endpoint.lastAnsweredNanos() - start, endpoint.requests() - requestsBefore, refreshers,
                            same));
                }
            }
        }
        return measured;
    }

    private static void print(String engine, List<Round> rounds) {
        long[] last = rounds.stream().mapToLong(Round::lastHolds).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                StoreServer.label(engine), rounds.size(), range(rounds, Round::requests), range(rounds,
                        Round::refreshers), rounds.stream().allMatch(Round::sameToken) ? "yes" : "**no**",
                millis(Percentile.of(last, 0.5)), millis(Percentile.of(last, 0.99)), millis(last[last.length - 1]),
                millis(median(rounds, Round::requestArrived)),
                millis(median(rounds, r -> r.answered - r.requestArrived)),
                millis(median(rounds, r -> r.lastHolds - r.answered)));
    }

    private static String range(List<Round> rounds, ToLongFunction<Round> value) {
        var stats = rounds.stream().mapToLong(value).summaryStatistics();
        return stats.getMin() == stats.getMax() ? Long.toString(stats.getMin())
                : stats.getMin() + ".." + stats.getMax();
    }

    private static long median(List<Round> rounds, ToLongFunction<Round> part) {
        return Percentile.of(rounds.stream().mapToLong(part).sorted().toArray(), 0.5);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
}
