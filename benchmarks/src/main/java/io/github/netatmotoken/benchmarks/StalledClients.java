package io.github.netatmotoken.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 6, the exporter beside stalled clients, in {@code --demo} mode with the JVM flags given: the
 * {@code /metrics} latency of one scraper that scrapes again as soon as it has its answer (keep-alive), first for
 * {@code seconds} with no other client (the baseline), then for {@code seconds} while {@code stalled} connections
 * stall their requests, in the same exporter process. Target: p99 under 50 ms while 100 connections stall.
 *
 * <p>The stalled connections take turns at three faults: half a request line; a request line and half the headers;
 * the headers of a POST of 100,000 bytes, then one byte of the body every 200 ms. Each of them holds a server
 * thread until the server closes it at its request deadline; a closed one is opened again within 200 ms, so that
 * they all stall for the whole phase. Prints both latencies, their ratio, and how long the server let the stalled
 * connections live.
 *
 * <pre>
 * benchmarks/exporter-stalls.sh [--seconds 20] [--stalled 100] [--warmup-seconds 5] [--jvm-flags "..."]
 * </pre>
 * Every connection goes to 127.0.0.1 only, and every phase is bounded in time.
 */
public final class StalledClients {
    private static final Duration TARGET_P99 = Duration.ofMillis(50);
    private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final String[] FAULTS = {
        "GET /metr",
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/pl",
        "POST /auth/settoken HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 100000\r\n\r\nrefresh_token=",
    };
    private static final int TRICKLE = 2;

    private StalledClients() {
    }

    public static void main(String[] args) throws Exception {
        Arguments a = new Arguments(args);
        Path jar = ExporterProcess.jar(a);
        // The README's run flags by default, as benchmark 5's candidate.
        List<String> flags = List.of(a.text("--jvm-flags", ExporterFootprint.README_FLAGS).trim().split("\\s+"));
        Path work = Files.createDirectories(Path.of(a.text("--out", "benchmarks/target/exporter-stalls")));
        Duration phase = Duration.ofSeconds(a.integer("--seconds", 20));
        Duration warmup = Duration.ofSeconds(a.integer("--warmup-seconds", 5));
        int stalled = a.integer("--stalled", 100);
        System.out.printf(Locale.ROOT, "exporter: %s, JVM flags %s; one scraper for %d s warm-up, %d s alone, %d s"
                + " beside %d stalled connections%n%n", jar, String.join(" ", flags), warmup.toSeconds(),
                phase.toSeconds(), phase.toSeconds(), stalled);

        try (ExporterProcess e = ExporterProcess.start(jar, flags, work)) {
            e.load(1, warmup);
            ExporterProcess.Load alone = e.load(1, phase);
            long threadsAlone = e.threads();
            ExporterProcess.Load beside;
            long threadsBeside;
            Stalls stalls = new Stalls(e.address, stalled);
            try {
                stalls.start();
                beside = e.load(1, phase);
                threadsBeside = e.threads();
            } finally {
                stalls.close();
            }

            System.out.println("| /metrics, one scraper back to back | scrapes | p50 | p90 | p99 | max | errors |"
                    + " exporter threads at end |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            row("alone (baseline)", alone, threadsAlone);
            row("beside " + stalled + " stalled connections", beside, threadsBeside);
            boolean met = beside.latencies().length > 0 && beside.errors() == 0
                    && Percentile.of(beside.latencies(), 0.99) < TARGET_P99.toNanos();
            System.out.printf(Locale.ROOT, "%nstalled / baseline: p50 %s, p99 %s; target p99 < %d ms, without errors,"
                    + " beside the stalled connections: %s%n", ratio(beside, alone, 0.50), ratio(beside, alone, 0.99),
                    TARGET_P99.toMillis(), met ? "met" : "NOT met");
            System.out.println(stalls.summary());
        }
    }

    private static void row(String name, ExporterProcess.Load load, long threads) {
        long[] l = load.latencies();
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %d | %d |%n", name, l.length,
                percentile(l, 0.50), percentile(l, 0.90), percentile(l, 0.99), percentile(l, 1), load.errors(),
                threads);
    }

    /** A percentile in milliseconds, or "-" when no scrape was answered. */
    private static String percentile(long[] sorted, double fraction) {
        return sorted.length == 0 ? "-" : ms(Percentile.of(sorted, fraction));
    }

    private static String ratio(ExporterProcess.Load a, ExporterProcess.Load b, double fraction) {
        return a.latencies().length == 0 || b.latencies().length == 0 ? "-" : String.format(Locale.ROOT, "%.2f",
                (double) Percentile.of(a.latencies(), fraction) / Percentile.of(b.latencies(), fraction));
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, nanos >= 10_000_000 ? "%.0f ms" : "%.2f ms", nanos / 1e6);
    }

    /**
     * The stalled connections, kept stalled by one thread that every 200 ms sends one more byte of each trickled
     * body and opens again each connection the server closed. Not thread-safe: {@link #summary} after
     * {@link #close}.
     */
    private static final class Stalls implements AutoCloseable {
        private final InetSocketAddress address;
        private final SocketChannel[] channels;
        private final long[] openedAt;
        private final long[] lifetimes = new long[100_000];
        private final ByteBuffer readBuffer = ByteBuffer.allocate(1024);
        private final Thread driver = new Thread(this::drive, "stalls");
        private volatile boolean stop;
        private int closed;
        private int answered;
        private int connectFailures;

        Stalls(InetSocketAddress address, int count) {
            this.address = address;
            this.channels = new SocketChannel[count];
            this.openedAt = new long[count];
        }

        /** Opens every connection, then keeps them stalled in the background. */
        void start() {
            for (int i = 0; i < channels.length; i++) {
                open(i);
            }
            driver.setDaemon(true);
            driver.start();
        }

        private void open(int i) {
            try {
                SocketChannel c = SocketChannel.open(address);
                c.configureBlocking(false);
                ByteBuffer begin = ByteBuffer.wrap(FAULTS[i % FAULTS.length].getBytes(StandardCharsets.US_ASCII));
                while (begin.hasRemaining()) {
                    c.write(begin);
                }
                channels[i] = c;
                openedAt[i] = System.nanoTime();
            } catch (IOException e) {
                connectFailures++;
                channels[i] = null;
            }
        }

        private void drive() {
            long next = System.nanoTime();
            while (!stop) {
                for (int i = 0; i < channels.length; i++) {
                    if (channels[i] == null) {
                        open(i);
                    } else if (!stillStalled(i)) {
                        if (closed < lifetimes.length) {
                            lifetimes[closed] = System.nanoTime() - openedAt[i];
                        }
                        closed++;
                        closeQuietly(channels[i]);
                        open(i);
                    }
                }
                next += SWEEP_NANOS;
                long left = next - System.nanoTime();
                if (left > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(left);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        /** Sends the next byte of a trickled body; false once the server has closed or answered. */
        private boolean stillStalled(int i) {
            SocketChannel c = channels[i];
            try {
                if (i % FAULTS.length == TRICKLE) {
                    c.write(ByteBuffer.wrap(new byte[] {'x'}));
                }
                readBuffer.clear();
                int n = c.read(readBuffer);
                if (n > 0) {
                    answered++;
                }
                return n == 0;
            } catch (IOException e) {
                return false;
            }
        }

        String summary() {
            long[] l = Arrays.copyOf(lifetimes, Math.min(closed, lifetimes.length));
            Arrays.sort(l);
            String lived = l.length == 0 ? "" : String.format(Locale.ROOT, " after %.1f s at the median (min %.1f,"
                    + " max %.1f)", Percentile.of(l, 0.5) / 1e9, l[0] / 1e9, l[l.length - 1] / 1e9);
            return String.format(Locale.ROOT, "stalled connections: %d closed by the server%s and opened again, %d"
                    + " of them after an answer; %d failed to connect", closed, lived, answered, connectFailures);
        }

        @Override
        public void close() {
            stop = true;
            driver.interrupt();
            try {
                driver.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (SocketChannel c : channels) {
                closeQuietly(c);
            }
        }

        private static void closeQuietly(SocketChannel c) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing a socket the server already closed
                }
            }
        }
    }
}
