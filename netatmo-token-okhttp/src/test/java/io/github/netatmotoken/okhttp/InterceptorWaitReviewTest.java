package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.InMemoryTokenStore;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Adversarial review of issue 10 (okhttp): the interceptor's wait without a call timeout. */
class InterceptorWaitReviewTest {
    private final CountDownLatch answer = new CountDownLatch(1);
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void release() {
        answer.countDown();
        threads.shutdownNow();
    }

    /**
     * The Javadoc: "Without a call timeout or deadline, the wait lasts as long as the source lets it (its
     * refreshTimeout, for a RefreshingTokenSource)". TokenWait asks in 100 ms slices and starts a new slice after
     * each, so the source's refreshTimeout never ends the wait: with a token endpoint that hangs (a TokenClient
     * without a timeout, or one of ten minutes) the call waits as long as the endpoint does.
     */
    @Test
    void withoutACallTimeoutTheWaitForAStuckRefreshEndsAfterTheSourcesRefreshTimeout() throws Exception {
        TokenClient stuck = new TokenClient() {
            @Override
            public Token refresh(String refreshToken) throws IOException {
                try {
                    answer.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("released by the test");
            }

            @Override
            public Token exchangeCode(String code, URI redirectUri) {
                throw new UnsupportedOperationException();
            }
        };
        RefreshingTokenSource source = RefreshingTokenSource.builder()
                .store(new InMemoryTokenStore(new Token("access-0", "refresh-0", Instant.now().minusSeconds(1))))
                .client(stuck).refreshTimeout(Duration.ofSeconds(1)).closeTimeout(Duration.ofMillis(200)).build();
        try (TestServer server = TestServer.start()) {
            OkHttpClient http = new OkHttpClient.Builder().addInterceptor(new NetatmoAuthInterceptor(source)).build();
            CompletableFuture<Object> call = CompletableFuture.supplyAsync(() -> {
                try (Response r = http.newCall(new Request.Builder().url(server.url("/api/getstationsdata")).build())
                        .execute()) {
                    return r;
                } catch (IOException e) {
                    return e;
                }
            }, threads);
            long start = System.nanoTime();
            Object outcome;
            try {
                outcome = call.get(8, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                outcome = "still waiting after 8 s";
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(outcome instanceof IOException && millis < 5000,
                    "refreshTimeout is 1 s, but the call: " + outcome + " after " + millis + " ms");
        } finally {
            answer.countDown();
            source.close();
        }
    }
}
