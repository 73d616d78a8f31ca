package io.github.netatmotoken.core;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * A refresh or code exchange failed for a reason that may pass: the server answered 5xx or 429, the response
 * could not be understood, or waiting for a refresh timed out. The current token stays in use while it is valid,
 * and the refresh is retried with backoff.
 *
 * <pre>{@code
 * } catch (TokenRefreshException e) {
 *     log.warn("NetAtmo token refresh failed (HTTP {}): {}", e.httpStatus(), e.getMessage());
 * }
 * }</pre>
 */
public class TokenRefreshException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final @Nullable String error;

    /** @param message what failed, without any token value */
    public TokenRefreshException(String message, @Nullable Throwable cause) {
        this(message, -1, null, cause);
    }

    /**
     * @param message what failed, without any token value
     * @param httpStatus the HTTP status of the token response, or -1 if there was none
     * @param error NetAtmo's error text (an OAuth2 error code or message), or {@code null}
     * @param cause the underlying failure, or {@code null}
     */
    public TokenRefreshException(String message, int httpStatus, @Nullable String error,
            @Nullable Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.error = error;
    }

    /** The HTTP status of the failed response, or -1 if no response was received. */
    public int httpStatus() {
        return httpStatus;
    }

    /** NetAtmo's error text, or {@code null} if there was none. */
    public @Nullable String error() {
        return error;
    }
}
