package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenRefreshException;
import io.github.netatmotoken.core.TokenSource;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A source whose refresh is stuck until the test ends it with {@link #finish(String)} or {@link #fail}: every
 * caller waits for it, {@link #token()} up to the source's refresh timeout and {@link #token(Duration)} up to
 * {@code maxWait} as well, and then gets a {@link TokenRefreshException}, as {@code RefreshingTokenSource} does.
 * Thread-safe.
 */
final class StuckTokenSource implements TokenSource {
    private final Duration refreshTimeout;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Semaphore waits = new Semaphore(0);
    private final AtomicInteger calls = new AtomicInteger();
    private volatile Token token;
    private volatile IOException failure;

    StuckTokenSource(Duration refreshTimeout) {
        this.refreshTimeout = refreshTimeout;
    }

    /** A source that is not stuck at all: it hands out {@code accessToken} at once. */
    static StuckTokenSource finished(String accessToken) {
        StuckTokenSource source = new StuckTokenSource(Duration.ofMinutes(1));
        source.finish(accessToken);
        return source;
    }

    @Override
    public Token token() throws IOException {
        return token(refreshTimeout);
    }

    @Override
    public Token token(Duration maxWait) throws IOException {
        calls.incrementAndGet();
        waits.release();
        Duration wait = maxWait.compareTo(refreshTimeout) < 0 ? maxWait : refreshTimeout;
        try {
            if (!finished.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TokenRefreshException("Timed out after " + wait + " waiting for the NetAtmo token refresh",
                        new TimeoutException());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the refresh");
        }
        if (failure != null) {
            throw failure;
        }
        return token;
    }

    @Override
    public void invalidate(Token rejected) {
    }

    /** Ends the refresh with a new token: every waiting caller gets it. */
    void finish(String accessToken) {
        token = new Token(accessToken, "refresh-for-" + accessToken, Instant.parse("2030-01-01T00:00:00Z"));
        finished.countDown();
    }

    /** Ends the refresh with a failure: every waiting caller gets it. */
    void fail(IOException failure) {
        this.failure = failure;
        finished.countDown();
    }

    /** Waits until callers have started {@code count} more waits (each slice is one), up to 10 seconds. */
    void awaitWaits(int count) throws InterruptedException {
        assertTrue(waits.tryAcquire(count, 10, TimeUnit.SECONDS), "no caller waited for the token");
    }

    /** How often {@link #token()} or {@link #token(Duration)} was called. */
    int calls() {
        return calls.get();
    }
}
