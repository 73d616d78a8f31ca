package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.FileTokenStore;
import io.github.netatmotoken.core.NetatmoOAuthClient;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/**
 * Benchmark 3, the storm: {@code callers} threads call {@link RefreshingTokenSource#token()} at the same moment,
 * just as the token expires, against a token endpoint (MockWebServer, over the real {@link NetatmoOAuthClient})
 * that answers after {@code delay} ms. Each round reports how many token requests the endpoint received (must be 1)
 * and the time from the release of the callers until the last one has its new token (target: under 2 x delay).
 *
 * <p>Each round builds a new source whose token expires at the instant the callers wake, on both stores: in memory (the refresh
 * coordination alone) and a {@link FileTokenStore} on the local disk (plus the fsync of persist-before-publish).
 * A third line wakes the same threads without calling anything: what it costs the machine just to run 1,000
 * threads at once, which every caller pays whatever the library does.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.netatmotoken.benchmarks.TokenStorm [--rounds 20]
 *     [--warmup 3] [--callers 1000] [--delay 50] [--dir .]
 * </pre>
 */
public final class TokenStorm {
    /** Time for the main thread to start every caller before they all wake at once. */
    private static final Duration RELEASE_AFTER = Duration.ofSeconds(1);

    private final int callers;
    private final Duration delay;
    private final Path dir;
    private final MockWebServer server = new MockWebServer();
    private TimedTokenClient client;
    private int round;

    private TokenStorm(int callers, Duration delay, Path dir) {
        this.callers = callers;
        this.delay = delay;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        Arguments a = new Arguments(args);
        int rounds = a.integer("--rounds", 20);
        int warmup = a.integer("--warmup", 3);
        TokenStorm storm = new TokenStorm(a.integer("--callers", 1000), Duration.ofMillis(a.integer("--delay", 50)),
                Path.of(a.text("--dir", ".")).toAbsolutePath());
        storm.run(warmup, rounds);
    }

    private void run(int warmup, int rounds) throws Exception {
        server.setServerSocketFactory(new NoDelayServerSocketFactory());
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        Path files = Files.createTempDirectory(dir, "token-storm-");
        try {
            client = new TimedTokenClient(NetatmoOAuthClient.builder().clientId("benchmark")
                    .clientSecret("benchmark-secret").baseUrl(URI.create(server.url("/").toString())).build());
            System.out.printf("storm: %d callers, endpoint answers after %d ms, %d warm-up + %d measured rounds%n",
                    callers, delay.toMillis(), warmup, rounds);
            List<Result> memory = new ArrayList<>();
            List<Result> file = new ArrayList<>();
            List<Result> wakeOnly = new ArrayList<>();
            for (int i = 0; i < warmup + rounds; i++) {
                // Interleaved, so that a burst of load elsewhere on the machine hits all three alike.
                TokenStore memoryStore = TokenStore.inMemory();
                memoryStore.save(expiringAtRelease());
                Result m = storm(memoryStore);
                FileTokenStore fileStore = new FileTokenStore(files.resolve("token-" + i + ".json"));
                fileStore.save(expiringAtRelease());
                Result f = storm(fileStore);
                Result w = wakeOnly();
                if (i >= warmup) {
                    memory.add(m);
                    file.add(f);
                    wakeOnly.add(w);
                }
            }
            System.out.println();
            System.out.println("| storm | rounds | token requests per round | last caller served, median | p99 | max"
                    + " | failed callers | median: until the refresh starts | the refresh | refresh to last caller |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            print("memory store", memory);
            print("file store (fsync)", file);
            print("wake-up only, no token()", wakeOnly);
            boolean single = memory.stream().allMatch(r -> r.requests == 1)
                    && file.stream().allMatch(r -> r.requests == 1);
            boolean served = memory.stream().allMatch(r -> r.failed == 0) && file.stream().allMatch(r -> r.failed == 0);
            System.out.println();
            System.out.println(single ? "single flight: every round made exactly 1 token request"
                    : "SINGLE FLIGHT BROKEN: some round made more or fewer than 1 token request");
            if (!single || !served) {
                throw new IllegalStateException("the storm broke a guarantee; see the table above");
            }
        } finally {
            server.close();
            try (var paths = Files.walk(files)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** A token that expires when the callers of the next {@link #release} wake, give or take a file save. */
    private Token expiringAtRelease() {
        return new Token("old-access-" + round, "old-refresh-" + round, Instant.now().plus(RELEASE_AFTER));
    }

    private Result storm(TokenStore store) throws Exception {
        int n = ++round;
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .addHeader("Content-Type", "application/json")
                .headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS)
                .body("{\"access_token\":\"new-access-" + n + "\",\"refresh_token\":\"new-refresh-" + n
                        + "\",\"expires_in\":10800,\"scope\":[\"read_station\"]}")
                .build());
        int requestsBefore = server.getRequestCount();
        AtomicInteger failed = new AtomicInteger();
        String expected = "new-access-" + n;
        try (RefreshingTokenSource source = RefreshingTokenSource.builder()
                .store(store)
                .client(client)
                .refreshTimeout(Duration.ofSeconds(10))
                .build()) {
            Release r = release(() -> {
                try {
                    if (!expected.equals(source.token().accessToken())) {
                        failed.incrementAndGet();
                    }
                } catch (IOException | RuntimeException e) {
                    failed.incrementAndGet();
                }
            });
            return new Result(r.last - r.start, server.getRequestCount() - requestsBefore, failed.get(),
                    client.refreshStarted() - r.start, client.refreshReturned() - client.refreshStarted(),
                    r.last - client.refreshReturned());
        }
    }

    private Result wakeOnly() throws InterruptedException {
        Release r = release(() -> { });
        return new Result(r.last - r.start, 0, 0, 0, 0, 0);
    }

    /**
     * Starts {@code callers} threads that each sleep until the same instant and then run {@code call}; returns the
     * instant and the moment the last one was done. A timed wake-up, because a latch or barrier wakes
     * its waiters one after another (each woken thread unparks the next), which on 2 cores takes longer than the
     * endpoint.
     */
    private Release release(Runnable call) throws InterruptedException {
        long start = System.nanoTime() + RELEASE_AFTER.toNanos();
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch done = new CountDownLatch(callers);
        long[] finished = new long[callers];
        Thread[] threads = new Thread[callers];
        for (int i = 0; i < callers; i++) {
            int id = i;
            threads[i] = new Thread(() -> {
                ready.countDown();
                sleepUntil(start);
                try {
                    call.run();
                } finally {
                    finished[id] = System.nanoTime();
                    done.countDown();
                }
            }, "storm-caller-" + i);
            threads[i].start();
        }
        ready.await();
        if (System.nanoTime() > start) {
            throw new IllegalStateException("starting " + callers + " threads took longer than " + RELEASE_AFTER
                    + "; the machine is too busy for this measurement");
        }
        done.await();
        long last = Arrays.stream(finished).max().orElseThrow();
        for (Thread t : threads) {
            t.join();
        }
        return new Release(start, last);
    }

    private static void sleepUntil(long nanoTime) {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static void print(String name, List<Result> results) {
        long[] ms = results.stream().mapToLong(r -> r.elapsedNanos).sorted().toArray();
        String requests = results.stream().mapToInt(r -> r.requests).summaryStatistics().toString()
                .replaceAll(".*min=(\\d+).*max=(\\d+).*", "$1..$2");
        int failed = results.stream().mapToInt(r -> r.failed).sum();
        boolean wake = name.startsWith("wake");
        System.out.printf("| %s | %d | %s | %s | %s | %s | %d | %s | %s | %s |%n", name, ms.length,
                wake ? "-" : requests, millis(Percentile.of(ms, 0.50)), millis(Percentile.of(ms, 0.99)),
                millis(ms[ms.length - 1]), failed,
                wake ? "-" : millis(median(results, Result::untilRefreshNanos)),
                wake ? "-" : millis(median(results, Result::refreshNanos)),
                wake ? "-" : millis(median(results, Result::fanOutNanos)));
    }

    private static long median(List<Result> results, ToLongFunction<Result> part) {
        return Percentile.of(results.stream().mapToLong(part).sorted().toArray(), 0.50);
    }

    private static String millis(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    private record Release(long start, long last) {
    }

    /** One round; the last three split the elapsed time at the refresh's start and return. */
    private record Result(long elapsedNanos, int requests, int failed, long untilRefreshNanos, long refreshNanos,
            long fanOutNanos) {
    }
}
