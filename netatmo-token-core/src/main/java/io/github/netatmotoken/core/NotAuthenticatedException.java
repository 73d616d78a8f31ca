package io.github.netatmotoken.core;

/**
 * There is no token yet: a user has to authorize this application with NetAtmo first (the authorize flow, or a
 * refresh token pasted from NetAtmo's token generator), and hand the result to
 * {@link RefreshingTokenSource#setToken(Token)}.
 *
 * <pre>{@code
 * try {
 *     source.token();
 * } catch (NotAuthenticatedException e) {
 *     showLoginLink();
 * }
 * }</pre>
 */
public class NotAuthenticatedException extends NetatmoException {
    private static final long serialVersionUID = 1L;

    /** @param message what is missing and how to authorize, without any token value */
    public NotAuthenticatedException(String message) {
        super(message, null);
    }

    /** {@return {@code false}: a user has to authorize first} */
    @Override
    public boolean isRetryable() {
        return false;
    }
}
