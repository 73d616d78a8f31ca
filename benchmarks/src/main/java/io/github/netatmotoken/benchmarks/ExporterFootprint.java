package io.github.netatmotoken.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 5, the exporter's footprint, in {@code --demo} mode with the JVM flags given:
 * <ol>
 *   <li>time from starting the process to the first HTTP 200 from {@code /metrics}, over {@code starts} fresh
 *       starts, without and with an AppCDS archive made by a first run;</li>
 *   <li>resident memory (VmRSS) sampled every second during {@code soak} seconds of one scrape a second, and at
 *       the end;</li>
 *   <li>{@code /metrics} latency under {@code scrapers} concurrent clients, each scraping again as soon as it has
 *       its answer, for {@code load} seconds.</li>
 * </ol>
 * Each table states the target next to the number (issue 13: the first answer under 350 ms, the RSS after 10
 * minutes under 48 MB) and the machine's load average when the phase ended.
 * Run it through {@code benchmarks/exporter-footprint.sh}. Every request goes to 127.0.0.1 only, and every phase
 * is bounded in time.
 */
public final class ExporterFootprint {
    private final Path jar;
    private final List<String> jvmFlags;
    private final Path work;

    private ExporterFootprint(Path jar, List<String> jvmFlags, Path work) {
        this.jar = jar;
        this.jvmFlags = jvmFlags;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Arguments a = new Arguments(args);
        Path jar = ExporterProcess.jar(a);
        List<String> flags = List.of(a.text("--jvm-flags", "-XX:+UseSerialGC -Xmx64m").trim().split("\\s+"));
        Path work = Files.createDirectories(Path.of(a.text("--out", "benchmarks/target/exporter-footprint")));
        // HttpURLConnection keeps only 5 idle connections per host by default; the scrapers need one each.
        System.setProperty("http.maxConnections", "128");
        new ExporterFootprint(jar, flags, work).run(a.integer("--starts", 5), a.integer("--soak-seconds", 60),
                a.integer("--load-seconds", 20), a.integer("--scrapers", 50));
    }

    private void run(int starts, int soakSeconds, int loadSeconds, int scrapers) throws Exception {
        System.out.printf(Locale.ROOT, "exporter: %s, JVM flags %s, %d starts each, %d s soak, %d scrapers for %d s%n%n",
                jar, String.join(" ", jvmFlags), starts, soakSeconds, scrapers, loadSeconds);

        Path archive = work.resolve("netatmo-exporter.jsa");
        Files.deleteIfExists(archive);
        try (ExporterProcess first = start(List.of("-XX:ArchiveClassesAtExit=" + archive))) {
            first.scrape();
        }
        if (!Files.exists(archive)) {
            throw new IllegalStateException("the JVM wrote no AppCDS archive to " + archive);
        }
        long[] plain = new long[starts];
        long[] cds = new long[starts];
        for (int i = 0; i < starts; i++) {
            // Interleaved, so that load elsewhere on the machine hits both alike.
            try (ExporterProcess e = start(List.of())) {
                plain[i] = e.firstAnswerNanos;
            }
            try (ExporterProcess e = start(List.of("-XX:SharedArchiveFile=" + archive))) {
                cds[i] = e.firstAnswerNanos;
            }
        }
        Arrays.sort(plain);
        Arrays.sort(cds);
        System.out.println("| start to first /metrics answer | starts | median | max | target | load average |");
        System.out.println("|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | < 350 ms | %s |%n", String.join(" ", jvmFlags), starts,
                ms(Percentile.of(plain, 0.5)), ms(plain[starts - 1]), loadAverage());
        System.out.printf(Locale.ROOT, "| the same + AppCDS archive (`-XX:SharedArchiveFile`) | %d | %s | %s |"
                + " < 350 ms | %s |%n", starts, ms(Percentile.of(cds, 0.5)), ms(cds[starts - 1]), loadAverage());
        System.out.printf(Locale.ROOT, "%nAppCDS / plain, medians: %.2f%n%n",
                (double) Percentile.of(cds, 0.5) / Percentile.of(plain, 0.5));

        try (ExporterProcess e = start(List.of())) {
            long[] rss = new long[soakSeconds];
            long cpuBefore = e.cpuTicks();
            long next = System.nanoTime();
            for (int s = 0; s < soakSeconds; s++) {
                e.scrape();
                rss[s] = e.rssKiB();
                next += TimeUnit.SECONDS.toNanos(1);
                sleepUntil(next);
            }
            long atEnd = e.rssKiB();
            double cpuSeconds = (e.cpuTicks() - cpuBefore) / (double) ExporterProcess.CLOCK_TICKS_PER_SECOND;
            long max = Arrays.stream(rss).max().orElse(atEnd);
            System.out.println("| resident memory (VmRSS) | after start | after 1 min | max during soak | at end of"
                    + " soak | target | CPU time during soak (utime + stime) | load average |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| %d s of one scrape a second | %s | %s | %s | **%s** | %s | %.2f s | %s"
                    + " |%n%n", soakSeconds, mb(rss[0]), soakSeconds >= 60 ? mb(rss[59]) : "-", mb(max), mb(atEnd),
                    soakSeconds >= 600 ? "< 48 MB after 10 min" : "< 48 MB after 10 min (use --soak-seconds 600)",
                    cpuSeconds, loadAverage());

            ExporterProcess.Load load = e.load(scrapers, Duration.ofSeconds(loadSeconds));
            long[] l = load.latencies();
            System.out.println("| /metrics under load | scrapes | scrapes/s | p50 | p90 | p99 | max | errors |"
                    + " RSS after | load average |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| %d concurrent scrapers, %d s | %d | %.0f | %s | %s | %s | %s | %d | %s |"
                    + " %s |%n", scrapers, loadSeconds, l.length, l.length / (double) loadSeconds,
                    ms(Percentile.of(l, 0.50)), ms(Percentile.of(l, 0.90)), ms(Percentile.of(l, 0.99)),
                    ms(l[l.length - 1]), load.errors(), mb(e.rssKiB()), loadAverage());
        }
    }

    private ExporterProcess start(List<String> extraFlags) throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(jvmFlags);
        flags.addAll(extraFlags);
        return ExporterProcess.start(jar, flags, work);
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
