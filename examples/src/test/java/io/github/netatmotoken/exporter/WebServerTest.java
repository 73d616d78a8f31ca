package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.netatmotoken.core.CapturedLogs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** The JDK server's settings and worker threads that {@link WebServer} gives the exporter. */
class WebServerTest {
    private static final byte[] GET = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void withoutDashDTheDeadlinesAreTenAndThirtySeconds() {
        Properties properties = new Properties();

        WebServer.configure(properties);

        assertEquals(Map.of("sun.net.httpserver.maxReqTime", "10", "sun.net.httpserver.maxRspTime", "30",
                "sun.net.httpserver.drainAmount", "65536", "sun.net.httpserver.nodelay", "true"), properties);
    }

    @Test
    void aValueGivenWithDashDIsKept() {
        Properties properties = new Properties();
        properties.setProperty("sun.net.httpserver.maxReqTime", "2");
        properties.setProperty("sun.net.httpserver.nodelay", "false");

        WebServer.configure(properties);

        assertEquals("2", properties.getProperty("sun.net.httpserver.maxReqTime"));
        assertEquals("false", properties.getProperty("sun.net.httpserver.nodelay"));
        assertEquals("30", properties.getProperty("sun.net.httpserver.maxRspTime"));
    }

    @Test
    void threadsAreNamedDaemonsStartedAsNeededUpToTheMaximum() throws Exception {
        ThreadPoolExecutor pool = WebServer.threads(2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(2);
        try {
            for (int i = 0; i < 2; i++) {
                pool.execute(() -> {
                    Thread t = Thread.currentThread();
                    if (t.isDaemon() && t.getName().startsWith("http-server-")) {
                        running.countDown();
                    }
                    awaitQuietly(release);
                });
            }
            assertTrue(running.await(5, TimeUnit.SECONDS), "two daemon threads named http-server-N run");

            assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aConnectionThatFindsEveryThreadBusyIsClosedAtOnce() throws Exception {
        int logMark = CapturedLogs.mark();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = WebServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ThreadPoolExecutor pool = WebServer.threads(1);
        server.createContext("/", exchange -> {
            busy.countDown();
            awaitQuietly(release);
            Reply.text(exchange, 200, "ok\n");
        });
        server.setExecutor(pool);
        server.start();
        try (Socket first = new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort());
                Socket next = new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort())) {
            first.getOutputStream().write(GET);
            assertTrue(busy.await(5, TimeUnit.SECONDS), "the first request holds the only thread");

            next.getOutputStream().write(GET);
            long sent = System.nanoTime();
            next.setSoTimeout(5000);
            int read;
            try {
                read = next.getInputStream().read();
            } catch (IOException reset) {
                read = -1;
            }

            assertEquals(-1, read, "closed without an answer");
            Duration closedAfter = Duration.ofNanos(System.nanoTime() - sent);
            assertTrue(closedAfter.compareTo(Duration.ofSeconds(1)) < 0, "closed at once, not at the request"
                    + " deadline: after " + closedAfter);
            assertTrue(CapturedLogs.messages(logMark, Level.WARN).stream()
                    .anyMatch(m -> m.contains("All 1 HTTP server threads are busy")), "a WARN says why");
        } finally {
            release.countDown();
            server.stop(0);
            pool.shutdownNow();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
