package io.github.netatmotoken.core;

import java.io.IOException;
import java.net.URI;

/**
 * Talks to the OAuth2 token endpoint: {@link NetatmoOAuthClient} over {@code java.net.http}, or the OkHttp one
 * in the {@code netatmo-token-okhttp} module.
 *
 * <pre>{@code
 * Token first = client.exchangeCode(codeFromCallback, URI.create("http://localhost:9210/auth/callback"));
 * Token next = client.refresh(first.refreshToken());   // first.refreshToken() is dead from now on
 * }</pre>
 *
 * <p>Implementations must be thread-safe.
 */
public interface TokenClient {

    /**
     * Spends {@code refreshToken} for a new token pair. NetAtmo invalidates {@code refreshToken} at once, so the
     * returned token must be stored before anything else happens. If the response carries no refresh token, the
     * returned token keeps {@code refreshToken}.
     *
     * @param refreshToken the refresh token to spend: the newest one, since every earlier one has been rotated away
     * @return the new token, with an access token, a refresh token (the new one, or {@code refreshToken}) and,
     *     if the server sent {@code expires_in}, an expiry counted from when the request was sent
     * @throws ReauthorizationRequiredException if the server refused the refresh token or the client for good
     * @throws TokenRefreshException if the refresh failed for a reason that may pass (5xx, 429, bad response). If
     *     the server answered with a new refresh token in a response that was otherwise unusable (no access token,
     *     a bad {@code expires_in}, an error next to the token), {@code refreshToken} is spent and
     *     {@link TokenRefreshException#rotatedToken()} holds the token to store instead, before the refresh is
     *     retried with it
     * @throws java.io.InterruptedIOException if the calling thread was interrupted before the request was sent.
     *     Once it has been sent, the clients of this library do not drop the answer on an interrupt (the server
     *     may have rotated the refresh token already): they wait for it within their timeout and return with the
     *     thread's interrupt status set, so that the caller stores the token before it honours the interrupt
     * @throws IOException if the server could not be reached
     */
    Token refresh(String refreshToken) throws IOException;

    /**
     * Exchanges an authorization code from the authorize redirect for a first token pair.
     *
     * @param code the {@code code} query parameter that NetAtmo added to the redirect; it can be exchanged once
     * @param redirectUri the same redirect URI that the authorize request named
     * @return the first token, with an access token and normally a refresh token; store it at once, for example
     *     with {@link RefreshingTokenSource#setToken(Token)}
     * @throws ReauthorizationRequiredException if the code or the client was refused
     * @throws TokenRefreshException if the exchange failed for a reason that may pass
     * @throws IOException if the server could not be reached
     */
    Token exchangeCode(String code, URI redirectUri) throws IOException;
}
