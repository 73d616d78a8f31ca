package io.github.netatmotoken.core;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The body of one response as {@link NetatmoHttpClient} receives it: for a 401 or 403 the first
 * {@value #MAX_CAPTURED_BYTES} bytes, read to memory so that NetAtmo's error code can be looked at before the
 * caller's {@link BodyHandler} sees them; for every other status the caller's own body, untouched.
 *
 * @param <T> the body type of the caller's handler
 */
final class CapturedBody<T> {
    /** NetAtmo's error bodies are about a hundred bytes; a proxy's error page is cut here. */
    static final int MAX_CAPTURED_BYTES = 64 * 1024;

    private final @Nullable T body;
    private final byte @Nullable [] bytes;
    private final @Nullable ResponseInfo info;

    private CapturedBody(@Nullable T body, byte @Nullable [] bytes, @Nullable ResponseInfo info) {
        this.body = body;
        this.bytes = bytes;
        this.info = info;
    }

    /**
     * A handler that captures the body of a 401 or 403 and hands every other body to {@code handler}.
     */
    static <T> BodyHandler<CapturedBody<T>> capturing(BodyHandler<T> handler) {
        return info -> info.statusCode() == 401 || info.statusCode() == 403
                ? BodySubscribers.mapping(new Bounded(MAX_CAPTURED_BYTES), b -> new CapturedBody<T>(null, b, info))
                : BodySubscribers.mapping(handler.apply(info), b -> new CapturedBody<T>(b, null, info));
    }

    /** Whether the body was captured (a 401 or 403), rather than read by the caller's handler. */
    boolean captured() {
        return bytes != null;
    }

    /** The captured bytes; empty if the body went to the caller's handler. */
    byte[] bytes() {
        return bytes == null ? new byte[0] : bytes;
    }

    /** The body as the caller's handler made it: at once, or for a captured body by feeding it the bytes. */
    CompletableFuture<T> body(BodyHandler<T> handler) {
        if (bytes == null) {
            return CompletableFuture.completedFuture(body);
        }
        return replay(handler.apply(Objects.requireNonNull(info)), bytes);
    }

    /** Feeds {@code bytes} to {@code subscriber} as one chunk, under its demand, and returns its body. */
    static <T> CompletableFuture<T> replay(BodySubscriber<T> subscriber, byte[] bytes) {
        AtomicBoolean done = new AtomicBoolean();
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (!done.compareAndSet(false, true)) {
                    return;
                }
                if (n <= 0) {
                    subscriber.onError(new IllegalArgumentException("request(" + n + "): demand must be positive"));
                    return;
                }
                if (bytes.length > 0) {
                    subscriber.onNext(List.of(ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
                }
                subscriber.onComplete();
            }

            @Override
            public void cancel() {
                done.set(true);
            }
        });
        return subscriber.getBody().toCompletableFuture();
    }

    /** Reads at most {@code max} bytes of a body and stops the rest. Called by one publisher thread at a time. */
    static final class Bounded implements BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.@Nullable Subscription subscription;

        Bounded(int max) {
            this.max = max;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                int take = Math.min(item.remaining(), max - out.size());
                byte[] chunk = new byte[take];
                item.get(chunk);
                out.write(chunk, 0, take);
                if (item.hasRemaining()) {
                    Flow.Subscription s = subscription;
                    if (s != null) {
                        s.cancel();
                    }
                    result.complete(out.toByteArray());
                    return;
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }
    }
}
