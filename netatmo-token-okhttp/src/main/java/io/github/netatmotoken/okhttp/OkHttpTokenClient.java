package io.github.netatmotoken.okhttp;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenClient;
import io.github.netatmotoken.core.TokenRefreshException;
import io.github.netatmotoken.core.internal.TokenEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import okhttp3.Authenticator;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSink;
import org.jspecify.annotations.Nullable;

/**
 * The NetAtmo OAuth2 token endpoint over OkHttp, for applications that already have an {@link OkHttpClient}:
 * the token calls share its connection pool, dispatcher, proxy, TLS setup and timeouts.
 *
 * <pre>{@code
 * OkHttpClient http = new OkHttpClient();
 * RefreshingTokenSource tokens = RefreshingTokenSource.builder()
 *     .store(new FileTokenStore(Path.of("netatmo-token.json")))
 *     .client(OkHttpTokenClient.builder()
 *         .httpClient(http)
 *         .clientId(System.getenv("NETATMO_CLIENT_ID"))
 *         .clientSecret(System.getenv("NETATMO_CLIENT_SECRET"))
 *         .build())
 *     .build();
 * OkHttpClient api = http.newBuilder().addInterceptor(new NetatmoAuthInterceptor(tokens)).build();
 * }</pre>
 *
 * <p>The token request carries the client secret and a refresh token, so it is made without the client's
 * interceptors and network interceptors (a {@link NetatmoAuthInterceptor} must not sign it, and a logging
 * interceptor must not print it), without its authenticator and cache, and follows no redirects. It runs
 * synchronously on the calling thread ({@code Call.execute()}), so it never waits for a slot of a busy
 * {@link okhttp3.Dispatcher}. Its body is one-shot: once the request has been sent, OkHttp does not send it again
 * after a connection failure, because NetAtmo invalidates a refresh token the moment it is spent. At most 64 KiB of
 * a response are read.
 *
 * <p>The expiry of a new token counts from the moment the request was sent, so it errs early, never late.
 * {@code toString()} shows the client id and URL, never the secret. This class is thread-safe.
 */
public final class OkHttpTokenClient implements TokenClient {
    private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded; charset=utf-8");

    private final String clientId;
    private final String clientSecret;
    private final URI baseUrl;
    private final URI tokenUri;
    private final HttpUrl tokenUrl;
    private final OkHttpClient http;
    private final Clock clock;

    private OkHttpTokenClient(Builder b) {
        this.clientId = Objects.requireNonNull(b.clientId);
        this.clientSecret = Objects.requireNonNull(b.clientSecret);
        this.baseUrl = b.baseUrl;
        this.tokenUri = TokenEndpoint.tokenUri(b.baseUrl);
        this.tokenUrl = HttpUrl.get(tokenUri.toString());
        this.clock = b.clock;
        OkHttpClient.Builder http = (b.httpClient != null ? b.httpClient : new OkHttpClient()).newBuilder();
        http.interceptors().clear();
        http.networkInterceptors().clear();
        this.http = http
                .authenticator(Authenticator.NONE)
                .cache(null)
                .followRedirects(false)
                .followSslRedirects(false)
                .build();
    }

    /**
     * Starts configuring a client.
     *
     * @return a builder with the defaults listed at {@link Builder}; the client id and secret must be set
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Token refresh(String refreshToken) throws IOException {
        Objects.requireNonNull(refreshToken, "refreshToken");
        return post(TokenEndpoint.refreshForm(clientId, clientSecret, refreshToken), refreshToken, refreshToken);
    }

    @Override
    public Token exchangeCode(String code, URI redirectUri) throws IOException {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(redirectUri, "redirectUri");
        return post(TokenEndpoint.codeForm(clientId, clientSecret, code, redirectUri), null, code);
    }

    /**
     * @param spentSecret the refresh token or authorization code that the form carries, redacted from any text of
     *     the answer that reaches a message
     */
    private Token post(String form, @Nullable String previousRefreshToken, String spentSecret) throws IOException {
        Request request = new Request.Builder()
                .url(tokenUrl)
                .header("Accept", "application/json")
                .post(new OneShotForm(form.getBytes(StandardCharsets.UTF_8)))
                .build();
        Instant sentAt = clock.instant();
        int status;
        byte[] body;
        try (Response response = http.newCall(request).execute()) {
            status = response.code();
            body = readBounded(response.body());
        } catch (InterruptedIOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            throw new TokenRefreshException("Token request to " + tokenUri + " did not complete in time (" + e
                    + "); check the network and the OkHttpClient's timeouts, it will be retried", e);
        } catch (IOException e) {
            throw new TokenRefreshException("Token request to " + tokenUri + " failed: " + e
                    + "; check the network, it will be retried", e);
        }
        return TokenEndpoint.parseResponse(status, body, sentAt, previousRefreshToken,
                List.of(clientSecret, spentSecret), tokenUri);
    }

    private static byte[] readBounded(ResponseBody body) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        try (InputStream in = body.byteStream()) {
            return in.readNBytes(TokenEndpoint.MAX_RESPONSE_BYTES);
        }
    }

    @Override
    public String toString() {
        return "OkHttpTokenClient[clientId=" + clientId + ", baseUrl=" + baseUrl + "]";
    }

    /** A form body that OkHttp sends at most once: see the class comment. */
    private static final class OneShotForm extends RequestBody {
        private final byte[] content;

        OneShotForm(byte[] content) {
            this.content = content;
        }

        @Override
        public MediaType contentType() {
            return FORM;
        }

        @Override
        public long contentLength() {
            return content.length;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            sink.write(content);
        }

        @Override
        public boolean isOneShot() {
            return true;
        }
    }

    /**
     * Configures an {@link OkHttpTokenClient}. Defaults:
     * <ul>
     *   <li>{@code httpClient}: a new {@code OkHttpClient} with OkHttp's defaults</li>
     *   <li>{@code baseUrl}: {@code https://api.netatmo.com}</li>
     *   <li>{@code clock}: the system clock</li>
     * </ul>
     * Not thread-safe: configure it on one thread; the client it builds is thread-safe.
     *
     * <pre>{@code
     * OkHttpTokenClient client = OkHttpTokenClient.builder()
     *     .httpClient(sharedOkHttpClient)   // its pool, proxy and timeouts; not its interceptors
     *     .clientId(System.getenv("NETATMO_CLIENT_ID"))
     *     .clientSecret(System.getenv("NETATMO_CLIENT_SECRET"))
     *     .build();   // checks the configuration, throws IllegalStateException naming what is wrong
     * }</pre>
     */
    public static final class Builder {
        private @Nullable OkHttpClient httpClient;
        private @Nullable String clientId;
        private @Nullable String clientSecret;
        private URI baseUrl = TokenEndpoint.DEFAULT_BASE_URL;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * The client whose connection pool, dispatcher, proxy, TLS setup and timeouts the token calls use. Its
         * interceptors, authenticator and cache are left out of them; the client itself is not changed.
         *
         * @param httpClient the application's client; its timeouts are the token requests' timeouts, and its
         *     redirect settings are replaced by "follow none", because the request carries the client secret
         * @return this builder
         */
        public Builder httpClient(OkHttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /**
         * The app's client id from NetAtmo's developer console. Required.
         *
         * @param clientId the client id shown at {@code https://dev.netatmo.com/apps}; {@link #build()} rejects a
         *     blank one
         * @return this builder
         */
        public Builder clientId(String clientId) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
            return this;
        }

        /**
         * The app's client secret. Required; never logged.
         *
         * @param clientSecret the client secret shown next to the client id; {@link #build()} rejects a blank one.
         *     Read it from the environment or a secret store, and mind quotes or spaces around the value there
         * @return this builder
         */
        public Builder clientSecret(String clientSecret) {
            this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
            return this;
        }

        /**
         * The API host, {@code https://api.netatmo.com} by default; a path prefix is kept.
         *
         * @param baseUrl an absolute http or https URL; the token endpoint is {@code <baseUrl>/oauth2/token}. Other
         *     values than the default are for test servers and proxies
         * @return this builder
         */
        public Builder baseUrl(URI baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /**
         * The clock that dates new tokens.
         *
         * @param clock the clock whose {@code instant()} the expiry of a new token counts from; tests pass a fake
         *     one, so that expiries are predictable
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the client.
         *
         * @return a new, thread-safe client; the builder can go on to build others
         * @throws IllegalStateException if the client id or secret is missing or blank, or the base URL is not an
         *     absolute http(s) URL
         */
        public OkHttpTokenClient build() {
            TokenEndpoint.checkSettings(clientId, clientSecret, baseUrl);
            return new OkHttpTokenClient(this);
        }
    }
}
