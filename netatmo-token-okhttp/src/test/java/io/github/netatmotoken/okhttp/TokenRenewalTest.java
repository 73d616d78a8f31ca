package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.FileTokenStore;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.okhttp.TestServer.Received;
import io.github.netatmotoken.okhttp.TestServer.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interceptor with the real thing behind it: a {@link RefreshingTokenSource} on a {@link FileTokenStore}, with
 * an {@link OkHttpTokenClient} that talks to the same server as the API calls.
 */
class TokenRenewalTest {
    private static final String TOKEN_PATH = "/oauth2/token";
    private static final String STATIONS = "/api/getstationsdata";
    private static final String OK = "{\"body\":{\"devices\":[]},\"status\":\"ok\"}";

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private TestServer server;
    private FileTokenStore store;
    private RefreshingTokenSource tokens;

    @BeforeEach
    void startServer() throws IOException {
        server = TestServer.start();
        store = new FileTokenStore(dir.resolve("netatmo-token.json"), clock);
    }

    @AfterEach
    void stop() throws IOException {
        if (tokens != null) {
            tokens.close();
        }
        server.close();
    }

    /** The token endpoint's answer to the n-th refresh: access-(n+1) and refresh-(n+1). */
    private Reply nextPair() {
        int n = tokenRequests.incrementAndGet() + 1;
        return Reply.ok("{\"access_token\":\"access-" + n + "\",\"refresh_token\":\"refresh-" + n + "\","
                + "\"scope\":[\"read_station\"],\"expires_in\":10800,\"expire_in\":10800}");
    }

    private OkHttpClient apiClient(Token initial, OkHttpClient http, Duration refreshTimeout) throws IOException {
        store.save(initial);
        OkHttpTokenClient tokenClient = OkHttpTokenClient.builder().httpClient(http)
                .clientId("client-id").clientSecret("client-secret").baseUrl(server.baseUri()).clock(clock).build();
        tokens = RefreshingTokenSource.builder().store(store).client(tokenClient).clock(clock).ticker(clock)
                .refreshTimeout(refreshTimeout).build();
        return http.newBuilder().addInterceptor(new NetatmoAuthInterceptor(tokens)).build();
    }

    private Token validFor(Duration lifetime) {
        return new Token("access-1", "refresh-1", clock.instant().plus(lifetime));
    }

    private List<Received> dataRequests() {
        return server.received().stream().filter(r -> r.path().equals(STATIONS)).toList();
    }

    @Test
    void thirtyTwoThreadsRejectedWithTheSameTokenCauseOneRefreshAndAllSucceed() throws Exception {
        int threads = 32;
        int callsPerThread = 4;
        CountDownLatch allRejectedTogether = new CountDownLatch(threads);
        server.handle(request -> {
            if (request.path().equals(TOKEN_PATH)) {
                return nextPair();
            }
            if ("Bearer access-1".equals(request.authorization())) {
                // Hold every first call until all 32 carry the old token, so that they race to invalidate it.
                allRejectedTogether.countDown();
                await(allRejectedTogether);
                return Reply.apiError(403, 3, "Access token expired");
            }
            return Reply.ok(OK);
        });
        OkHttpClient api = apiClient(validFor(Duration.ofHours(3)), new OkHttpClient(), Duration.ofSeconds(30));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit((Callable<List<Integer>>) () -> {
                    await(start);
                    List<Integer> codes = new ArrayList<>();
                    for (int i = 0; i < callsPerThread; i++) {
                        try (Response response = api.newCall(new Request.Builder().url(server.url(STATIONS)).build())
                                .execute()) {
                            codes.add(response.code());
                        }
                    }
                    return codes;
                }));
            }
            start.countDown();
            for (Future<List<Integer>> result : results) {
                assertEquals(List.of(200, 200, 200, 200), result.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(1, tokenRequests.get(), "token requests");
        List<Received> data = dataRequests();
        assertEquals(threads, data.stream().filter(r -> "Bearer access-1".equals(r.authorization())).count());
        assertEquals(threads * callsPerThread,
                data.stream().filter(r -> "Bearer access-2".equals(r.authorization())).count());
        assertEquals(threads + threads * callsPerThread, data.size());
        Received refresh = server.received().stream().filter(r -> r.path().equals(TOKEN_PATH)).findFirst()
                .orElseThrow();
        assertTrue(refresh.body().contains("refresh_token=refresh-1"), refresh.body());
        assertEquals("refresh-2", store.load().orElseThrow().refreshToken(), "the rotated token is on disk");
    }

    @Test
    void aServerThatAlwaysRejectsGetsTheTokenRenewedTwiceThenTheCallersGetThe403() throws Exception {
        server.handle(request -> request.path().equals(TOKEN_PATH) ? nextPair()
                : Reply.apiError(403, 2, "Invalid access token"));
        OkHttpClient api = apiClient(validFor(Duration.ofHours(3)), new OkHttpClient(), Duration.ofSeconds(30));

        for (int call = 1; call <= 4; call++) {
            try (Response response = api.newCall(new Request.Builder().url(server.url(STATIONS)).build()).execute()) {
                assertEquals(403, response.code());
                assertEquals(2, NetatmoApiException.from(response).errorCode());
            }
        }
        List<String> sent = dataRequests().stream().map(Received::authorization).toList();
        // Calls 1 and 2: rejected, renewed, retried once. From call 3 the new tokens are rejected at first use again
        // and again, so the source stops rotating the refresh token and the caller gets the rejection as it is.
        assertEquals(List.of("Bearer access-1", "Bearer access-2", "Bearer access-2", "Bearer access-3",
                "Bearer access-3", "Bearer access-3"), sent);
        assertEquals(2, tokenRequests.get(), "two refreshes, not one per call");
    }

    @Test
    void anAsyncCallWaitingForARefreshDoesNotDeadlockADispatcherWithOneSlot() throws Exception {
        server.handle(request -> request.path().equals(TOKEN_PATH) ? nextPair() : Reply.ok(OK));
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(1);
        // The stored token has expired, so the call waits in the interceptor for the refresh, holding the only
        // slot; a refresh queued on the same dispatcher would wait for that slot until refreshTimeout.
        OkHttpClient api = apiClient(new Token("access-1", "refresh-1", clock.instant().minusSeconds(1)),
                new OkHttpClient.Builder().dispatcher(dispatcher).build(), Duration.ofMinutes(2));
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Object> outcome = new AtomicReference<>();

        api.newCall(new Request.Builder().url(server.url(STATIONS)).build()).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                outcome.set(e);
                done.countDown();
            }

            @Override
            public void onResponse(Call call, Response response) {
                outcome.set(response.code());
                response.close();
                done.countDown();
            }
        });

        assertTrue(done.await(20, TimeUnit.SECONDS), "the async call did not finish: the refresh is stuck");
        assertEquals(200, outcome.get());
        assertEquals("Bearer access-2", dataRequests().get(0).authorization());
        assertEquals(1, tokenRequests.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within 30 seconds");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
