package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RefreshingTokenSource#tokenAsync()} and the default of {@link TokenSource#tokenAsync()}, on real threads. */
class TokenAsyncTest {
    private final FakeClock clock = new FakeClock();
    private final FakeTokenClient client = new FakeTokenClient(clock, Duration.ofHours(3), "refresh-0");
    /** Holds every refresh until the test lets it go; released in {@link #release()} whatever happens. */
    private final CountDownLatch refreshMayAnswer = new CountDownLatch(1);
    private final CountDownLatch refreshStarted = new CountDownLatch(1);
    private RefreshingTokenSource source;

    @AfterEach
    void release() {
        refreshMayAnswer.countDown();
        if (source != null) {
            source.close();
        }
    }

    /** A source whose refreshes run on its own thread and wait for {@link #refreshMayAnswer}. */
    private RefreshingTokenSource source(Token stored, Duration refreshTimeout) throws IOException {
        client.behave(refreshToken -> {
            refreshStarted.countDown();
            try {
                if (!refreshMayAnswer.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("the test never released the refresh");
                }
            } catch (InterruptedException e) {
                throw new InterruptedIOException("interrupted while NetAtmo answered");
            }
            return null;
        });
        source = RefreshingTokenSource.builder().store(new InMemoryTokenStore(stored)).client(client).clock(clock)
                .ticker(clock).scheduler(new ManualScheduler(clock)).refreshTimeout(refreshTimeout)
                .closeTimeout(Duration.ofSeconds(1)).build();
        return source;
    }

    private Token expired() {
        return new Token("access-0", "refresh-0", clock.instant().minusSeconds(1));
    }

    @Test
    void aFreshTokenComesAsACompletedFutureWithoutARefresh() throws Exception {
        Token fresh = new Token("access-0", "refresh-0", clock.instant().plus(Duration.ofHours(1)));
        CompletableFuture<Token> future = source(fresh, Duration.ofSeconds(5)).tokenAsync();
        assertTrue(future.isDone());
        assertSame(fresh, future.get());
        assertEquals(0, client.refreshCount());
    }

    @Test
    void anExpiredTokenCompletesAfterTheRefreshOnNeitherTheCallersNorTheRefreshThread() throws Exception {
        RefreshingTokenSource tokens = source(expired(), Duration.ofSeconds(10));
        AtomicReference<Thread> completedOn = new AtomicReference<>();
        CompletableFuture<Token> future = tokens.tokenAsync();
        CompletableFuture<Token> observed = future.whenComplete((t, e) -> completedOn.set(Thread.currentThread()));
        assertTrue(refreshStarted.await(5, TimeUnit.SECONDS));
        assertFalse(future.isDone(), "no token before NetAtmo answers");

        refreshMayAnswer.countDown();
        // observed first: a get() on future itself may run future's pending stages on this thread once it is done.
        observed.get(5, TimeUnit.SECONDS);
        assertEquals("access-1", future.get(5, TimeUnit.SECONDS).accessToken());
        assertNotEquals(Thread.currentThread(), completedOn.get());
        assertNotEquals("netatmo-token-refresh", completedOn.get().getName());
    }

    @Test
    void manyWaitersShareOneRefresh() throws Exception {
        RefreshingTokenSource tokens = source(expired(), Duration.ofSeconds(10));
        List<CompletableFuture<Token>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(tokens.tokenAsync());
        }
        refreshMayAnswer.countDown();
        for (CompletableFuture<Token> future : futures) {
            assertEquals("access-1", future.get(5, TimeUnit.SECONDS).accessToken());
        }
        assertEquals(1, client.refreshCount());
    }

    @Test
    void aFailedRefreshCompletesTheFutureWithTheRetryableFailure() throws Exception {
        RefreshingTokenSource tokens = source(expired(), Duration.ofSeconds(10));
        client.behave(refreshToken -> {
            throw new TokenRefreshException("HTTP 503 from the fake endpoint", 503, null, null);
        });
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> tokens.tokenAsync().get(5, TimeUnit.SECONDS));
        TokenRefreshException failure = assertInstanceOf(TokenRefreshException.class, e.getCause());
        assertTrue(failure.isRetryable());
        assertTrue(failure.getMessage().contains("HTTP 503"), failure.getMessage());
    }

    @Test
    void aStalledRefreshEndsTheWaitAfterRefreshTimeout() throws Exception {
        RefreshingTokenSource tokens = source(expired(), Duration.ofMillis(300));
        long start = System.nanoTime();
        CompletableFuture<Token> future = tokens.tokenAsync();
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        TokenRefreshException failure = assertInstanceOf(TokenRefreshException.class, e.getCause());
        assertTrue(failure.getMessage().startsWith("Timed out after"), failure.getMessage());
        assertTrue(tookMillis >= 250 && tookMillis < 4000, "took " + tookMillis + " ms");
    }

    @Test
    void cancellingOneFutureLeavesTheRefreshToTheOthers() throws Exception {
        RefreshingTokenSource tokens = source(expired(), Duration.ofSeconds(10));
        CompletableFuture<Token> impatient = tokens.tokenAsync();
        CompletableFuture<Token> patient = tokens.tokenAsync();
        assertTrue(refreshStarted.await(5, TimeUnit.SECONDS));
        assertTrue(impatient.cancel(true));

        refreshMayAnswer.countDown();
        assertEquals("access-1", patient.get(5, TimeUnit.SECONDS).accessToken());
        assertTrue(impatient.isCancelled());
        assertEquals(1, client.refreshCount());
        assertEquals("access-1", tokens.token().accessToken(), "the refresh was not cancelled");
    }

    @Test
    void closeCompletesAWaitingFutureExceptionally() throws Exception {
        RefreshingTokenSource tokens = source(expired(), Duration.ofSeconds(30));
        CompletableFuture<Token> future = tokens.tokenAsync();
        assertTrue(refreshStarted.await(5, TimeUnit.SECONDS));
        tokens.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void withoutATokenTheFutureFailsAtOnceWithNotAuthenticated() throws Exception {
        source = RefreshingTokenSource.builder().store(new InMemoryTokenStore()).client(client).clock(clock)
                .ticker(clock).scheduler(new ManualScheduler(clock)).build();
        CompletableFuture<Token> future = source.tokenAsync();
        assertTrue(future.isCompletedExceptionally());
        ExecutionException e = assertThrows(ExecutionException.class, future::get);
        NotAuthenticatedException failure = assertInstanceOf(NotAuthenticatedException.class, e.getCause());
        assertFalse(failure.isRetryable());
    }

    @Test
    void theDefaultCompletesAtOnceForASourceThatNeverBlocks() throws Exception {
        Token fixed = new Token("fixed", null, null);
        TokenSource fixedSource = new TokenSource() {
            @Override
            public Token token() {
                return fixed;
            }

            @Override
            public void invalidate(Token rejected) {
            }
        };
        CompletableFuture<Token> future = fixedSource.tokenAsync();
        assertTrue(future.isDone());
        assertSame(fixed, future.get());
    }

    @Test
    void theDefaultWaitsOnADaemonThreadOfItsOwnWhenNoTokenIsThereWithoutWaiting() throws Exception {
        CountDownLatch mayAnswer = new CountDownLatch(1);
        AtomicReference<Thread> askedOn = new AtomicReference<>();
        Token later = new Token("later", null, null);
        TokenSource slow = new TokenSource() {
            @Override
            public Token token() throws IOException {
                askedOn.set(Thread.currentThread());
                try {
                    mayAnswer.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                }
                return later;
            }

            @Override
            public Token token(Duration maxWait) throws IOException {
                if (maxWait.isZero()) {
                    throw new TokenRefreshException("would have to wait", null);
                }
                return token();
            }

            @Override
            public void invalidate(Token rejected) {
            }
        };
        CompletableFuture<Token> future = slow.tokenAsync();
        assertFalse(future.isDone());
        mayAnswer.countDown();
        assertSame(later, future.get(5, TimeUnit.SECONDS));
        assertEquals("netatmo-token-async", askedOn.get().getName());
        assertTrue(askedOn.get().isDaemon());
    }

    @Test
    void theDefaultFailsAtOnceWithAPermanentFailure() {
        TokenSource unauthorized = new TokenSource() {
            @Override
            public Token token() throws IOException {
                throw new NotAuthenticatedException("no token yet");
            }

            @Override
            public void invalidate(Token rejected) {
            }
        };
        CompletableFuture<Token> future = unauthorized.tokenAsync();
        assertTrue(future.isCompletedExceptionally());
        ExecutionException e = assertThrows(ExecutionException.class, future::get);
        assertInstanceOf(NotAuthenticatedException.class, e.getCause());
    }
}
