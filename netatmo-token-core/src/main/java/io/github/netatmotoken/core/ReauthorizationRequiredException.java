package io.github.netatmotoken.core;

import org.jspecify.annotations.Nullable;

/**
 * The token cannot be renewed any more and only a person can fix it by authorizing again: the refresh token is
 * missing, or NetAtmo refused it ({@code invalid_grant}: revoked, already rotated away, or issued to another
 * app) or the client ({@code invalid_client}, {@code unauthorized_client}: wrong client id or secret). Retrying
 * cannot help.
 *
 * <pre>{@code
 * try {
 *     source.token();
 * } catch (ReauthorizationRequiredException e) {
 *     log.error("{} ({})", e.getMessage(), e.error());   // e.g. invalid_grant
 * }
 * }</pre>
 */
public class ReauthorizationRequiredException extends NetatmoException {
    private static final long serialVersionUID = 1L;

    /** The OAuth2 error code, or {@code null} if the failure was found without asking NetAtmo. */
    private final @Nullable String error;

    /** @param message what happened and what to do, without any token value */
    public ReauthorizationRequiredException(String message) {
        this(message, null, null);
    }

    /**
     * @param message what happened and what to do, without any token value
     * @param error the OAuth2 error code such as {@code invalid_grant}, or {@code null}
     * @param cause the underlying failure, or {@code null}
     */
    public ReauthorizationRequiredException(String message, @Nullable String error, @Nullable Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    /**
     * The OAuth2 error code ({@code invalid_grant}, {@code invalid_client}, …), or {@code null}.
     *
     * @return the code that NetAtmo sent, or {@code null} if the state was found without asking NetAtmo (such as
     *     an expired token without a refresh token)
     */
    public @Nullable String error() {
        return error;
    }

    /** {@return {@code false}: retrying cannot help, a user has to authorize again} */
    @Override
    public boolean isRetryable() {
        return false;
    }
}
