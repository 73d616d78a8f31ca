package io.github.netatmotoken.core;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * A response that {@link NetatmoHttpClient} received with a {@link CapturedBody}, with the body the caller's handler
 * made from it; everything else is the response's own.
 *
 * @param <T> the body type of the caller's handler
 */
final class SignedResponse<T> implements HttpResponse<T> {
    private final HttpResponse<?> response;
    private final T body;

    SignedResponse(HttpResponse<?> response, T body) {
        this.response = response;
        this.body = body;
    }

    @Override
    public int statusCode() {
        return response.statusCode();
    }

    @Override
    public HttpRequest request() {
        return response.request();
    }

    /** Intermediate responses (redirects) carry no body in {@code java.net.http}, so their type does not matter. */
    @Override
    @SuppressWarnings("unchecked")
    public Optional<HttpResponse<T>> previousResponse() {
        return response.previousResponse().map(r -> (HttpResponse<T>) r);
    }

    @Override
    public HttpHeaders headers() {
        return response.headers();
    }

    @Override
    public T body() {
        return body;
    }

    @Override
    public Optional<SSLSession> sslSession() {
        return response.sslSession();
    }

    @Override
    public URI uri() {
        return response.uri();
    }

    @Override
    public HttpClient.Version version() {
        return response.version();
    }

    @Override
    public String toString() {
        return response.toString();
    }
}
