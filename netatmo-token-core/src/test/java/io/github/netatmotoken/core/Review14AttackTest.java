package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Review of issue 14: attacks on reload(), tokenAsync() and NetatmoHttpClient that found bugs, or held. */
class Review14AttackTest {
    private final FakeClock clock = new FakeClock();
    private final FakeTokenClient client = new FakeTokenClient(clock, Duration.ofHours(3), "refresh-0");
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A store in memory whose load() can be held, after it read the token, on one chosen thread. */
    private static final class HeldLoadStore implements TokenStore {
        final InMemoryTokenStore inner;
        final List<String> loadThreads = new CopyOnWriteArrayList<>();
        volatile Thread holdOn;
        final CountDownLatch loadRead = new CountDownLatch(1);
        final CountDownLatch mayReturn = new CountDownLatch(1);

        HeldLoadStore(InMemoryTokenStore inner) {
            this.inner = inner;
        }

        @Override
        public Optional<Token> load() throws IOException {
            loadThreads.add(Thread.currentThread().getName());
            Optional<Token> read = inner.load();
            if (Thread.currentThread() == holdOn) {
                loadRead.countDown();
                try {
                    if (!mayReturn.await(10, TimeUnit.SECONDS)) {
                        throw new IOException("the test never let load() return");
                    }
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            return read;
        }

        @Override
        public void save(Token token) throws IOException {
            inner.save(token);
        }

        @Override
        public Lock lock() throws IOException {
            return inner.lock();
        }
    }

    private RefreshingTokenSource source(TokenStore store) throws IOException {
        return RefreshingTokenSource.builder().store(store).client(client).clock(clock).ticker(clock)
                .scheduler(new ManualScheduler(clock)).executor(Runnable::run)
                .random(RandomGenerator.of("L64X128MixRandom")).build();
    }

    /**
     * reload() read the store, then a refresh spent that token and saved the next one before reload() took its
     * lock: the token it read is spent, and taking it would go back to a refresh token NetAtmo no longer accepts.
     */
    @Test
    void reloadDoesNotTakeATokenThatARefreshSpentWhileItWasReadingTheStore() throws Exception {
        Token first = new Token("access-0", "refresh-0", clock.instant().plus(Duration.ofHours(1)));
        HeldLoadStore store = new HeldLoadStore(new InMemoryTokenStore(first));
        try (RefreshingTokenSource source = source(store)) {
            CompletableFuture<Boolean> reloaded = new CompletableFuture<>();
            Thread reloader = new Thread(() -> {
                try {
                    reloaded.complete(source.reload());
                } catch (Throwable t) {
                    reloaded.completeExceptionally(t);
                }
            }, "reloader");
            store.holdOn = reloader;
            reloader.start();
            assertTrue(store.loadRead.await(5, TimeUnit.SECONDS));

            clock.advance(Duration.ofHours(2)); // expired: this token() refreshes, on this thread
            assertEquals("access-1", source.token().accessToken());
            assertEquals("refresh-1", store.inner.stored().refreshToken());

            store.mayReturn.countDown();
            assertFalse(reloaded.get(5, TimeUnit.SECONDS), "the token reload() read was spent meanwhile");
            assertEquals("access-1", source.token().accessToken());
            assertEquals(1, client.refreshCount());
        }
    }

    /**
     * tokenAsync() promises to wait on no caller's thread; in the states that look at the store again (no token,
     * reauthorization required) it must not read the store (a file, a database, Redis) on the caller's thread.
     */
    @Test
    void tokenAsyncReadsNoStoreOnTheCallersThread() throws Exception {
        HeldLoadStore store = new HeldLoadStore(new InMemoryTokenStore());
        try (RefreshingTokenSource source = source(store)) {
            clock.advance(Duration.ofSeconds(10)); // the store is due to be looked at again
            store.loadThreads.clear();
            CompletableFuture<Token> future = source.tokenAsync();
            ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
            assertInstanceOf(NotAuthenticatedException.class, e.getCause());
            assertFalse(store.loadThreads.contains(Thread.currentThread().getName()),
                    "read the store on the caller's thread: " + store.loadThreads);
            assertEquals(1, store.loadThreads.size(), "the store is still looked at: " + store.loadThreads);

            // A token stored meanwhile is found by that look, as by token().
            clock.advance(Duration.ofSeconds(10));
            store.inner.storeDirectly(new Token("access-9", "refresh-9", clock.instant().plus(Duration.ofHours(1))));
            assertEquals("access-9", source.tokenAsync().get(5, TimeUnit.SECONDS).accessToken());
        }
    }

    private URI serve(com.sun.net.httpserver.HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", handler);
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/getstationsdata");
    }

    /** A 200 goes to a streaming handler as it arrives: the response is there before the whole body is. */
    @Test
    void aStreamingHandlerGetsA200BeforeItsBodyEnds() throws Exception {
        CountDownLatch bodyMayEnd = new CountDownLatch(1);
        URI uri = serve(exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("first ".getBytes(StandardCharsets.UTF_8));
                out.flush();
                bodyMayEnd.await(10, TimeUnit.SECONDS);
                out.write("last".getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        NetatmoHttpClient netatmo = new NetatmoHttpClient(HttpClient.newHttpClient(), new SequenceTokenSource("a1"));
        HttpResponse<InputStream> response = netatmo.sendAsync(HttpRequest.newBuilder(uri).build(),
                BodyHandlers.ofInputStream()).get(5, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        bodyMayEnd.countDown();
        try (InputStream in = response.body()) {
            assertEquals("first last", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** A 401 from a proxy with an HTML page renews and retries; a HEAD request's 401 (no body) too. */
    @Test
    void aHtml401AndAHead401AreRejectionsRetriedOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI uri = serve(exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            calls.incrementAndGet();
            byte[] body = ("Bearer a1".equals(auth) ? "<html>401 Unauthorized</html>" : "ok")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders("Bearer a1".equals(auth) ? 401 : 200, head ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                if (!head) {
                    out.write(body);
                }
            }
        });
        HttpClient http = HttpClient.newHttpClient();
        SequenceTokenSource tokens = new SequenceTokenSource("a1", "a2");
        HttpResponse<String> get = new NetatmoHttpClient(http, tokens).send(HttpRequest.newBuilder(uri).build(),
                BodyHandlers.ofString());
        assertEquals(200, get.statusCode());
        assertEquals("ok", get.body());
        assertEquals(2, calls.get());

        SequenceTokenSource headTokens = new SequenceTokenSource("a1", "a2");
        HttpResponse<Void> head = new NetatmoHttpClient(http, headTokens).sendAsync(
                HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                BodyHandlers.discarding()).get(5, TimeUnit.SECONDS);
        assertEquals(200, head.statusCode());
        assertEquals(List.of("a1"), headTokens.invalidated());
    }

    /** The caller's streaming handler gets a rejection that is not retried (code 26) whole, from memory. */
    @Test
    void aNonRetriedRejectionReachesAStreamingHandlerWhole() throws Exception {
        String limit = "{\"error\":{\"code\":26,\"message\":\"User usage reached\"}}";
        URI uri = serve(exchange -> {
            byte[] body = limit.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(403, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        SequenceTokenSource tokens = new SequenceTokenSource("a1", "a2");
        HttpResponse<InputStream> response = new NetatmoHttpClient(HttpClient.newHttpClient(), tokens)
                .send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofInputStream());
        assertEquals(403, response.statusCode());
        try (InputStream in = response.body()) {
            assertEquals(limit, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of(), tokens.invalidated());
    }

    /**
     * An access token that an HTTP header cannot carry (a control character from a hand-edited token file): the JDK's
     * request builder would name the whole header value, the token, in its exception. Nothing is sent, and no
     * exception in the chain holds the token.
     */
    @Test
    void aTokenThatNoHeaderCanCarryIsNamedInNoException() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI uri = serve(exchange -> {
            calls.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        NetatmoHttpClient netatmo = new NetatmoHttpClient(HttpClient.newHttpClient(),
                new SequenceTokenSource("secret-value\nsecond-line"));
        HttpRequest request = HttpRequest.newBuilder(uri).build();
        Throwable sync = assertThrows(Exception.class, () -> netatmo.send(request, BodyHandlers.discarding()));
        assertNoSecret(sync);
        ExecutionException async = assertThrows(ExecutionException.class,
                () -> netatmo.sendAsync(request, BodyHandlers.discarding()).get(5, TimeUnit.SECONDS));
        assertNoSecret(async);
        assertEquals(0, calls.get());
    }

    private static void assertNoSecret(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t).contains("secret-value"), "the token in " + t);
            for (Throwable suppressed : t.getSuppressed()) {
                assertFalse(String.valueOf(suppressed).contains("secret-value"), "the token in " + suppressed);
            }
        }
    }
}
