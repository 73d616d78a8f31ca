package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.TokenRefreshException;
import io.github.netatmotoken.okhttp.TestServer.Reply;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call that waits in the interceptor for a token keeps its own timeout and can be canceled: one stuck refresh
 * per test, whose source would wait a minute on its own.
 */
class WaitingForATokenTest {
    private static final String STATIONS = "/api/getstationsdata";
    private static final Duration REFRESH_TIMEOUT = Duration.ofMinutes(1);
    /** Far below the source's minute, far above the call's half second: the call did not wait for the source. */
    private static final long GENEROUS_MILLIS = 10_000;

    private TestServer server;
    private final StuckTokenSource tokens = new StuckTokenSource(REFRESH_TIMEOUT);

    @BeforeEach
    void startServer() throws IOException {
        server = TestServer.start();
    }

    @AfterEach
    void stop() throws IOException {
        tokens.finish("access-late");
        server.close();
    }

    private OkHttpClient client(Duration callTimeout) {
        return new OkHttpClient.Builder().addInterceptor(new NetatmoAuthInterceptor(tokens))
                .callTimeout(callTimeout).build();
    }

    private Call newCall(OkHttpClient client) {
        return client.newCall(new Request.Builder().url(server.url(STATIONS)).build());
    }

    @Test
    void theCallTimeoutEndsAWaitForAStuckRefresh() {
        Call call = newCall(client(Duration.ofMillis(500)));

        long start = System.nanoTime();
        InterruptedIOException e = assertThrows(InterruptedIOException.class, call::execute);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals("timeout", e.getMessage());
        assertTrue(millis >= 450, "the call gave up before its timeout: " + millis + " ms");
        assertTrue(millis < GENEROUS_MILLIS, "the call waited for the source, not its timeout: " + millis + " ms");
        assertEquals(0, server.requestCount());
    }

    @Test
    void theCallTimeoutEndsTheWaitOfAnEnqueuedCall() throws Exception {
        Call call = newCall(client(Duration.ofMillis(500)));

        long start = System.nanoTime();
        Object outcome = enqueue(call).get(GENEROUS_MILLIS, TimeUnit.MILLISECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        InterruptedIOException e = assertInstanceOf(InterruptedIOException.class, outcome);
        assertEquals("timeout", e.getMessage());
        assertTrue(millis >= 450, "the call gave up before its timeout: " + millis + " ms");
        assertEquals(0, server.requestCount());
    }

    @Test
    void aDeadlineOnTheCallEndsTheWait() {
        Call call = newCall(client(Duration.ZERO));
        call.timeout().deadline(500, TimeUnit.MILLISECONDS);

        long start = System.nanoTime();
        InterruptedIOException e = assertThrows(InterruptedIOException.class, call::execute);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals("timeout", e.getMessage());
        assertTrue(millis < GENEROUS_MILLIS, "the call waited for the source, not its deadline: " + millis + " ms");
        assertEquals(0, server.requestCount());
    }

    @Test
    void cancelEndsTheWaitOfAnExecutedCall() throws Exception {
        // No call timeout: only the cancel can end the wait before the source's minute.
        Call call = newCall(client(Duration.ZERO));
        CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
            try (Response response = call.execute()) {
                return response.code();
            } catch (IOException e) {
                return e;
            }
        });
        tokens.awaitWaits(1);

        long start = System.nanoTime();
        call.cancel();
        Object result = outcome.get(GENEROUS_MILLIS, TimeUnit.MILLISECONDS);

        IOException e = assertInstanceOf(IOException.class, result);
        assertEquals("Canceled", e.getMessage());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < GENEROUS_MILLIS);
        assertEquals(0, server.requestCount());
    }

    @Test
    void cancelEndsTheWaitOfAnEnqueuedCall() throws Exception {
        Call call = newCall(client(Duration.ZERO));
        CompletableFuture<Object> outcome = enqueue(call);
        tokens.awaitWaits(1);

        call.cancel();
        Object result = outcome.get(GENEROUS_MILLIS, TimeUnit.MILLISECONDS);

        IOException e = assertInstanceOf(IOException.class, result);
        assertEquals("Canceled", e.getMessage());
        assertEquals(0, server.requestCount());
    }

    @Test
    void aRefreshThatEndsWithinTheCallTimeoutIsUsed() throws Exception {
        server.enqueue(Reply.ok("{\"status\":\"ok\"}"));
        Call call = newCall(client(Duration.ofSeconds(30)));
        CompletableFuture<Object> outcome = enqueue(call);
        tokens.awaitWaits(2); // the call has waited a whole slice and started another

        tokens.finish("access-2");

        assertEquals(200, outcome.get(GENEROUS_MILLIS, TimeUnit.MILLISECONDS));
        assertEquals("Bearer access-2", server.takeRequest().authorization());
    }

    @Test
    void aRefreshThatFailsWhileTheCallWaitsFailsItWithTheSourcesReason() throws Exception {
        TokenRefreshException refused = new TokenRefreshException("NetAtmo's token endpoint answered HTTP 503", 503,
                null, null);
        Call call = newCall(client(Duration.ofSeconds(30)));
        CompletableFuture<Object> outcome = enqueue(call);
        tokens.awaitWaits(2);

        tokens.fail(refused);

        assertSame(refused, outcome.get(GENEROUS_MILLIS, TimeUnit.MILLISECONDS));
        assertEquals(0, server.requestCount());
    }

    @Test
    void aUsableTokenIsOneCallOfTheSource() throws Exception {
        StuckTokenSource ready = StuckTokenSource.finished("access-1");
        server.enqueue(Reply.ok("{\"status\":\"ok\"}"));
        OkHttpClient client = new OkHttpClient.Builder().addInterceptor(new NetatmoAuthInterceptor(ready))
                .callTimeout(Duration.ofSeconds(30)).build();

        try (Response response = newCall(client).execute()) {
            assertEquals(200, response.code());
        }
        assertEquals(1, ready.calls());
        assertEquals("Bearer access-1", server.takeRequest().authorization());
    }

    /** The call's outcome: the response code (the response is closed), or the exception of onFailure. */
    private static CompletableFuture<Object> enqueue(Call call) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                outcome.complete(e);
            }

            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    outcome.complete(response.code());
                }
            }
        });
        return outcome;
    }
}
