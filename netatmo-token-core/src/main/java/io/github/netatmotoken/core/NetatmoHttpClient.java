package io.github.netatmotoken.core;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code java.net.http} requests to NetAtmo's API with the access token of a {@link TokenSource}, and renews
 * the token once when NetAtmo rejects it: what the OkHttp module's interceptor does, for programs without OkHttp.
 *
 * <pre>{@code
 * HttpClient http = HttpClient.newHttpClient();
 * NetatmoHttpClient netatmo = new NetatmoHttpClient(http, tokens);   // tokens: a RefreshingTokenSource
 * HttpRequest request = HttpRequest.newBuilder(URI.create("https://api.netatmo.com/api/getstationsdata")).build();
 * HttpResponse<String> stations = netatmo.send(request, HttpResponse.BodyHandlers.ofString());
 * netatmo.sendAsync(request, HttpResponse.BodyHandlers.ofString())     // blocks no thread, not even for a refresh
 *     .thenAccept(response -> ...);
 * }</pre>
 *
 * <p>What it does with each request:
 * <ul>
 *   <li>A request that already has an {@code Authorization} header is sent untouched.</li>
 *   <li>Otherwise it gets {@code Authorization: Bearer <access token>}: from {@link TokenSource#token()} for
 *       {@link #send}, from {@link TokenSource#tokenAsync()} for {@link #sendAsync}. If there is no usable token,
 *       the call fails with the source's exception (such as {@link NotAuthenticatedException}) before anything is
 *       sent.</li>
 *   <li>If NetAtmo rejects the token ({@link NetatmoApiError#isTokenRejection(int, byte[])}: HTTP 401, or 403 with
 *       error code 2 or 3; never codes 13 and 26), the token is {@linkplain TokenSource#invalidate(Token)
 *       invalidated} and the request is sent once more with a new one. There is never a second retry: if the
 *       retry is rejected too, the caller gets that response. Nor is a request retried when the source hands out
 *       the rejected token again.</li>
 *   <li>A request is sent twice only if its body can be sent twice. The JDK's own publishers can be read again
 *       (the client itself sends them again on redirects), but only those whose length is known are counted as
 *       such: no body, {@code BodyPublishers.noBody()}, {@code ofString}, {@code ofByteArray}, {@code ofFile}. A
 *       body of unknown length ({@code ofInputStream}, {@code fromPublisher} without a length) is sent once; its
 *       caller gets the rejection, and the next request uses the new token. A publisher with a known length that
 *       can be read only once ({@code fromPublisher(p, length)} over a one-time stream) must not be used.</li>
 *   <li>The body of a 401 or 403 is read to memory first (NetAtmo's are about a hundred bytes; at most 64 KiB, a
 *       longer one such as a proxy's error page is cut there) and then handed to the caller's
 *       {@link BodyHandler}, so that the response the caller gets is complete. Every other response goes to the
 *       handler as it arrives.</li>
 *   <li>Each send has the request's own {@linkplain HttpRequest#timeout() timeout}; the wait for a token is
 *       bounded by the source (a {@code RefreshingTokenSource}'s {@code refreshTimeout}).</li>
 * </ul>
 *
 * <p>Use it only for NetAtmo: it sends the token with every request that has no {@code Authorization} header of its
 * own. The token never appears in a log line or exception of this class. An access token that no HTTP header can
 * carry fails the call with an {@link IllegalArgumentException} that does not name it, and nothing is sent. This class is thread-safe; one instance
 * serves any number of concurrent requests, and many requests rejected with the same token cause one refresh.
 */
public final class NetatmoHttpClient {
    private static final Logger log = LoggerFactory.getLogger(NetatmoHttpClient.class);
    private static final String AUTHORIZATION = "Authorization";

    private final HttpClient http;
    private final TokenSource tokens;

    /**
     * A client that sends through {@code http} with the tokens of {@code tokens}.
     *
     * @param http the client that sends the requests, configured as the caller likes (its executor, proxy,
     *     connect timeout); it is shared, not closed by this class
     * @param tokens the source to ask for a token on every request and to tell about rejected ones, usually a
     *     {@link RefreshingTokenSource}; share one source among all clients that use the same token
     */
    public NetatmoHttpClient(HttpClient http, TokenSource tokens) {
        this.http = Objects.requireNonNull(http, "http");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /**
     * Sends {@code request} with the access token and waits for the response, renewing the token and sending the
     * request once more if NetAtmo rejects it.
     *
     * @param <T> the body type
     * @param request the request to NetAtmo's API, without an {@code Authorization} header (one that has it is
     *     sent as it is)
     * @param handler what to make of the response body
     * @return the response NetAtmo sent, the retry's if the request was sent again
     * @throws IOException the source's exception if there is no usable token (such as
     *     {@link NotAuthenticatedException} or {@link TokenRefreshException}), or {@link HttpClient#send}'s
     * @throws InterruptedException if the thread was interrupted while it waited for the response
     */
    public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
            throws IOException, InterruptedException {
        Objects.requireNonNull(handler, "handler");
        if (request.headers().firstValue(AUTHORIZATION).isPresent()) {
            return http.send(request, handler);
        }
        Token used = usable(tokens.token());
        HttpResponse<CapturedBody<T>> first = http.send(signed(request, used), CapturedBody.capturing(handler));
        if (!retries(request, used, first)) {
            return withBody(first, handler);
        }
        Token fresh = usable(tokens.token());
        if (Objects.equals(fresh.accessToken(), used.accessToken())) {
            log.warn("NetAtmo rejected the access token ({}), and the token source still hands out the same one;"
                    + " not retried", rejection(request, first));
            return withBody(first, handler);
        }
        log.debug("NetAtmo rejected the access token ({}); retrying once with a new one", rejection(request, first));
        return http.send(signed(request, fresh), handler);
    }

    /**
     * Like {@link #send}, without blocking any thread: the token comes from {@link TokenSource#tokenAsync()}, and
     * the response from {@link HttpClient#sendAsync}.
     *
     * @param <T> the body type
     * @param request the request to NetAtmo's API, without an {@code Authorization} header
     * @param handler what to make of the response body
     * @return a future of the response NetAtmo sent (the retry's if the request was sent again); it completes
     *     exceptionally with what {@link #send} would throw. Cancelling it does not stop a token refresh that other
     *     callers wait for
     */
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
        Objects.requireNonNull(handler, "handler");
        if (request.headers().firstValue(AUTHORIZATION).isPresent()) {
            return http.sendAsync(request, handler);
        }
        return tokens.tokenAsync().thenCompose(token -> {
            Token used = usableUnchecked(token);
            return http.sendAsync(signed(request, used), CapturedBody.capturing(handler))
                    .thenCompose(first -> {
                        if (!retries(request, used, first)) {
                            return withBodyAsync(first, handler);
                        }
                        return tokens.tokenAsync().thenCompose(next -> {
                            Token fresh = usableUnchecked(next);
                            if (Objects.equals(fresh.accessToken(), used.accessToken())) {
                                log.warn("NetAtmo rejected the access token ({}), and the token source still hands"
                                        + " out the same one; not retried", rejection(request, first));
                                return withBodyAsync(first, handler);
                            }
                            log.debug("NetAtmo rejected the access token ({}); retrying once with a new one",
                                    rejection(request, first));
                            return http.sendAsync(signed(request, fresh), handler);
                        });
                    });
        });
    }

    /**
     * Whether {@code first} rejected the token and the request can be sent again; the token is invalidated for a
     * rejection either way.
     */
    private <T> boolean retries(HttpRequest request, Token used, HttpResponse<CapturedBody<T>> first) {
        CapturedBody<T> body = first.body();
        if (!body.captured() || !NetatmoApiError.isTokenRejection(first.statusCode(), body.bytes())) {
            return false;
        }
        tokens.invalidate(used);
        if (!replayable(request)) {
            log.info("NetAtmo rejected the access token ({}). Not retried because the request body has no known"
                    + " length and may not be readable twice; the next request uses a new token",
                    rejection(request, first));
            return false;
        }
        return true;
    }

    /** Whether the body can be sent again: none, or one whose length is known (the JDK's replayable publishers). */
    static boolean replayable(HttpRequest request) {
        return request.bodyPublisher().map(p -> p.contentLength() >= 0).orElse(true);
    }

    /**
     * {@code request} with the token. The JDK names a header value it refuses in its exception: for an access token
     * with a character no header can carry (a control character from a hand-edited token file), that would be the
     * token, so the exception is replaced by one that does not name it, without the JDK's as its cause.
     */
    private static HttpRequest signed(HttpRequest request, Token token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(request, (name, value) -> true);
        try {
            builder.setHeader(AUTHORIZATION, "Bearer " + token.accessToken());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The access token has a character that an HTTP header cannot carry"
                    + " (a control character?); nothing was sent. Check the token store");
        }
        return builder.build();
    }

    private Token usable(Token token) throws NotAuthenticatedException {
        if (token == null || !token.hasAccessToken()) {
            throw new NotAuthenticatedException("The token source " + tokens.getClass().getName() + " returned no"
                    + " access token; authorize this app with NetAtmo first");
        }
        return token;
    }

    private Token usableUnchecked(Token token) {
        try {
            return usable(token);
        } catch (NotAuthenticatedException e) {
            throw new CompletionException(e);
        }
    }

    private static <T> HttpResponse<T> withBody(HttpResponse<CapturedBody<T>> response, BodyHandler<T> handler)
            throws IOException, InterruptedException {
        try {
            return new SignedResponse<>(response, response.body().body(handler).get());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("The body handler failed on the body of HTTP " + response.statusCode() + ": "
                    + cause, cause);
        }
    }

    private static <T> CompletableFuture<HttpResponse<T>> withBodyAsync(HttpResponse<CapturedBody<T>> response,
            BodyHandler<T> handler) {
        return response.body().body(handler).thenApply(body -> new SignedResponse<>(response, body));
    }

    private static String rejection(HttpRequest request, HttpResponse<?> response) {
        return "HTTP " + response.statusCode() + " for " + request.method() + " " + request.uri().getRawPath();
    }

    @Override
    public String toString() {
        return "NetatmoHttpClient[" + tokens.getClass().getSimpleName() + "]";
    }
}
