/**
 * NetAtmo tokens for OkHttp: {@link io.github.netatmotoken.okhttp.NetatmoAuthInterceptor} signs requests and
 * renews rejected tokens, {@link io.github.netatmotoken.okhttp.OkHttpTokenClient} talks to the token endpoint over
 * the application's own {@link okhttp3.OkHttpClient}, and {@link io.github.netatmotoken.okhttp.NetatmoApiException}
 * describes a failed API call. Works with OkHttp 4.12 and 5.x.
 *
 * <pre>{@code
 * RefreshingTokenSource tokens = RefreshingTokenSource.builder()
 *     .store(new FileTokenStore(Path.of("netatmo-token.json")))
 *     .client(OkHttpTokenClient.builder().clientId(id).clientSecret(secret).build())
 *     .build();
 * OkHttpClient http = new OkHttpClient.Builder().addInterceptor(new NetatmoAuthInterceptor(tokens)).build();
 * }</pre>
 *
 * <p>Everything is non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.netatmotoken.okhttp;

import org.jspecify.annotations.NullMarked;
