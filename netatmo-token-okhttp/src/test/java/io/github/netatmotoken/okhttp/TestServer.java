package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.HttpUrl;

/**
 * A real HTTP server on 127.0.0.1 and a free port that records every request and answers from a queue or a
 * handler, for the tests to assert on what the server received.
 *
 * <p>Two implementations, chosen by the system property {@code netatmo.test.server}: MockWebServer 3
 * ({@code mockwebserver3}, the default) and the JDK's {@code com.sun.net.httpserver} ({@code jdk}). MockWebServer 3
 * needs OkHttp 5, so the Surefire execution that runs the tests on OkHttp 4.12 uses the JDK's server; the same
 * tests then run against both OkHttp versions. Thread-safe.
 */
abstract class TestServer implements AutoCloseable {
    /** What the server answers. */
    record Reply(int status, String body, Map<String, String> headers, boolean disconnect) {
        static Reply json(int status, String body) {
            return new Reply(status, body, Map.of("Content-Type", "application/json"), false);
        }

        static Reply ok(String body) {
            return json(200, body);
        }

        /** A NetAtmo data API error: {@code {"error":{"code":N,"message":"…"}}}. */
        static Reply apiError(int status, int code, String message) {
            return json(status, "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\"}}");
        }

        static Reply redirect(int status, String location) {
            return new Reply(status, "", Map.of("Location", location), false);
        }

        /** Reads the request, then closes the connection without answering. */
        static Reply dropConnection() {
            return new Reply(0, "", Map.of(), true);
        }
    }

    /** A request as the server received it. Header names are lower case. */
    record Received(int sequence, String method, String path, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        String authorization() {
            return header("Authorization");
        }
    }

    private final ConcurrentLinkedQueue<Reply> queue = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Received> untaken = new LinkedBlockingQueue<>();
    private volatile Function<Received, Reply> handler;

    /** Starts the implementation that {@code netatmo.test.server} names. */
    static TestServer start() throws IOException {
        String kind = System.getProperty("netatmo.test.server", "mockwebserver3");
        return switch (kind) {
            case "mockwebserver3" -> new MockWebServerTestServer();
            case "jdk" -> new JdkTestServer();
            default -> throw new IllegalStateException("netatmo.test.server must be mockwebserver3 or jdk, not "
                    + kind);
        };
    }

    /** Answers every request by {@code handler}; the queue is then ignored. The handler may block. */
    final void handle(Function<Received, Reply> handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Answers the next request (of those without handler) with {@code reply}. */
    final void enqueue(Reply reply) {
        queue.add(reply);
    }

    final HttpUrl url(String path) {
        return HttpUrl.get("http://127.0.0.1:" + port() + path);
    }

    final URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** Every request so far, in the order they arrived. */
    final List<Received> received() {
        return new ArrayList<>(received);
    }

    final int requestCount() {
        return received.size();
    }

    /** The oldest request not yet taken, waiting up to 10 seconds for it. */
    final Received takeRequest() throws InterruptedException {
        Received next = untaken.poll(10, TimeUnit.SECONDS);
        assertNotNull(next, "the server received no request within 10 seconds");
        return next;
    }

    /** Called by the implementations for each request, on the server thread that serves it. */
    final Reply record(String method, String path, Map<String, List<String>> headers, String body) {
        Map<String, String> flat = new TreeMap<>();
        headers.forEach((name, values) -> flat.put(name.toLowerCase(java.util.Locale.ROOT), String.join(", ", values)));
        Received request;
        synchronized (received) {
            request = new Received(received.size() + 1, method, path, Map.copyOf(flat), body);
            received.add(request);
        }
        untaken.add(request);
        Function<Received, Reply> h = handler;
        if (h != null) {
            return h.apply(request);
        }
        Reply next = queue.poll();
        return next != null ? next : Reply.json(599, "{\"test\":\"no reply enqueued\"}");
    }

    abstract int port();

    @Override
    public abstract void close() throws IOException;
}
