package io.github.netatmotoken.core;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

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
     * A token without blocking the caller, for {@code HttpClient.sendAsync}, reactive clients and servers that must
     * not hold a thread: the future completes when a usable token is there.
     *
     * <pre>{@code
     * source.tokenAsync()
     *     .thenCompose(token -> http.sendAsync(request(token), BodyHandlers.ofString()))
     *     .thenAccept(this::handle);
     * }</pre>
     *
     * <p>The default calls {@link #token(Duration) token(Duration.ZERO)} on the caller's thread, which by its
     * contract does not wait, and returns a completed future; only if that throws {@link TokenRefreshException}
     * (there is no token without waiting) does it call {@link #token()} on a new daemon thread. That is right for
     * sources that never block; a source that can block overrides {@code token(Duration)} or this method, as
     * {@link RefreshingTokenSource#tokenAsync()} does.
     *
     * @return a future that completes with a token as {@link #token()} returns it, or exceptionally with what it
     *     would throw; cancelling it stops the wait of this caller only
     */
    default CompletableFuture<Token> tokenAsync() {
        try {
            return CompletableFuture.completedFuture(token(Duration.ZERO));
        } catch (TokenRefreshException e) {
            // No token without waiting: wait on a thread of its own, so that the caller's never blocks.
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Token> result = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                result.complete(token());
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, "netatmo-token-async");
        waiter.setDaemon(true);
        waiter.start();
        return result;
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
