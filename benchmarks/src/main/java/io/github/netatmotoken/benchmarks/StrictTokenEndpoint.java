package io.github.netatmotoken.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A token endpoint on the JDK's HTTP server at 127.0.0.1 and a free port that rotates strictly, as NetAtmo does: the
 * one valid refresh token gets a new pair ({@code access-<n>}, {@code refresh-<n>}, 3 hours), any other gets 400
 * {@code invalid_grant}. Every answer comes after a fixed {@code latency}; requests are served in parallel. Records
 * when the last refresh arrived and when it was answered, on {@link System#nanoTime()}. Thread-safe.
 */
final class StrictTokenEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "token-endpoint");
        thread.setDaemon(true);
        return thread;
    });
    private final long latencyNanos;
    private int issued;
    private int requests;
    private int invalidGrants;
    private String valid = "";
    private long lastArrivedNanos;
    private long lastAnsweredNanos;

    private StrictTokenEndpoint(Duration latency) throws IOException {
        this.latencyNanos = latency.toNanos();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
        server.createContext("/oauth2/token", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    static StrictTokenEndpoint start(Duration latency) throws IOException {
        return new StrictTokenEndpoint(latency);
    }

    /** {@return the base URL for {@code NetatmoOAuthClient.Builder.baseUrl}} */
    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Makes {@code refreshToken} the only valid one, as after an authorization. */
    synchronized void accept(String refreshToken) {
        valid = refreshToken;
    }

    synchronized int requests() {
        return requests;
    }

    synchronized int invalidGrants() {
        return invalidGrants;
    }

    /** {@return the access token of the last pair issued} */
    synchronized String lastAccessToken() {
        return "access-" + issued;
    }

    synchronized long lastArrivedNanos() {
        return lastArrivedNanos;
    }

    synchronized long lastAnsweredNanos() {
        return lastAnsweredNanos;
    }

    private void handle(HttpExchange exchange) throws IOException {
        long arrived = System.nanoTime();
        String presented = field(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                "refresh_token");
        String body;
        int status;
        synchronized (this) {
            requests++;
            lastArrivedNanos = arrived;
            if (presented != null && presented.equals(valid)) {
                issued++;
                valid = "refresh-" + issued;
                status = 200;
                body = "{\"access_token\":\"access-" + issued + "\",\"refresh_token\":\"" + valid
                        + "\",\"expires_in\":10800,\"expire_in\":10800,\"scope\":[\"read_station\"]}";
            } else {
                invalidGrants++;
                status = 400;
                body = "{\"error\":\"invalid_grant\"}";
            }
        }
        for (long left = latencyNanos - (System.nanoTime() - arrived); left > 0;
                left = latencyNanos - (System.nanoTime() - arrived)) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        synchronized (this) {
            lastAnsweredNanos = System.nanoTime();
        }
    }

    private static String field(String form, String name) {
        for (String pair : form.split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv.length == 2 && kv[0].equals(name)) {
                return URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
