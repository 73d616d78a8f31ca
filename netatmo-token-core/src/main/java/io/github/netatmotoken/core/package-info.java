/**
 * Keeps NetAtmo API tokens alive: {@link io.github.netatmotoken.core.Token} is the value,
 * {@link io.github.netatmotoken.core.FileTokenStore} keeps it in the Go netatmo-exporter's token file,
 * {@link io.github.netatmotoken.core.RefreshingTokenSource} hands out valid tokens and refreshes them once at a time,
 * and {@link io.github.netatmotoken.core.NetatmoOAuthClient} talks to NetAtmo's OAuth2 endpoint.
 *
 * <pre>{@code
 * RefreshingTokenSource tokens = RefreshingTokenSource.builder()
 *     .store(new FileTokenStore(Path.of("netatmo-token.json")))
 *     .client(NetatmoOAuthClient.builder().clientId(id).clientSecret(secret).build())
 *     .build();
 * String bearer = tokens.token().accessToken();
 * }</pre>
 *
 * <p>Everything is non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.netatmotoken.core;

import org.jspecify.annotations.NullMarked;
