package io.github.netatmotoken.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The exporter jar running {@code --demo} in a child process on a free loopback port, for the exporter benchmarks;
 * closing it sends SIGTERM and waits. Not thread-safe, except {@link #get}, which the scraper threads share.
 */
final class ExporterProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** The unit of utime and stime in {@code /proc/<pid>/stat}: USER_HZ, 100 on Linux on x86 and ARM. */
    static final long CLOCK_TICKS_PER_SECOND = 100;

    final Process process;
    final InetSocketAddress address;
    private final URL metrics;
    private final Path tokenDir;
    /** From starting the process to the first HTTP 200 from {@code /metrics}. */
    long firstAnswerNanos;

    private ExporterProcess(Process process, InetSocketAddress address, Path tokenDir) throws IOException {
        this.process = process;
        this.address = address;
        this.metrics = new URL("http://127.0.0.1:" + address.getPort() + "/metrics");
        this.tokenDir = tokenDir;
    }

    /** Starts {@code jar} with the JVM flags given, and returns once {@code /metrics} answers 200; logs go to work. */
    /** The exporter jar named by {@code --jar}, which must have been built. */
    static Path jar(Arguments a) {
        Path jar = Path.of(a.text("--jar", "examples/target/netatmo-exporter.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " does not exist; build it with mvn -B -ntp -q package -pl"
                    + " examples -am -DskipTests");
        }
        return jar;
    }

    static ExporterProcess start(Path jar, List<String> jvmFlags, Path work) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path tokenDir = Files.createTempDirectory(work, "demo-token-");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", jar.toString(), "--demo", "--addr", "127.0.0.1:" + port,
                "--token-file", tokenDir.resolve("token.json").toString(), "--log-level", "warn"));
        Path log = work.resolve("exporter-" + port + ".log");
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ExporterProcess exporter = new ExporterProcess(process,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), tokenDir);
        long deadline = started + START_TIMEOUT.toNanos();
        while (!exporter.answers()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                exporter.close();
                throw new IllegalStateException("the exporter did not answer /metrics within " + START_TIMEOUT
                        + "; see " + log);
            }
            Thread.sleep(2);
        }
        exporter.firstAnswerNanos = System.nanoTime() - started;
        return exporter;
    }

    boolean answers() {
        try {
            return get() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    void scrape() throws IOException {
        int status = get();
        if (status != 200) {
            throw new IOException("/metrics answered HTTP " + status);
        }
    }

    /** GETs /metrics, reads the body to the end (so that the connection is reused) and returns the status. */
    int get() throws IOException {
        HttpURLConnection c = (HttpURLConnection) metrics.openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(10_000);
        int status = c.getResponseCode();
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            if (in != null) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
        return status;
    }

    long rssKiB() throws IOException {
        return status("VmRSS:");
    }

    /** The CPU time the process has used so far, user plus system, in {@link #CLOCK_TICKS_PER_SECOND} ticks. */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        // The command name, field 2, is in parentheses and may hold spaces: count the fields after its ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime and stime, fields 14 and 15
    }

    long threads() throws IOException {
        return status("Threads:");
    }

    private long status(String field) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            return lines.filter(l -> l.startsWith(field))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst()
                    .orElseThrow(() -> new IOException("no " + field + " in /proc/" + process.pid() + "/status"));
        }
    }

    /** Scrape latencies, sorted, and the scrapes that failed. */
    record Load(long[] latencies, long errors) {
    }

    /** {@code scrapers} threads, each scraping again as soon as it has its answer, for {@code duration}. */
    Load load(int scrapers, Duration duration) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        long[][] perThread = new long[scrapers][];
        long[] errors = new long[scrapers];
        int[] counts = new int[scrapers];
        CountDownLatch done = new CountDownLatch(scrapers);
        for (int i = 0; i < scrapers; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                long[] samples = new long[100_000];
                int n = 0;
                try {
                    while (System.nanoTime() < end) {
                        long start = System.nanoTime();
                        try {
                            if (get() == 200) {
                                if (n == samples.length) {
                                    samples = Arrays.copyOf(samples, 2 * n);
                                }
                                samples[n++] = System.nanoTime() - start;
                            } else {
                                errors[id]++;
                            }
                        } catch (IOException e) {
                            errors[id]++;
                        }
                    }
                } finally {
                    perThread[id] = samples;
                    counts[id] = n;
                    done.countDown();
                }
            }, "scraper-" + i);
            t.start();
        }
        done.await();
        long[] all = new long[Arrays.stream(counts).sum()];
        int at = 0;
        for (int i = 0; i < scrapers; i++) {
            System.arraycopy(perThread[i], 0, all, at, counts[i]);
            at += counts[i];
        }
        Arrays.sort(all);
        return new Load(all, Arrays.stream(errors).sum());
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(tokenDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
