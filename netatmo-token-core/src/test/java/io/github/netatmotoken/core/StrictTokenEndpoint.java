package io.github.netatmotoken.core;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * NetAtmo's token endpoint as the many-process tests need it: a JDK HTTP server on 127.0.0.1 that rotates strictly
 * (each refresh token works once; a spent or unknown one gets 400 {@code invalid_grant}), takes
 * {@code answerDelay} to answer, and keeps a ledger of every request: which client sent it, what it presented,
 * when it arrived and what it got. Each client has a base URL of its own ({@link #baseUrl(String)}), so the ledger
 * knows who asked without any header. A request is answered even if its client died meanwhile: the server has
 * rotated the token all the same, as NetAtmo would.
 *
 * <p>Tokens are {@code at-<chain>-<n>} and {@code rt-<chain>-<n>}: a chain starts with an {@link #authorize()
 * authorization} and each refresh adds one. Thread-safe.
 */
public final class StrictTokenEndpoint implements AutoCloseable {
    /**
     * One token request.
     *
     * @param client the path segment of the client's {@link #baseUrl(String) base URL}
     * @param presented the refresh token it sent
     * @param arrivedNanos {@link System#nanoTime()} when the request arrived
     * @param answeredNanos when the answer was decided, {@code answerDelay} later
     * @param issued what it got, or {@code null} for {@code invalid_grant}
     */
    public record Exchange(int seq, String client, String presented, long arrivedNanos, long answeredNanos,
            @Nullable Token issued) {
        public boolean refused() {
            return issued == null;
        }
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final Clock clock;
    private final Duration answerDelay;
    private final int expiresInSeconds;
    private final LinkedBlockingQueue<String> arrivals = new LinkedBlockingQueue<>();
    private final List<Exchange> ledger = new ArrayList<>();
    private int chain;
    private int generation;
    private int refreshes;
    private @Nullable String valid;
    private @Nullable String lastSpent;
    private boolean lastSpentRefused;
    private volatile @Nullable String lastClient;

    private StrictTokenEndpoint(Clock clock, Duration answerDelay, int expiresInSeconds) throws IOException {
        this.clock = clock;
        this.answerDelay = answerDelay;
        this.expiresInSeconds = expiresInSeconds;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        this.threads = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "strict-token-endpoint");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts the endpoint.
     *
     * @param clock dates the tokens of {@link #authorize()}
     * @param answerDelay how long each answer takes
     * @param expiresInSeconds the {@code expires_in} of every token
     */
    public static StrictTokenEndpoint start(Clock clock, Duration answerDelay, int expiresInSeconds)
            throws IOException {
        return new StrictTokenEndpoint(clock, answerDelay, expiresInSeconds);
    }

    /** {@return the base URL for {@code client}, whose token endpoint is {@code <base>/oauth2/token}} */
    public URI baseUrl(String client) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + client);
    }

    public Duration answerDelay() {
        return answerDelay;
    }

    /** A new authorization, as a person's browser login makes it: a new chain; the old one is dead. */
    public synchronized Token authorize() {
        chain++;
        generation = 0;
        valid = "rt-" + chain + "-0";
        lastSpent = null;
        lastSpentRefused = false;
        return new Token("at-" + chain + "-0", valid, clock.instant().plusSeconds(expiresInSeconds));
    }

    /** {@return the number of the current chain: 1 after the first authorization} */
    public synchronized int chain() {
        return chain;
    }

    /** {@return the number of refreshes answered so far (refused requests left out)} */
    public synchronized int refreshCount() {
        return refreshes;
    }

    /** {@return the one refresh token that works now} */
    public synchronized @Nullable String validRefreshToken() {
        return valid;
    }

    /**
     * {@return whether someone presented the refresh token spent last in this chain after it was spent: the answer
     * of that refresh never reached the store, so the chain is lost (or a client reused a spent token)}
     */
    public synchronized boolean lastSpentRefused() {
        return lastSpentRefused;
    }

    /** {@return the client of the latest request: the process that held the lease last} */
    public @Nullable String lastClient() {
        return lastClient;
    }

    /**
     * Waits for the next request to arrive (not one that arrived before this call).
     *
     * @return its client, or {@code null} if none came within {@code timeout}
     */
    public @Nullable String awaitNextRequest(Duration timeout) throws InterruptedException {
        arrivals.clear();
        return arrivals.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** {@return every request so far, in the order of their answers} */
    public synchronized List<Exchange> ledger() {
        return List.copyOf(ledger);
    }

    private void handle(HttpExchange http) throws IOException {
        try (http) {
            String path = http.getRequestURI().getPath();
            int slash = path.indexOf('/', 1);
            if (!"POST".equals(http.getRequestMethod()) || slash < 2
                    || !path.substring(slash).equals("/oauth2/token")) {
                http.sendResponseHeaders(404, -1);
                return;
            }
            String client = path.substring(1, slash);
            String form = new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            long arrived = System.nanoTime();
            lastClient = client;
            arrivals.offer(client);
            String presented = field(form, "refresh_token");
            try {
                Thread.sleep(answerDelay.toMillis()); // NetAtmo takes its time: kills can land in the window
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Token issued = answer(client, presented == null ? "" : presented, arrived);
            byte[] body = (issued == null ? "{\"error\":\"invalid_grant\"}"
                    : "{\"access_token\":\"" + issued.accessToken() + "\",\"refresh_token\":\"" + issued.refreshToken()
                            + "\",\"scope\":[\"read_station\"],\"expires_in\":" + expiresInSeconds + ",\"expire_in\":"
                            + expiresInSeconds + "}").getBytes(StandardCharsets.UTF_8);
            http.getResponseHeaders().set("Content-Type", "application/json");
            http.sendResponseHeaders(issued == null ? 400 : 200, body.length);
            try (OutputStream out = http.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            // The client died while we answered: the token is rotated all the same.
        }
    }

    private synchronized @Nullable Token answer(String client, String presented, long arrived) {
        Token issued = null;
        if (presented.equals(valid)) {
            generation++;
            refreshes++;
            lastSpent = presented;
            lastSpentRefused = false;
            valid = "rt-" + chain + "-" + generation;
            issued = new Token("at-" + chain + "-" + generation, valid, null);
        } else if (presented.equals(lastSpent)) {
            lastSpentRefused = true;
        }
        ledger.add(new Exchange(ledger.size() + 1, client, presented, arrived, System.nanoTime(), issued));
        return issued;
    }

    private static @Nullable String field(String form, String name) {
        for (String pair : form.split("&", -1)) {
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
