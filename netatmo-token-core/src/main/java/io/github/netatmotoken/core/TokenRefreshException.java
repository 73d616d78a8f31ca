package io.github.netatmotoken.core;

import java.util.Optional;
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
 *
 * <p>One case needs action from whoever stores tokens: NetAtmo may answer a refresh with a new refresh token in a
 * response that is otherwise unusable (no access token, a bad {@code expires_in}, an error next to the token).
 * The refresh token that was sent is spent by then, so {@link #rotatedToken()} carries the new one, and it must
 * be stored like any new token.
 */
public class TokenRefreshException extends NetatmoException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status of the token response, or -1 if there was none. */
    private final int httpStatus;
    /** NetAtmo's error text, or {@code null}. */
    private final @Nullable String error;

    /**
     * For a failure without an HTTP status of its own: a timeout, a network error, or waiting for a refresh that
     * failed (the cause then tells more).
     *
     * @param message what failed, without any token value
     * @param cause the underlying failure, or {@code null}
     */
    public TokenRefreshException(String message, @Nullable Throwable cause) {
        this(message, -1, null, cause);
    }

    /**
     * With the details of the token response, if there was one.
     *
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

    /**
     * The HTTP status of the failed response, or -1 if no response was received.
     *
     * @return the status, such as 429 or 503; -1 for a network failure or a timeout, and when waiting for a
     *     refresh failed (see {@link #getCause()}); a 2xx status means the response could not be understood
     */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * NetAtmo's error text, or {@code null} if there was none.
     *
     * @return the OAuth2 error and its description (such as {@code invalid_request: ...}) or the data API's
     *     {@code code N: message}, which this library cuts to 200 characters without control characters, so that
     *     it is safe to log; {@code null} if the response had none
     */
    public @Nullable String error() {
        return error;
    }

    /**
     * The token to store and use from now on, if the server rotated the refresh token in an answer that was
     * otherwise unusable: the refresh token that was sent is spent, so dropping this one would lock the user out
     * until they authorize again.
     *
     * <pre>{@code
     * } catch (TokenRefreshException e) {
     *     e.rotatedToken().ifPresent(store::save);   // then retry the refresh later, as for any transient failure
     * }
     * }</pre>
     *
     * <p>Neither the message nor {@code toString()} shows its values. It is not serialized: a deserialized
     * exception has none. A custom {@link TokenClient} may override this method to report a rotated token.
     *
     * @return a token with the new refresh token, the response's access token if it had one, and an expiry equal to
     *     when the request was sent, so that it is refreshed at its next use; empty if the refresh token that was
     *     sent is still the one to keep (no response, no new refresh token in it, or an error status)
     */
    public Optional<Token> rotatedToken() {
        return Optional.empty();
    }

    /** {@return {@code true}: the refresh token is still good, and a later attempt may succeed} */
    @Override
    public boolean isRetryable() {
        return true;
    }
}
