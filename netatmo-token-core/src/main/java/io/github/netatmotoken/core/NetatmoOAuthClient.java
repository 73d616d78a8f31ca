package io.github.netatmotoken.core;

import io.github.netatmotoken.core.internal.AnswerWait;
import io.github.netatmotoken.core.internal.TokenEndpoint;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
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
 * <p>Each token request has one deadline, {@link Builder#timeout(Duration)}, for connecting, sending and reading
 * the status, headers and body, and at most 64 KiB of the answer are read, so a server that trickles or stalls
 * cannot hold a refresh open. An interrupt of the calling thread before the request is sent fails the call at once
 * with an {@link InterruptedIOException}; after that it does not drop the answer, which may hold the only refresh
 * token that still works: the call waits for it (within the deadline) and returns with the thread's interrupt
 * status set.
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
     * The URL to send a user's browser to, so that they grant this app access; NetAtmo then redirects to
     * {@code redirectUri} with {@code code} and {@code state} query parameters.
     *
     * @param redirectUri where NetAtmo sends the browser back, such as {@code http://localhost:9210/auth/callback};
     *     pass the same URI to {@link #exchangeCode(String, URI)}
     * @param scopes for example {@code read_station}, {@code read_homecoach}
     * @param state a random, single-use value that the callback must check
     * @return the authorize URL under the base URL, with the client id, the redirect URI, the scopes, the state
     *     and {@code response_type=code} as query parameters; it holds no secret
     */
    public URI authorizationUrl(URI redirectUri, Set<String> scopes, String state) {
        Objects.requireNonNull(redirectUri, "redirectUri");
        Objects.requireNonNull(scopes, "scopes");
        Objects.requireNonNull(state, "state");
        return TokenEndpoint.authorizationUri(baseUrl, clientId, redirectUri, scopes, state);
    }

    /**
     * @param spentSecret the refresh token or authorization code that the form carries, redacted from any text of
     *     the answer that reaches a message
     */
    private Token post(String form, @Nullable String previousRefreshToken, String spentSecret) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            // Nothing is sent yet, so nothing can be lost: honour the interrupt at once.
            throw new InterruptedIOException("Token request to " + tokenUri + " was not sent: the calling thread"
                    + " is interrupted");
        }
        HttpRequest request = HttpRequest.newBuilder(tokenUri)
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        Instant sentAt = clock.instant();
        AtomicReference<@Nullable BoundedBody> reading = new AtomicReference<>();
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, info -> {
            BoundedBody body = new BoundedBody();
            reading.set(body);
            return body;
        });
        HttpResponse<byte[]> response = await(exchange, deadline, () -> {
            BoundedBody body = reading.get();
            if (body != null) {
                body.abort();
            }
        });
        return TokenEndpoint.parseResponse(response.statusCode(), response.body(), sentAt, previousRefreshToken,
                List.of(clientSecret, spentSecret), tokenUri);
    }

    /**
     * Waits for the whole exchange until {@code deadline}, not a moment longer, and not a moment shorter on an
     * interrupt: once the request may have been sent, NetAtmo may already have rotated the refresh token, and its
     * answer holds the only one that still works. An interrupt is kept for the caller, who stores the token first.
     */
    private HttpResponse<byte[]> await(CompletableFuture<HttpResponse<byte[]>> exchange, long deadline,
            Runnable abortBody) throws TokenRefreshException {
        try {
            return AnswerWait.await(exchange, deadline);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            abortBody.run();
            throw timedOut(e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof HttpTimeoutException) {
                throw timedOut(cause);
            }
            throw new TokenRefreshException("Token request to " + tokenUri + " failed: " + cause
                    + "; check the network, it will be retried", cause);
        }
    }

    private TokenRefreshException timedOut(Throwable cause) {
        return new TokenRefreshException("Token request to " + tokenUri + " timed out after " + timeout
                + " (the deadline for connecting, sending and reading the whole answer); it will be retried", cause);
    }

    @Override
    public String toString() {
        return "NetatmoOAuthClient[clientId=" + clientId + ", baseUrl=" + baseUrl + "]";
    }

    /**
     * Configures a {@link NetatmoOAuthClient}. Defaults:
     * <ul>
     *   <li>{@code baseUrl}: {@code https://api.netatmo.com}</li>
     *   <li>{@code timeout}: 30 seconds, the total deadline of each token request</li>
     *   <li>{@code clock}: the system clock</li>
     *   <li>{@code httpClient}: a new one that follows no redirects</li>
     * </ul>
     * Not thread-safe: configure it on one thread; the client it builds is thread-safe.
     *
     * <pre>{@code
     * NetatmoOAuthClient client = NetatmoOAuthClient.builder()
     *     .clientId(System.getenv("NETATMO_CLIENT_ID"))
     *     .clientSecret(System.getenv("NETATMO_CLIENT_SECRET"))
     *     .timeout(Duration.ofSeconds(10))
     *     .build();   // checks the configuration, throws IllegalStateException naming what is wrong
     * }</pre>
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
         * The total deadline of each token request: connecting, sending, and reading the status, headers and
         * body. A request that has not completed by then fails with a {@link TokenRefreshException}, and its
         * exchange is cancelled.
         *
         * @param timeout more than zero and at most one day, 30 seconds by default; it also applies with
         *     {@link #httpClient(HttpClient)}, whose own connect timeout can only end a request sooner
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder timeout(Duration timeout) {
            this.timeout = DurationRange.POSITIVE.check("timeout", timeout);
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
         * An HTTP client to share (proxy, TLS, executor); the {@linkplain #timeout(Duration) timeout} still bounds
         * each request as a whole.
         *
         * @param httpClient the client to send token requests with. Its redirect policy applies as it is: the
         *     client that the builder would create follows no redirects, because the request carries the client
         *     secret, so prefer {@link HttpClient.Redirect#NEVER} here too
         * @return this builder
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /**
         * Builds the client.
         *
         * @return a new, thread-safe client; the builder can go on to build others
         * @throws IllegalStateException if the client id or secret is missing or blank, the base URL is not
         *     absolute http(s), or the timeout is not positive
         */
        public NetatmoOAuthClient build() {
            TokenEndpoint.checkSettings(clientId, clientSecret, baseUrl);
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalStateException("timeout must be positive, but is " + timeout);
            }
            return new NetatmoOAuthClient(this);
        }
    }
}
