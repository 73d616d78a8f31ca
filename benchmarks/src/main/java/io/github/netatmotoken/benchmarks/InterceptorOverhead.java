package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import io.github.netatmotoken.okhttp.NetatmoAuthInterceptor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Benchmark 2, the interceptor's overhead: {@code requests} sequential GETs of a tiny JSON body from a local
 * MockWebServer through {@link NetatmoAuthInterceptor} (over a {@link RefreshingTokenSource} with a fresh token),
 * against the same GETs through a trivial interceptor that adds a constant {@code Authorization} header.
 *
 * <p>Both clients share one connection pool and one server, and take turns in blocks of 1,000 GETs, alternating
 * which goes first, so that drift in the machine's load hits both alike. The whole measurement runs in
 * {@code forks} fresh JVMs one after another (JMH's forks, for the same reason: JIT decisions differ per JVM). Reports the time per {@code requests} GETs and
 * the ratio of the totals (target at most 1.03), plus per-request median and p99.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.netatmotoken.benchmarks.InterceptorOverhead [--forks 5]
 *     [--rounds 10] [--warmup 3] [--requests 10000]
 * </pre>
 */
public final class InterceptorOverhead {
    /** GETs in a row through one client before the other takes over, so that both see the same machine. */
    private static final int BLOCK = 1_000;
    /** How a measuring JVM hands its totals and medians (nanoseconds) to the parent. */
    private static final String RESULT = "RESULT trivial-total netatmo-total trivial-median netatmo-median:";
    private static final String BODY = "{\"status\":\"ok\",\"time_server\":1700000000,\"body\":{\"devices\":[]}}";

    public static void main(String[] args) throws Exception {
        Arguments a = new Arguments(args);
        int rounds = a.integer("--rounds", 10);
        int warmup = a.integer("--warmup", 3);
        int requests = a.integer("--requests", 10_000);
        int forks = a.integer("--forks", 5);
        if (forks > 0) {
            forks(forks, rounds, warmup, requests);
        } else {
            measure(rounds, warmup, requests);
        }
    }

    /**
     * Runs the measurement in {@code forks} fresh JVMs, one after another, and combines them: how the JIT compiles
     * OkHttp's interceptor chain differs from one JVM to the next by more than the interceptor costs.
     */
    private static void forks(int forks, int rounds, int warmup, int requests) throws Exception {
        System.out.printf(Locale.ROOT, "interceptor: %d JVMs, each %d warm-up + %d measured rounds of %,d sequential"
                + " GETs per client%n%n", forks, warmup, rounds, requests);
        System.out.println("| JVM | trivial, per %,d GETs | `NetatmoAuthInterceptor` | ratio of totals | ratio of per-GET"
                .formatted(requests) + " medians |");
        System.out.println("|---|---|---|---|---|");
        long trivialTotal = 0;
        long netatmoTotal = 0;
        double[] medianRatios = new double[forks];
        for (int f = 0; f < forks; f++) {
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), InterceptorOverhead.class.getName(),
                    "--rounds", Integer.toString(rounds), "--warmup", Integer.toString(warmup),
                    "--requests", Integer.toString(requests), "--forks", "0");
            Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String result = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    System.err.println("  JVM " + (f + 1) + ": " + line);
                    if (line.startsWith(RESULT)) {
                        result = line;
                    }
                }
            }
            if (child.waitFor() != 0 || result == null) {
                throw new IllegalStateException("measuring JVM " + (f + 1) + " failed; see its output above");
            }
            String[] v = result.substring(RESULT.length()).trim().split(" ");
            long trivial = Long.parseLong(v[0]);
            long netatmo = Long.parseLong(v[1]);
            medianRatios[f] = Double.parseDouble(v[3]) / Double.parseDouble(v[2]);
            trivialTotal += trivial;
            netatmoTotal += netatmo;
            System.out.printf(Locale.ROOT, "| %d | %.1f ms | %.1f ms | %.3f | %.3f |%n", f + 1,
                    trivial / 1e6 / rounds, netatmo / 1e6 / rounds, (double) netatmo / trivial, medianRatios[f]);
        }
        Arrays.sort(medianRatios);
        System.out.printf(Locale.ROOT, "%nratio NetatmoAuthInterceptor / trivial over all JVMs' totals: **%.3f**"
                + " (target <= 1.03); per-GET medians, median over JVMs: %.3f%n", (double) netatmoTotal / trivialTotal,
                medianRatios[forks / 2]);
    }

    private static void measure(int rounds, int warmup, int requests) throws Exception {
        AtomicLong withBearer = new AtomicLong();
        try (MockWebServer server = new MockWebServer()) {
            MockResponse ok = new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                    .body(BODY).build();
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    String auth = request.getHeaders().get("Authorization");
                    if (auth != null && auth.startsWith("Bearer ")) {
                        withBearer.incrementAndGet();
                    }
                    return ok;
                }
            });
            server.setServerSocketFactory(new NoDelayServerSocketFactory());
            server.start(InetAddress.getByName("127.0.0.1"), 0);
            HttpUrl url = server.url("/api/getstationsdata");

            Instant expiry = Instant.now().plus(Duration.ofDays(365));
            TokenStore store = TokenStore.inMemory();
            store.save(new Token("access-token", "refresh-token", expiry));
            try (RefreshingTokenSource tokens = RefreshingTokenSource.builder()
                    .store(store)
                    .client(new UnreachableTokenClient())
                    .build()) {
                OkHttpClient base = new OkHttpClient.Builder().build();
                Interceptor constant = chain -> chain.proceed(chain.request().newBuilder()
                        .header("Authorization", "Bearer access-token").build());
                OkHttpClient trivial = base.newBuilder().addInterceptor(constant).build();
                OkHttpClient netatmo = base.newBuilder().addInterceptor(new NetatmoAuthInterceptor(tokens)).build();

                System.out.printf(Locale.ROOT, "interceptor: %d sequential GETs per round and client, %d warm-up +"
                        + " %d measured rounds%n%n", requests, warmup, rounds);
                List<long[]> trivialRounds = new ArrayList<>();
                List<long[]> netatmoRounds = new ArrayList<>();
                for (int i = 0; i < warmup + rounds; i++) {
                    long[] t = new long[requests];
                    long[] n = new long[requests];
                    for (int from = 0, b = 0; from < requests; from += BLOCK, b++) {
                        int count = Math.min(BLOCK, requests - from);
                        if ((i + b) % 2 == 0) {
                            run(trivial, url, t, from, count);
                            run(netatmo, url, n, from, count);
                        } else {
                            run(netatmo, url, n, from, count);
                            run(trivial, url, t, from, count);
                        }
                        drain(server);
                    }
                    if (i >= warmup) {
                        trivialRounds.add(t);
                        netatmoRounds.add(n);
                    }
                }
                long expected = 2L * (warmup + rounds) * requests;
                if (withBearer.get() != expected) {
                    throw new IllegalStateException("the server saw " + withBearer.get() + " requests with a bearer"
                            + " token, expected " + expected);
                }
                report(trivialRounds, netatmoRounds, requests);
                base.dispatcher().executorService().shutdown();
                base.connectionPool().evictAll();
            }
        }
    }

    /** Records the nanoseconds of {@code count} GETs in {@code nanos}, from {@code from} on. */
    private static void run(OkHttpClient client, HttpUrl url, long[] nanos, int from, int count) throws IOException {
        Request request = new Request.Builder().url(url).build();
        for (int i = from; i < from + count; i++) {
            long start = System.nanoTime();
            try (Response response = client.newCall(request).execute()) {
                if (response.code() != 200 || response.body().string().length() != BODY.length()) {
                    throw new IllegalStateException("unexpected response " + response);
                }
            }
            nanos[i] = System.nanoTime() - start;
        }
    }

    /** Drops what the server recorded, so that its memory stays flat. */
    private static void drain(MockWebServer server) throws InterruptedException {
        while (server.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
            // dropped
        }
    }

    private static void report(List<long[]> trivial, List<long[]> netatmo, int requests) {
        long trivialTotal = trivial.stream().mapToLong(InterceptorOverhead::sum).sum();
        long netatmoTotal = netatmo.stream().mapToLong(InterceptorOverhead::sum).sum();
        double[] perRound = new double[trivial.size()];
        for (int i = 0; i < perRound.length; i++) {
            perRound[i] = (double) sum(netatmo.get(i)) / sum(trivial.get(i));
        }
        Arrays.sort(perRound);
        System.out.printf(Locale.ROOT, "| client | %,d GETs, median of rounds | per GET p50 | per GET p99 |%n",
                requests);
        System.out.println("|---|---|---|---|");
        row("trivial interceptor (constant header)", trivial);
        row("`NetatmoAuthInterceptor`", netatmo);
        System.out.println();
        System.out.printf(Locale.ROOT, "ratio NetatmoAuthInterceptor / trivial, all rounds' totals: %.3f (target <="
                + " 1.03); per-round ratios: median %.3f, min %.3f, max %.3f%n", (double) netatmoTotal / trivialTotal,
                perRound[perRound.length / 2], perRound[0], perRound[perRound.length - 1]);
        System.out.printf(Locale.ROOT, "ratio of the per-GET medians, which bursts of load elsewhere move least: %.3f%n",
                (double) median(netatmo) / median(trivial));
        System.out.printf(Locale.ROOT, "%s %d %d %d %d%n", RESULT, trivialTotal, netatmoTotal, median(trivial),
                median(netatmo));
    }

    private static void row(String name, List<long[]> rounds) {
        long[] totals = rounds.stream().mapToLong(InterceptorOverhead::sum).sorted().toArray();
        long[] all = rounds.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %s | %.1f ms | %.1f µs | %.1f µs |%n", name,
                Percentile.of(totals, 0.50) / 1e6, median(rounds) / 1e3, Percentile.of(all, 0.99) / 1e3);
    }

    private static long median(List<long[]> rounds) {
        return Percentile.of(rounds.stream().flatMapToLong(Arrays::stream).sorted().toArray(), 0.50);
    }

    private static long sum(long[] values) {
        return Arrays.stream(values).sum();
    }
}
