package io.github.netatmotoken.core;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One call of {@link RefreshingTokenSource#tokenAsync()} that has to wait for the shared refresh: it waits on no
 * thread. It hangs a copy of the refresh's future (so that neither its timeout nor a cancel reach the refresh
 * itself), bounds that copy by what is left of {@code refreshTimeout}, and completes the caller's future on the
 * executor of {@link CompletableFuture}'s async methods, never on the refresh thread, so that stages the caller adds
 * cannot hold up refreshes. What the caller gets is decided by the source, with the same rules as {@code token()}.
 *
 * <p>Nothing outlives the refresh or the timeout: a cancelled or completed caller's future cancels the copy, which
 * cancels its timer.
 */
final class AsyncTokenWait {
    private final RefreshingTokenSource source;
    private final CompletableFuture<Token> result = new CompletableFuture<>();
    private final Executor executor = result.defaultExecutor();
    /** The snapshot the wait began from; written before each wait starts, read when it ends. */
    private volatile @Nullable TokenSnapshot seen;
    private final AtomicInteger waits = new AtomicInteger();

    AsyncTokenWait(RefreshingTokenSource source) {
        this.source = source;
    }

    /** Takes the first step on the caller's thread (it never blocks) and returns the caller's future. */
    CompletableFuture<Token> start() {
        firstStep();
        return result;
    }

    /**
     * Takes the first step on the executor, for a first step that reads the store (I/O that the caller's thread
     * must not do), and returns the caller's future.
     */
    CompletableFuture<Token> startElsewhere() {
        try {
            executor.execute(this::firstStep);
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    private void firstStep() {
        try {
            Token token = source.tokenWithoutWaiting(this);
            if (token != null) {
                result.complete(token);
            }
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    /**
     * Called by the source: the caller, who saw {@code s}, waits for {@code refresh}. The stages hung here are not
     * kept: {@link #finish} completes the caller's future whatever happens, and the cancel cannot fail.
     */
    @SuppressWarnings("FutureReturnValueIgnored")
    void await(TokenSnapshot s, CompletableFuture<TokenSnapshot> refresh) {
        seen = s;
        waits.incrementAndGet();
        CompletableFuture<TokenSnapshot> waiting = refresh.copy()
                .orTimeout(source.asyncWaitNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((token, failure) -> waiting.cancel(false));
        waiting.whenCompleteAsync(this::finish, executor);
    }

    private void finish(@Nullable TokenSnapshot next, @Nullable Throwable failure) {
        TokenSnapshot s = seen;
        if (result.isDone() || s == null) {
            return;
        }
        try {
            Token token;
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                token = cause instanceof TimeoutException ? source.afterAsyncTimeout(s)
                        : source.afterAsyncFailure(s, cause);
            } else if (next == null) {
                return;
            } else {
                token = source.afterRefresh(s, next, this, waits.get() > 1);
                if (token == null) {
                    return; // waiting once more, see RefreshingTokenSource.joinedBeforeRejection
                }
            }
            result.complete(token);
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
        }
    }
}
