package io.github.netatmotoken.core;

import io.github.netatmotoken.core.internal.TokenEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The NetAtmo OAuth2 token endpoint over {@code java.net.http}, so that the core needs no other HTTP library.
 *
 * <pre>{@code
 * NetatmoOAuthClient client = NetatmoOAuthClient.builder()
 *     .clientId(System.getenv("NETATMO_CLIENT_ID"))
 *     .clientSecret(System.getenv("NETATMO_CLIENT_SECRET"))
 *     .build();
 * URI login = client.authorizationUrl(callback, Set.of("read_station"), state);
 * Token token = client.exchangeCode(codeFromCallback, callback);
 * }</pre>
 *
 * <p>The expiry of a new token counts from the moment the request was sent, so it errs early, never late.
 * {@code toString()} shows the client id and URL, never the secret. This class is thread-safe.
 */
public final class NetatmoOAuthClient implements TokenClient {
    private final String clientId;
    private final String clientSecret;
    private final URI baseUrl;
    private final URI tokenUri;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;

    private NetatmoOAuthClient(Builder b) {
        this.clientId = Objects.requireNonNull(b.clientId);
        this.clientSecret = Objects.requireNonNull(b.clientSecret);
        this.baseUrl = b.baseUrl;
        this.tokenUri = TokenEndpoint.tokenUri(b.baseUrl);
        this.timeout = b.timeout;
        this.clock = b.clock;
        this.http = b.httpClient != null ? b.httpClient
                : HttpClient.newBuilder().connectTimeout(b.timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Starts configuring a client. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Token refresh(String refreshToken) throws IOException {
        Objects.requireNonNull(refreshToken, "refreshToken");
        return post(TokenEndpoint.refreshForm(clientId, clientSecret, refreshToken), refreshToken);
    }

    @Override
    public Token exchangeCode(String code, URI redirectUri) throws IOException {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(redirectUri, "redirectUri");
        return post(TokenEndpoint.codeForm(clientId, clientSecret, code, redirectUri), null);
    }

    /**
     * The URL to send a user's browser to, so that they grant this app access; NetAtmo then redirects to
     * {@code redirectUri} with {@code code} and {@code state} query parameters.
     *
     * @param scopes for example {@code read_station}, {@code read_homecoach}
     * @param state a random, single-use value that the callback must check
     */
    public URI authorizationUrl(URI redirectUri, Set<String> scopes, String state) {
        Objects.requireNonNull(redirectUri, "redirectUri");
        Objects.requireNonNull(scopes, "scopes");
        Objects.requireNonNull(state, "state");
        return TokenEndpoint.authorizationUri(baseUrl, clientId, redirectUri, scopes, state);
    }

    private Token post(String form, @Nullable String previousRefreshToken) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(tokenUri)
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        Instant sentAt = clock.instant();
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = in.readNBytes(TokenEndpoint.MAX_RESPONSE_BYTES);
            }
        } catch (HttpTimeoutException e) {
            throw new TokenRefreshException("Token request to " + tokenUri + " timed out after " + timeout
                    + "; it will be retried", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("Token request to " + tokenUri
                    + " was interrupted");
            interrupted.initCause(e);
            throw interrupted;
        } catch (IOException e) {
            throw new TokenRefreshException("Token request to " + tokenUri + " failed: " + e
                    + "; check the network, it will be retried", e);
        }
        return TokenEndpoint.parseResponse(response.statusCode(), body, sentAt, previousRefreshToken, tokenUri);
    }

    @Override
    public String toString() {
        return "NetatmoOAuthClient[clientId=" + clientId + ", baseUrl=" + baseUrl + "]";
    }

    /**
     * Configures a {@link NetatmoOAuthClient}. Defaults:
     * <ul>
     *   <li>{@code baseUrl}: {@code https://api.netatmo.com}</li>
     *   <li>{@code timeout}: 30 seconds for connecting and for each request</li>
     *   <li>{@code clock}: the system clock</li>
     *   <li>{@code httpClient}: a new one that follows no redirects</li>
     * </ul>
     * Not thread-safe.
     */
    public static final class Builder {
        private @Nullable String clientId;
        private @Nullable String clientSecret;
        private URI baseUrl = TokenEndpoint.DEFAULT_BASE_URL;
        private Duration timeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private @Nullable HttpClient httpClient;

        private Builder() {
        }

        /** The app's client id from NetAtmo's developer console. Required. */
        public Builder clientId(String clientId) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
            return this;
        }

        /** The app's client secret. Required; never logged. */
        public Builder clientSecret(String clientSecret) {
            this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
            return this;
        }

        /** The API host, {@code https://api.netatmo.com} by default; a path prefix is kept. */
        public Builder baseUrl(URI baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /** How long to wait for a connection and for each response. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The clock that dates new tokens. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** An HTTP client to share (proxy, TLS, executor); the request timeout still applies. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /**
         * Builds the client.
         *
         * @throws IllegalStateException if the client id or secret is missing or blank, the base URL is not
         *     absolute http(s), or the timeout is not positive
         */
        public NetatmoOAuthClient build() {
            if (clientId == null || clientId.isBlank()) {
                throw new IllegalStateException("clientId is required: the app's client id from"
                        + " https://dev.netatmo.com/apps");
            }
            if (clientSecret == null || clientSecret.isBlank()) {
                throw new IllegalStateException("clientSecret is required: the app's client secret from"
                        + " https://dev.netatmo.com/apps");
            }
            String scheme = baseUrl.getScheme();
            if (!baseUrl.isAbsolute() || baseUrl.getHost() == null
                    || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
                throw new IllegalStateException("baseUrl must be an absolute http or https URL such as"
                        + " https://api.netatmo.com, but is " + baseUrl);
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalStateException("timeout must be positive, but is " + timeout);
            }
            return new NetatmoOAuthClient(this);
        }
    }
}
