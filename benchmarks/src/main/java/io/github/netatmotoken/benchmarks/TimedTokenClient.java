package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenClient;
import java.io.IOException;
import java.net.URI;

/**
 * Wraps a token client and remembers when the last refresh started and returned, so that a storm can be split into
 * waiting for the refresh thread, the endpoint, and handing the new token to every caller. Thread-safe.
 */
final class TimedTokenClient implements TokenClient {
    private final TokenClient delegate;
    private volatile long refreshStarted;
    private volatile long refreshReturned;

    TimedTokenClient(TokenClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public Token refresh(String refreshToken) throws IOException {
        refreshStarted = System.nanoTime();
        try {
            return delegate.refresh(refreshToken);
        } finally {
            refreshReturned = System.nanoTime();
        }
    }

    @Override
    public Token exchangeCode(String code, URI redirectUri) throws IOException {
        return delegate.exchangeCode(code, redirectUri);
    }

    /** {@link System#nanoTime()} when the last refresh started. */
    long refreshStarted() {
        return refreshStarted;
    }

    /** {@link System#nanoTime()} when the last refresh returned. */
    long refreshReturned() {
        return refreshReturned;
    }
}
