package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the exporter's JDK HTTP servers and their worker threads so that slow clients cannot freeze them.
 * Thread-safe.
 *
 * <p>Design notes. The JDK server reads a request on a worker thread, in blocking reads: a client that sends half a
 * request line, half the headers, or a body one byte at a time holds that thread for as long as it keeps the
 * connection open. Two things keep such clients from taking every thread:
 * <ul>
 *   <li>Deadlines. The JDK server closes a connection whose request (line, headers and body) is not read in full
 *       {@link #REQUEST_DEADLINE} after its first byte, or whose response is not written within
 *       {@link #RESPONSE_DEADLINE}; the close ends the blocked read and frees the thread. A body that a handler
 *       leaves unread, as when it refuses the request, is read for at most {@link #DRAIN_BYTES}, then the
 *       connection is closed. A connection that sends nothing waits in the server's selector, not on a thread.
 *   <li>An elastic pool of {@link #threads}: up to {@link #MAX_THREADS}, started as requests arrive and ended after
 *       a minute without work, so that the stalled requests, each holding a thread until its deadline, leave
 *       threads for the scrapes. A request that finds every thread busy is not queued behind the stalled ones:
 *       the JDK server closes its connection at once. Blocking instead, as Prometheus' own {@code HTTPServer}
 *       does, would block the JDK server's single dispatcher thread, and with it every connection.
 * </ul>
 * The JDK reads these settings from system properties once per JVM, when the first server is created; {@link #create}
 * sets each one that was not given with {@code -D} before it creates a server.
 */
final class WebServer {
    /** The time from a request's first byte until its body is read; the JDK's default is no limit. */
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(10);
    /** The time for writing a response; the JDK's default is no limit. */
    static final Duration RESPONSE_DEADLINE = Duration.ofSeconds(30);
    /** How much of a request body that the handler did not read is read before the connection is closed. */
    static final long DRAIN_BYTES = 64 * 1024;
    /** Worker threads at most: room for a hundred stalled requests and the scrapes next to them. */
    static final int MAX_THREADS = 256;

    private static final Logger log = LoggerFactory.getLogger(WebServer.class);
    private static final Duration IDLE_THREAD_LIFETIME = Duration.ofMinutes(1);
    private static final Map<String, String> DEFAULTS = Map.of(
            "sun.net.httpserver.maxReqTime", Long.toString(REQUEST_DEADLINE.toSeconds()),
            "sun.net.httpserver.maxRspTime", Long.toString(RESPONSE_DEADLINE.toSeconds()),
            "sun.net.httpserver.drainAmount", Long.toString(DRAIN_BYTES),
            // Without TCP_NODELAY the server's separate header and body writes meet delayed ACKs: 40 ms a scrape.
            "sun.net.httpserver.nodelay", "true");

    private WebServer() {
    }

    /** A server on {@code address}, not started yet; the system properties are {@link #configure}d first. */
    static HttpServer create(InetSocketAddress address, int backlog) throws IOException {
        configure(System.getProperties());
        return HttpServer.create(address, backlog);
    }

    /** Sets each of the JDK server's properties that is missing from {@code properties} to the exporter's default. */
    static void configure(Properties properties) {
        DEFAULTS.forEach((name, value) -> properties.putIfAbsent(name, value));
    }

    /**
     * Worker threads for a server: daemon threads named {@code http-server-N}, one kept, up to {@code maxThreads}
     * started as needed and reused, each ended after a minute idle. When all are busy, {@code execute} throws
     * {@link RejectedExecutionException}, on which the JDK server closes the connection; that is logged as a WARN
     * the first time and every hundredth time after.
     */
    static ThreadPoolExecutor threads(int maxThreads) {
        AtomicInteger started = new AtomicInteger();
        AtomicLong refused = new AtomicLong();
        return new ThreadPoolExecutor(1, maxThreads, IDLE_THREAD_LIFETIME.toSeconds(), TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "http-server-" + started.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, (task, pool) -> {
                    if (!pool.isShutdown()) {
                        long n = refused.incrementAndGet();
                        if (n % 100 == 1) {
                            log.warn("All {} HTTP server threads are busy, most likely with slow or stalled clients:"
                                    + " closed a connection ({} so far); a stalled request is closed at its"
                                    + " deadline, sun.net.httpserver.maxReqTime={} s", maxThreads, n,
                                    System.getProperty("sun.net.httpserver.maxReqTime"));
                        }
                    }
                    throw new RejectedExecutionException("all " + maxThreads + " HTTP server threads are busy");
                });
    }
}
