package io.github.netatmotoken.okhttp;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenClient;
import io.github.netatmotoken.core.TokenRefreshException;
import io.github.netatmotoken.core.internal.AnswerWait;
import io.github.netatmotoken.core.internal.TokenEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Authenticator;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
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
 * the token calls share its connection pool, proxy, TLS setup, event listener and connect, read and write timeouts.
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
 * interceptor must not print it), without its authenticator and cache, and follows no redirects. Its body is
 * one-shot: once the request has been sent, OkHttp does not send it again after a connection failure, because
 * NetAtmo invalidates a refresh token the moment it is spent. At most 64 KiB of a response are read.
 *
 * <p>Each token request has one deadline, {@link Builder#timeout(Duration)} (OkHttp's call timeout), for connecting,
 * sending and reading the whole answer. The call runs on a daemon thread of this library
 * ({@code netatmo-token-okhttp}, with a dispatcher of its own, so it never waits for a slot of the application's
 * busy {@link okhttp3.Dispatcher}) while the calling thread waits for it. That is what lets an interrupt spare the
 * answer: Okio aborts any I/O on an interrupted thread, but once the request may have been sent, the answer may
 * hold the only refresh token that still works. So an interrupt of the calling thread before the request is sent
 * fails the call at once with an {@link InterruptedIOException}; after that, the call keeps waiting (within the
 * deadline), returns the token and leaves the thread's interrupt status set.
 *
 * <p>The expiry of a new token counts from the moment the request was sent, so it errs early, never late.
 * {@code toString()} shows the client id and URL, never the secret. This class is thread-safe.
 */
public final class OkHttpTokenClient implements TokenClient {
    private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded; charset=utf-8");
    /**
     * Runs the token calls of every client, so that the calling thread only waits: daemon threads, created when
     * needed and retired after a minute idle, as OkHttp's own dispatcher does.
     */
    private static final ExecutorService TOKEN_THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60,
            TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "netatmo-token-okhttp");
                t.setDaemon(true);
                return t;
            });

    private final String clientId;
    private final String clientSecret;
    private final URI baseUrl;
    private final URI tokenUri;
    private final HttpUrl tokenUrl;
    private final OkHttpClient http;
    private final Clock clock;
    private final Duration timeout;

    private OkHttpTokenClient(Builder b) {
        this.clientId = Objects.requireNonNull(b.clientId);
        this.clientSecret = Objects.requireNonNull(b.clientSecret);
        this.baseUrl = b.baseUrl;
        this.tokenUri = TokenEndpoint.tokenUri(b.baseUrl);
        this.tokenUrl = HttpUrl.get(tokenUri.toString());
        this.clock = b.clock;
        this.timeout = b.timeout;
        OkHttpClient.Builder http = (b.httpClient != null ? b.httpClient : new OkHttpClient()).newBuilder();
        http.interceptors().clear();
        http.networkInterceptors().clear();
        this.http = http
                .authenticator(Authenticator.NONE)
                .cache(null)
                .followRedirects(false)
                .followSslRedirects(false)
                .dispatcher(new Dispatcher(TOKEN_THREADS))
                .callTimeout(b.timeout)
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
        if (Thread.currentThread().isInterrupted()) {
            // Nothing is sent yet, so nothing can be lost: honour the interrupt at once.
            throw new InterruptedIOException("Token request to " + tokenUri + " was not sent: the calling thread"
                    + " is interrupted");
        }
        Request request = new Request.Builder()
                .url(tokenUrl)
                .header("Accept", "application/json")
                .post(new OneShotForm(form.getBytes(StandardCharsets.UTF_8)))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        Instant sentAt = clock.instant();
        Call call = http.newCall(request);
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call failed, IOException e) {
                answer.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call done, Response response) {
                try (response) {
                    answer.complete(new Answer(response.code(), readBounded(response.body())));
                } catch (IOException | RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            }
        });
        Answer received = await(answer, call, deadline);
        return TokenEndpoint.parseResponse(received.status(), received.body(), sentAt, previousRefreshToken,
                List.of(clientSecret, spentSecret), tokenUri);
    }

    /**
     * Waits for the whole exchange until {@code deadline}, and not a moment shorter on an interrupt: once the
     * request may have been sent, NetAtmo may already have rotated the refresh token, and its answer holds the only
     * one that still works. An interrupt is kept for the caller, who stores the token first.
     */
    private Answer await(CompletableFuture<Answer> answer, Call call, long deadline) throws TokenRefreshException {
        try {
            return AnswerWait.await(answer, deadline);
        } catch (TimeoutException e) {
            call.cancel();
            throw timedOut(e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof SocketTimeoutException) {
                throw new TokenRefreshException("Token request to " + tokenUri + " timed out (" + cause
                        + "): a connect, read or write timeout of the OkHttpClient, within the deadline of "
                        + timeout + "; check the network, it will be retried", cause);
            }
            if (cause instanceof InterruptedIOException) {
                throw timedOut(cause); // the call timeout: the dispatcher's threads are never interrupted
            }
            throw new TokenRefreshException("Token request to " + tokenUri + " failed: " + cause
                    + "; check the network, it will be retried", cause);
        }
    }

    private static byte[] readBounded(@Nullable ResponseBody body) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        try (InputStream in = body.byteStream()) {
            return in.readNBytes(TokenEndpoint.MAX_RESPONSE_BYTES);
        }
    }

    private TokenRefreshException timedOut(Throwable cause) {
        return new TokenRefreshException("Token request to " + tokenUri + " timed out after " + timeout
                + " (the deadline for connecting, sending and reading the whole answer); it will be retried", cause);
    }

    @Override
    public String toString() {
        return "OkHttpTokenClient[clientId=" + clientId + ", baseUrl=" + baseUrl + "]";
    }

    /** The status and at most 64 KiB of the body, read on the dispatcher's thread. */
    private record Answer(int status, byte[] body) {
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
     *   <li>{@code timeout}: 30 seconds, the total deadline of each token request</li>
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
        private static final Duration MAX_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);

        private @Nullable OkHttpClient httpClient;
        private @Nullable String clientId;
        private @Nullable String clientSecret;
        private URI baseUrl = TokenEndpoint.DEFAULT_BASE_URL;
        private Clock clock = Clock.systemUTC();
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * The client whose connection pool, proxy, TLS setup and timeouts the token calls use. Its dispatcher,
         * interceptors, authenticator and cache are left out of them; the client itself is not changed.
         *
         * @param httpClient the application's client; its connect, read and write timeouts apply to the token
         *     requests within their {@linkplain #timeout(Duration) deadline}, which replaces its call timeout; its
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
         * Optional: the total deadline of each token request, connecting, sending, and reading the status, headers
         * and body. A request that has not completed by then is cancelled and fails with a
         * {@link TokenRefreshException}; a server that stalls or trickles its answer cannot hold a refresh open.
         *
         * @param timeout at least a millisecond and at most {@code Integer.MAX_VALUE} milliseconds (OkHttp's
         *     limits), 30 seconds by default; it becomes OkHttp's call timeout of the token calls, and the
         *     {@linkplain #httpClient(OkHttpClient) client's} connect, read and write timeouts apply within it
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
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
         * @throws IllegalStateException if the client id or secret is missing or blank, the base URL is not an
         *     absolute http(s) URL, or the timeout is out of range
         */
        public OkHttpTokenClient build() {
            TokenEndpoint.checkSettings(clientId, clientSecret, baseUrl);
            if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalStateException("timeout must be between 1 ms and " + MAX_TIMEOUT + ", but is "
                        + timeout);
            }
            return new OkHttpTokenClient(this);
        }
    }
}
