package io.github.netatmotoken.core;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The supertype of this library's exceptions, so that a caller can tell "try again later" from "a person has to act"
 * with one method instead of a chain of {@code instanceof}. An {@link IOException}, so that it flows through OkHttp
 * interceptors and {@code java.net.http} as any I/O failure does.
 *
 * <pre>{@code
 * try {
 *     Token token = source.token();
 *     ...
 * } catch (NetatmoException e) {
 *     if (e.isRetryable()) {
 *         scheduleRetry();                 // NetAtmo is slow, rate limited or down; the token is still good
 *     } else {
 *         alert(e.getMessage());           // authorize again, fix the token file or the app's settings
 *     }
 * }
 * }</pre>
 *
 * <p>Whether each kind is retryable:
 * <ul>
 *   <li>{@link TokenRefreshException}: yes. A refresh failed for a reason that may pass (network, timeout, 5xx,
 *       429, a response that could not be understood, a busy store lock).</li>
 *   <li>{@link NotAuthenticatedException}: no. There is no token yet; a user has to authorize.</li>
 *   <li>{@link ReauthorizationRequiredException}: no. NetAtmo refused the refresh token or the client; a user has
 *       to authorize again.</li>
 *   <li>{@link TokenFileException}: no. The token file cannot be read or understood; a person has to fix or
 *       replace it.</li>
 *   <li>{@code NetatmoApiException} of {@code netatmo-token-okhttp}: for a rate limit (HTTP 429, NetAtmo error codes
 *       11 and 26) and server errors (5xx), yes; for everything else (a missing scope, a bad argument), no.</li>
 * </ul>
 * Other {@code IOException}s (a failing store, a closed connection) come as they are and carry no such flag. No
 * message of this family contains a token value or the client secret. Instances are immutable once thrown.
 */
public abstract class NetatmoException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and what to do, without any token value
     * @param cause the underlying failure, or {@code null}
     */
    protected NetatmoException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether trying the same thing again later can succeed without anybody doing anything.
     *
     * @return {@code true} for a transient failure (NetAtmo slow, down or rate limiting, a timeout), after which a
     *     later attempt may succeed; {@code false} if a person has to act first (authorize, fix the token file, the
     *     app's scopes or the request)
     */
    public abstract boolean isRetryable();
}
