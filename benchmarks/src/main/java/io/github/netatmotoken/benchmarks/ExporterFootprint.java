package io.github.netatmotoken.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 5, the exporter's footprint, in {@code --demo} mode: a candidate set of JVM flags against a baseline
 * set, on the same jar in the same run, so that the ratios hold on a shared, noisy machine:
 * <ol>
 *   <li>time from starting the process to the first HTTP 200 from {@code /metrics}, over {@code starts} fresh
 *       starts of each, interleaved;</li>
 *   <li>resident memory (VmRSS) and CPU time during {@code soak} seconds of one scrape a second, both processes
 *       side by side;</li>
 *   <li>{@code /metrics} latency under {@code scrapers} concurrent clients, each scraping again as soon as it has
 *       its answer, for {@code load} seconds, one process after the other.</li>
 * </ol>
 * The defaults are the README's run flags (candidate, with the build-made class-data sharing archive) and the
 * flags the README had before issue 13 (baseline). Each table states the target (issue 13: the first answer under
 * 350 ms, the RSS after 10 minutes under 48 MB) and the machine's load average when the phase ended.
 * Run it through {@code benchmarks/exporter-footprint.sh}. Every request goes to 127.0.0.1 only, and every phase
 * is bounded in time.
 */
public final class ExporterFootprint {
    /** The README's run flags; the archive path is relative to the repository root, as in the README. */
    static final String README_FLAGS = "-XX:+UseSerialGC -Xms16m -Xmx64m -XX:TieredStopAtLevel=1 -Xss512k"
            + " -XX:SharedArchiveFile=examples/target/netatmo-exporter.jsa";
    /** The README's run flags before issue 13. */
    static final String BASELINE_FLAGS = "-XX:+UseSerialGC -Xms16m -Xmx64m -XX:TieredStopAtLevel=1 -Xss512k";

    private final Path jar;
    private final Path baselineJar;
    private final List<String> candidate;
    private final List<String> baseline;
    private final Path work;

    private ExporterFootprint(Path jar, Path baselineJar, List<String> candidate, List<String> baseline, Path work) {
        this.jar = jar;
        this.baselineJar = baselineJar;
        this.candidate = candidate;
        this.baseline = baseline;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Arguments a = new Arguments(args);
        Path jar = ExporterProcess.jar(a);
        // Another build of the exporter (an earlier commit's jar) as the baseline, or the same jar.
        Path baselineJar = Path.of(a.text("--baseline-jar", jar.toString()));
        List<String> candidate = List.of(a.text("--jvm-flags", README_FLAGS).trim().split("\\s+"));
        List<String> baseline = List.of(a.text("--baseline-flags", BASELINE_FLAGS).trim().split("\\s+"));
        Path work = Files.createDirectories(Path.of(a.text("--out", "benchmarks/target/exporter-footprint")));
        // HttpURLConnection keeps only 5 idle connections per host by default; the scrapers need one each.
        System.setProperty("http.maxConnections", "128");
        new ExporterFootprint(jar, baselineJar, candidate, baseline, work).run(a.integer("--starts", 5),
                a.integer("--soak-seconds", 60), a.integer("--load-seconds", 20), a.integer("--scrapers", 50));
    }

    private void run(int starts, int soakSeconds, int loadSeconds, int scrapers) throws Exception {
        System.out.printf(Locale.ROOT, "%d starts each, %d s soak, %d scrapers for %d s%n"
                + "candidate: %s %s%nbaseline:  %s %s%n%n", starts, soakSeconds, scrapers, loadSeconds,
                String.join(" ", candidate), jar, String.join(" ", baseline), baselineJar);
        for (String flag : candidate) {
            if (flag.startsWith("-XX:SharedArchiveFile=")
                    && !Files.isRegularFile(Path.of(flag.substring("-XX:SharedArchiveFile=".length())))) {
                throw new IllegalStateException(flag + ": no such archive; build it with mvn package (not"
                        + " -Dcds.skip=true), and run from the repository root");
            }
        }

        long[] base = new long[starts];
        long[] cand = new long[starts];
        for (int i = 0; i < starts; i++) {
            // Interleaved, so that load elsewhere on the machine hits both alike.
            try (ExporterProcess e = ExporterProcess.start(baselineJar, baseline, work)) {
                base[i] = e.firstAnswerNanos;
            }
            try (ExporterProcess e = ExporterProcess.start(jar, candidate, work)) {
                cand[i] = e.firstAnswerNanos;
            }
        }
        Arrays.sort(base);
        Arrays.sort(cand);
        System.out.println("| start to first /metrics answer | starts | median | max | target | load average |");
        System.out.println("|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| baseline | %d | %s | %s | | %s |%n", starts, ms(Percentile.of(base, 0.5)),
                ms(base[starts - 1]), loadAverage());
        System.out.printf(Locale.ROOT, "| candidate | %d | **%s** | %s | < 350 ms | %s |%n", starts,
                ms(Percentile.of(cand, 0.5)), ms(cand[starts - 1]), loadAverage());
        System.out.printf(Locale.ROOT, "%ncandidate / baseline, medians: %.2f%n%n",
                (double) Percentile.of(cand, 0.5) / Percentile.of(base, 0.5));

        System.out.println("| resident memory (VmRSS), side by side | after start | after 1 min | max during soak"
                + " | at end of soak | target | CPU time during soak (utime + stime) | threads | load average |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        try (ExporterProcess b = ExporterProcess.start(baselineJar, baseline, work);
                ExporterProcess c = ExporterProcess.start(jar, candidate, work)) {
            long[] rssB = new long[soakSeconds];
            long[] rssC = new long[soakSeconds];
            long cpuB = b.cpuTicks();
            long cpuC = c.cpuTicks();
            long next = System.nanoTime();
            for (int s = 0; s < soakSeconds; s++) {
                b.scrape();
                c.scrape();
                rssB[s] = b.rssKiB();
                rssC[s] = c.rssKiB();
                next += TimeUnit.SECONDS.toNanos(1);
                sleepUntil(next);
            }
            soakRow("baseline", b, rssB, cpuB, "");
            soakRow("candidate", c, rssC, cpuC, soakSeconds >= 600 ? "< 48 MB after 10 min"
                    : "< 48 MB after 10 min (use --soak-seconds 600)");
        }
        System.out.println();

        System.out.println("| /metrics under load | scrapes | scrapes/s | p50 | p90 | p99 | max | errors |"
                + " RSS after | load average |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        double[] rate = new double[2];
        int i = 0;
        for (List<String> flags : List.of(baseline, candidate)) {
            try (ExporterProcess e = ExporterProcess.start(i == 0 ? baselineJar : jar, flags, work)) {
                ExporterProcess.Load load = e.load(scrapers, Duration.ofSeconds(loadSeconds));
                long[] l = load.latencies();
                rate[i] = l.length / (double) loadSeconds;
                System.out.printf(Locale.ROOT, "| %s: %d concurrent scrapers, %d s | %d | %.0f | %s | %s | %s | %s |"
                        + " %d | %s | %s |%n", i == 0 ? "baseline" : "candidate", scrapers, loadSeconds, l.length,
                        rate[i], ms(Percentile.of(l, 0.50)), ms(Percentile.of(l, 0.90)), ms(Percentile.of(l, 0.99)),
                        ms(l[l.length - 1]), load.errors(), mb(e.rssKiB()), loadAverage());
            }
            i++;
        }
        System.out.printf(Locale.ROOT, "%ncandidate / baseline, scrapes/s: %.2f%n", rate[1] / rate[0]);
    }

    private static void soakRow(String name, ExporterProcess e, long[] rss, long cpuBefore, String target)
            throws IOException {
        long atEnd = e.rssKiB();
        double cpuSeconds = (e.cpuTicks() - cpuBefore) / (double) ExporterProcess.CLOCK_TICKS_PER_SECOND;
        long max = Arrays.stream(rss).max().orElse(atEnd);
        System.out.printf(Locale.ROOT, "| %s: %d s of one scrape a second | %s | %s | %s | **%s** | %s | %.2f s | %d |"
                + " %s |%n", name, rss.length, rss.length > 0 ? mb(rss[0]) : "-",
                rss.length >= 60 ? mb(rss[59]) : "-", mb(max), mb(atEnd), target, cpuSeconds, e.threads(),
                loadAverage());
    }

    /** The 1, 5 and 15 minute load averages from {@code /proc/loadavg}, or "?" where there is none. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, nanos >= 10_000_000 ? "%.0f ms" : "%.2f ms", nanos / 1e6);
    }

    private static String mb(long kib) {
        return String.format(Locale.ROOT, "%.1f MB", kib / 1024.0);
    }
}
