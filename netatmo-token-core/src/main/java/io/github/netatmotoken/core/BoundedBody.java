package io.github.netatmotoken.core;

import io.github.netatmotoken.core.internal.TokenEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * Collects at most {@link TokenEndpoint#MAX_RESPONSE_BYTES} of a response body, then stops reading: a token answer
 * is a few hundred bytes, and a server that sends more (or sends forever) must not hold the request open. The
 * body is complete at the end of the stream, at the limit, or never if {@link #abort()} is called first.
 * Thread-safe: the HTTP client calls it from its own threads, {@link #abort()} comes from the waiting caller.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.@Nullable Subscription subscription;
    private boolean aborted;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        synchronized (this) {
            if (subscription != null || aborted) {
                s.cancel();
                return;
            }
            subscription = s;
        }
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        Flow.Subscription full;
        synchronized (this) {
            for (ByteBuffer buffer : buffers) {
                int n = Math.min(buffer.remaining(), TokenEndpoint.MAX_RESPONSE_BYTES - bytes.size());
                byte[] chunk = new byte[n];
                buffer.get(chunk);
                bytes.write(chunk, 0, n);
            }
            if (bytes.size() < TokenEndpoint.MAX_RESPONSE_BYTES || body.isDone()) {
                return;
            }
            full = subscription;
        }
        body.complete(snapshot());
        if (full != null) {
            full.cancel();
        }
    }

    @Override
    public void onError(Throwable error) {
        body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        body.complete(snapshot());
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    /** Stops reading, so that the client closes the connection: the caller has given up on the answer. */
    void abort() {
        Flow.Subscription s;
        synchronized (this) {
            aborted = true;
            s = subscription;
        }
        if (s != null) {
            s.cancel();
        }
        body.completeExceptionally(new IOException("the token request was abandoned"));
    }

    private synchronized byte[] snapshot() {
        return bytes.toByteArray();
    }
}
