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
 * thrown by a callback is logged and ignored.
 */
public interface TokenListener {

    /** A new token was obtained (by refresh, or adopted from the store after another process refreshed). */
    default void refreshed(Token token) {
    }

    /** A refresh failed for a reason that may pass; the next attempt is due at {@code nextAttempt}. */
    default void refreshFailed(IOException error, Instant nextAttempt) {
    }

    /** The token can no longer be renewed; a person has to authorize again. Told once per such state. */
    default void reauthorizationRequired(ReauthorizationRequiredException error) {
    }

    /** A new token could not be saved to the store; it is used in memory and the save is retried later. */
    default void persistFailed(IOException error) {
    }
}
