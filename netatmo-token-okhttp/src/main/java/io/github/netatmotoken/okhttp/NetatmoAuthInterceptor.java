package io.github.netatmotoken.okhttp;

import io.github.netatmotoken.core.NetatmoApiError;
import io.github.netatmotoken.core.NotAuthenticatedException;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenSource;
import java.io.IOException;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Signs every request of an {@link okhttp3.OkHttpClient} with a NetAtmo access token, and renews the token once
 * when NetAtmo rejects it.
 *
 * <pre>{@code
 * RefreshingTokenSource tokens = RefreshingTokenSource.builder()
 *     .store(new FileTokenStore(Path.of("netatmo-token.json")))
 *     .client(OkHttpTokenClient.builder().clientId(id).clientSecret(secret).build())
 *     .build();
 * OkHttpClient http = new OkHttpClient.Builder()
 *     .addInterceptor(new NetatmoAuthInterceptor(tokens))
 *     .build();
 * Response stations = http.newCall(new Request.Builder()
 *     .url("https://api.netatmo.com/api/getstationsdata").build()).execute();
 * }</pre>
 *
 * <p>What it does with each request:
 * <ul>
 *   <li>A request that already has an {@code Authorization} header is sent untouched.</li>
 *   <li>Otherwise it gets {@code Authorization: Bearer <access token>} from the {@link TokenSource}. If there
 *       is no usable token, the call fails with the source's exception (such as
 *       {@link NotAuthenticatedException} or {@link io.github.netatmotoken.core.ReauthorizationRequiredException})
 *       before anything is sent.</li>
 *   <li>Waiting for the token (while the source refreshes it) is part of the call: the wait ends when the call's
 *       {@linkplain okhttp3.OkHttpClient.Builder#callTimeout(java.time.Duration) timeout} or
 *       {@linkplain okhttp3.Call#timeout() deadline} passes, with the {@link java.io.InterruptedIOException}
 *       {@code "timeout"} that OkHttp gives for a call timeout, and within about 0.1 seconds of
 *       {@link okhttp3.Call#cancel()}, with OkHttp's {@code IOException "Canceled"}; nothing is sent then. This
 *       holds for {@code execute()} and {@code enqueue()}, with a source that implements
 *       {@link TokenSource#token(java.time.Duration)}; a source that keeps its default waits as long as
 *       {@link TokenSource#token()} does. Without a call timeout or deadline, the wait lasts as long as the
 *       source lets it (its {@code refreshTimeout}, for a {@code RefreshingTokenSource}), and
 *       {@code cancel()} still ends it.</li>
 *   <li>If NetAtmo rejects the token (HTTP 401, or HTTP 403 with error code 2 "invalid" or 3 "expired": the rule
 *       of {@link NetatmoApiError#isTokenRejection(int, byte[])}), the
 *       token is {@linkplain TokenSource#invalidate(Token) invalidated} and the request is sent once more with a
 *       new one. There is never a second retry: if the retry is rejected too, the caller gets that response. If no
 *       new token can be had, the call fails with the {@code TokenSource}'s exception, which says why. A request
 *       with a {@linkplain RequestBody#isOneShot() one-shot} body is not retried; its caller gets the rejection
 *       and the next call uses the new token. Nor is a request retried when the source hands out the rejected
 *       token again.</li>
 *   <li>Every other response, including HTTP 401 or 403 with code 13 (missing scope) or 26 (usage limit
 *       reached), reaches the caller unchanged, and nothing is refreshed: a new token would not help.</li>
 *   <li>A response that reaches the caller is the one NetAtmo sent, with its whole body still to be read: the
 *       interceptor only peeks at the first 16 KiB of a 401 or 403 for NetAtmo's error code.</li>
 *   <li>The call fails only with {@link IOException}s, which OkHttp passes to an asynchronous call's
 *       {@code Callback.onFailure}: a {@link RuntimeException} of the source, such as the
 *       {@link IllegalStateException} of a closed {@code RefreshingTokenSource}, arrives as an
 *       {@code IOException} that names the source and says what failed, with the original as its cause.</li>
 * </ul>
 *
 * <p>Add it with {@code addInterceptor} (as a network interceptor it fails every call with an
 * {@link IOException} that says so), and only to clients that talk to NetAtmo: it sends the token with every
 * request that has no {@code Authorization} header of its own. OkHttp drops the header when it follows a redirect
 * to another host.
 *
 * <p>This class is thread-safe; one instance serves any number of concurrent calls, and many calls rejected with
 * the same token cause one refresh (the {@code TokenSource}'s {@code invalidate} guarantees it).
 */
public final class NetatmoAuthInterceptor implements Interceptor {
    private static final Logger log = LoggerFactory.getLogger(NetatmoAuthInterceptor.class);

    private static final String AUTHORIZATION = "Authorization";

    private final TokenSource source;
    private final TokenWait tokens;

    /**
     * The header value of the token last used, so that the hot path does not build the same string for every
     * call. Racy on purpose: a stale or lost write only costs one string.
     */
    private volatile @Nullable Bearer last;

    /**
     * An interceptor that takes its tokens from {@code tokens}, usually a {@code RefreshingTokenSource}.
     *
     * @param tokens the source to ask for a token on every request and to tell about rejected ones; share one
     *     source among all clients that use the same token, so that one refresh serves them all
     */
    public NetatmoAuthInterceptor(TokenSource tokens) {
        this.source = Objects.requireNonNull(tokens, "tokens");
        this.tokens = new TokenWait(tokens);
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        long start = System.nanoTime();
        if (chain.connection() != null) {
            // Only network interceptors see a connection; there, a retry would break OkHttp's contract. An
            // IOException, not an IllegalStateException: OkHttp hands only IOExceptions to an async Callback.
            throw new IOException("NetatmoAuthInterceptor must be added with"
                    + " OkHttpClient.Builder.addInterceptor, not addNetworkInterceptor");
        }
        Request request = chain.request();
        if (request.header(AUTHORIZATION) != null) {
            return chain.proceed(request);
        }
        Token used = usableToken(chain, start);
        Response response = chain.proceed(authorized(request, used));
        int code = response.code();
        if (code != 401 && code != 403) {
            return response;
        }
        return retryIfRejected(chain, request, used, response, start);
    }

    /**
     * The slow path: only for 401 and 403. A response that reaches the caller is the one NetAtmo sent, its body
     * unread (only peeked at); it is closed only when the request is sent again.
     */
    private Response retryIfRejected(Chain chain, Request request, Token used, Response response, long start)
            throws IOException {
        NetatmoApiError error;
        try {
            byte[] body = response.peekBody(NetatmoApiError.MAX_BODY_BYTES).bytes();
            if (!NetatmoApiError.isTokenRejection(response.code(), body)) {
                return response;
            }
            error = NetatmoApiError.parse(body).orElse(null);
            String rejection = "HTTP " + response.code() + (error == null ? "" : " (NetAtmo error code "
                    + error.code() + ")") + " for " + request.method() + " " + request.url().encodedPath();
            tokens.invalidate(used);
            RequestBody requestBody = request.body();
            if (requestBody != null && requestBody.isOneShot()) {
                log.info("NetAtmo rejected the access token: {}. Not retried because the request body is"
                        + " one-shot; the next call uses a new token", rejection);
                return response;
            }
            Token fresh = usableToken(chain, start);
            if (Objects.equals(fresh.accessToken(), used.accessToken())) {
                log.warn("NetAtmo rejected the access token: {}, and the token source still hands out the same"
                        + " one; not retried", rejection);
                return response;
            }
            response.close();
            log.debug("NetAtmo rejected the access token: {}; retrying once with a new one", rejection);
            return chain.proceed(authorized(request, fresh));
        } catch (IOException | RuntimeException e) {
            response.close();
            throw e;
        }
    }

    private Token usableToken(Chain chain, long start) throws IOException {
        Token token = tokens.token(chain.call(), start);
        if (token == null || !token.hasAccessToken()) {
            throw new NotAuthenticatedException("The token source " + source.getClass().getName() + " returned no"
                    + " access token; authorize this app with NetAtmo first");
        }
        return token;
    }

    private Request authorized(Request request, Token token) {
        Bearer bearer = last;
        if (bearer == null || !bearer.isFor(token)) {
            bearer = new Bearer(token, "Bearer " + token.accessToken());
            last = bearer;
        }
        return request.newBuilder().header(AUTHORIZATION, bearer.headerValue).build();
    }

    @Override
    public String toString() {
        return "NetatmoAuthInterceptor[" + source.getClass().getSimpleName() + "]";
    }

    /** A token and its header value; never printed. */
    private static final class Bearer {
        final Token token;
        final String headerValue;

        Bearer(Token token, String headerValue) {
            this.token = token;
            this.headerValue = headerValue;
        }

        /** Identity, not equality: the source hands out the same instance until it refreshes. */
        @SuppressWarnings("ReferenceEquality")
        boolean isFor(Token other) {
            return token == other;
        }
    }
}
