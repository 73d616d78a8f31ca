package io.github.netatmotoken.core;

import java.io.IOException;
import java.time.Duration;

/**
 * Hands out a token whose access token is usable now. The one to use is {@link RefreshingTokenSource}.
 *
 * <pre>{@code
 * Token token = source.token();
 * HttpResponse<String> response = send(request.header("Authorization", "Bearer " + token.accessToken()));
 * if (response.statusCode() == 401) {
 *     source.invalidate(token);   // the next token() call gets a new one
 * }
 * }</pre>
 *
 * <p>Implementations must be thread-safe.
 */
public interface TokenSource {

    /**
     * Returns a token whose access token is usable now, refreshing it first if needed.
     *
     * @return a token with an access token that has not expired as far as its expiry tells (an unknown expiry
     *     counts as usable); keep it until the request is answered, to pass it to {@link #invalidate(Token)}
     * @throws NotAuthenticatedException if there is no token yet: the user has to authorize first
     * @throws ReauthorizationRequiredException if the token cannot be renewed any more
     * @throws TokenRefreshException if a needed refresh failed for a reason that may pass
     * @throws IOException for other failures to obtain a token
     */
    Token token() throws IOException;

    /**
     * Like {@link #token()}, but waits at most {@code maxWait} for a refresh that a usable token depends on, so
     * that a caller with a deadline of its own (an HTTP call timeout, a request budget) keeps it. A refresh that
     * the caller stops waiting for goes on in the background for the next caller.
     *
     * <p>The default implementation ignores {@code maxWait} and calls {@link #token()}: right for sources that
     * never block, such as a fixed token.
     *
     * @param maxWait the longest this call may wait; zero means "only a token that is usable without waiting"
     * @return a token as {@link #token()} returns it
     * @throws TokenRefreshException if no usable token was there within {@code maxWait}
     * @throws java.io.InterruptedIOException if the thread was interrupted while it waited
     * @throws IOException as {@link #token()} does
     * @throws IllegalArgumentException if {@code maxWait} is negative
     */
    default Token token(Duration maxWait) throws IOException {
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, but is " + maxWait);
        }
        return token();
    }

    /**
     * Tells the source that the server rejected {@code rejected} (HTTP 401, or 403 with NetAtmo error code 2 or
     * 3). Forces a refresh only if {@code rejected} is still the current token, so that many callers rejecting
     * the same token cause one refresh. Never blocks on the network.
     *
     * @param rejected the token whose access token the request carried, as {@link #token()} returned it; if the
     *     source has moved on to another token meanwhile, the call does nothing
     */
    void invalidate(Token rejected);
}
