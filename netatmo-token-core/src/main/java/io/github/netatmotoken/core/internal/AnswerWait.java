package io.github.netatmotoken.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for the answer to a token request that may have been sent. <b>Not a public API</b>: it is public only for
 * {@code netatmo-token-okhttp}, like {@link TokenEndpoint}.
 *
 * <p>Once the request may have been sent, NetAtmo may already have rotated the refresh token, and its answer holds
 * the only one that still works: so the wait lasts until the answer or the deadline, and not a moment shorter on an
 * interrupt. The interrupt is kept for the caller (the flag is set again on return), who stores the token first.
 *
 * <pre>{@code
 * long deadline = System.nanoTime() + timeout.toNanos();
 * HttpResponse<byte[]> response = AnswerWait.await(http.sendAsync(request, handler), deadline);
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class AnswerWait {
    private AnswerWait() {
    }

    /**
     * The answer, waiting at most until {@code deadline} whatever interrupts arrive meanwhile.
     *
     * @param <T> the answer's type
     * @param answer completes with the answer or the exchange's failure
     * @param deadline the {@link System#nanoTime()} after which the wait gives up
     * @return the answer
     * @throws TimeoutException if the deadline passed first; the caller cancels the exchange
     * @throws ExecutionException with the exchange's failure as the cause
     */
    public static <T> T await(CompletableFuture<T> answer, long deadline) throws TimeoutException, ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        throw new TimeoutException();
                    }
                    return answer.get(remaining, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
