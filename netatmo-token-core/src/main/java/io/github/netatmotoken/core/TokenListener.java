package io.github.netatmotoken.core;

import java.io.IOException;
import java.time.Instant;

/**
 * Hears what a {@link RefreshingTokenSource} does with its token, for metrics, status pages and alerts. Every
 * method has an empty default; override the ones you need.
 *
 * <pre>{@code
 * RefreshingTokenSource.builder()
 *     .listener(new TokenListener() {
 *         @Override public void reauthorizationRequired(ReauthorizationRequiredException e) {
 *             alert("NetAtmo needs a new authorization: " + e.getMessage());
 *         }
 *     })
 * }</pre>
 *
 * <p>Callbacks run on the thread that refreshed (usually the source's executor) and must not block; an exception
 * thrown by a callback is logged and ignored. Some come from other threads (a caller of
 * {@link RefreshingTokenSource#setToken(Token)} or {@link RefreshingTokenSource#token()}), so implementations must be
 * thread-safe.
 */
public interface TokenListener {

    /**
     * This source obtained a new token from NetAtmo's token endpoint.
     *
     * @param token the token now handed out; log it only through its {@code toString()}, which shows no token value
     */
    default void refreshed(Token token) {
    }

    /**
     * This source took a token from the store that another process stored: its refresh, or an authorization made
     * through it. No request went to NetAtmo, so a counter of refreshes leaves this out.
     *
     * @param token the token now handed out; log it only through its {@code toString()}, which shows no token value
     */
    default void adopted(Token token) {
    }

    /**
     * A refresh failed for a reason that may pass; the next attempt is due at {@code nextAttempt}.
     *
     * @param error what failed, usually a {@link TokenRefreshException} with the HTTP status; its message holds no
     *     token value
     * @param nextAttempt the earliest time of the next refresh: a random point in the second half of a delay that
     *     starts at 1 second after the first failure and doubles with each further one, up to 5 minutes
     */
    default void refreshFailed(IOException error, Instant nextAttempt) {
    }

    /**
     * The token can no longer be renewed; a person has to authorize again. Told once per such state.
     *
     * @param error why, with NetAtmo's OAuth2 error code (such as {@code invalid_grant}) in
     *     {@link ReauthorizationRequiredException#error()} if it sent one; the message says what to do
     */
    default void reauthorizationRequired(ReauthorizationRequiredException error) {
    }

    /**
     * A new token could not be saved to the store; it is used in memory and the save is retried later.
     *
     * @param error what the store threw; an unchecked exception from the store arrives wrapped in an
     *     {@code IOException}
     */
    default void persistFailed(IOException error) {
    }
}
