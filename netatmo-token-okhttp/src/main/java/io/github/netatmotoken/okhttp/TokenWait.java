package io.github.netatmotoken.okhttp;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenRefreshException;
import io.github.netatmotoken.core.TokenSource;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import okhttp3.Call;
import okio.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * Asks a {@link TokenSource} for a token on behalf of one OkHttp call: for no longer than the call's timeout
 * allows, giving up soon after the call is canceled, and failing only with {@link IOException}s, which is all that
 * OkHttp passes on to an asynchronous call's {@code Callback}. Thread-safe.
 *
 * <p>A thread blocked in the source cannot be woken by {@link Call#cancel()}, so a wait that may block is split
 * into slices of {@link TokenSource#token(Duration)}, and the call is looked at between them. A slice that ends
 * with a {@link TokenRefreshException} no sooner than it was asked to (give or take a millisecond) is taken for the
 * end of the slice; one that ends sooner is the source's own answer (a failed refresh), and the caller gets it. Sources that keep the
 * interface's default {@code token(Duration)} ignore the bound and would block for a whole slice of theirs, so for
 * them there is one plain {@link TokenSource#token()}, as before.
 */
final class TokenWait {
    /** How often a waiting call looks whether it was canceled or is out of time. */
    static final Duration SLICE = Duration.ofMillis(100);
    private static final long SLICE_NANOS = SLICE.toNanos();
    /** A source that counts its wait in milliseconds may end it up to this much early. */
    private static final long EARLY_NANOS = 1_000_000;

    private final TokenSource tokens;
    private final boolean boundedWaits;

    TokenWait(TokenSource tokens) {
        this.tokens = tokens;
        this.boundedWaits = overridesBoundedWait(tokens);
    }

    /**
     * A token for {@code call}, which started at {@code startNanos}; the hot path (a token usable at once) is one
     * call of the source.
     *
     * @throws InterruptedIOException ({@code "timeout"}, as OkHttp's own) if the call's timeout or deadline passed
     *     while it waited
     * @throws IOException ({@code "Canceled"}, as OkHttp's own) if the call was canceled while it waited; the
     *     source's exception if it had no token; an IOException holding a {@link RuntimeException} of the source
     */
    Token token(Call call, long startNanos) throws IOException {
        try {
            return boundedWaits ? sliced(call, startNanos) : tokens.token();
        } catch (RuntimeException e) {
            throw sourceFailure("get a NetAtmo access token from", e);
        }
    }

    /** {@link TokenSource#invalidate(Token)}, with a {@link RuntimeException} turned into an IOException. */
    void invalidate(Token rejected) throws IOException {
        try {
            tokens.invalidate(rejected);
        } catch (RuntimeException e) {
            throw sourceFailure("report a rejected NetAtmo access token to", e);
        }
    }

    private Token sliced(Call call, long startNanos) throws IOException {
        Timeout timeout = call.timeout();
        long timeoutNanos = timeout.timeoutNanos();
        boolean hasDeadline = timeout.hasDeadline();
        boolean bounded = timeoutNanos > 0 || hasDeadline;
        TokenRefreshException lastSlice = null;
        for (;;) {
            long wait = SLICE_NANOS;
            if (bounded) {
                long now = System.nanoTime();
                long remaining = Long.MAX_VALUE;
                if (timeoutNanos > 0) {
                    remaining = timeoutNanos - (now - startNanos);
                }
                if (hasDeadline) {
                    remaining = Math.min(remaining, timeout.deadlineNanoTime() - now);
                }
                if (remaining <= 0) {
                    throw failure(new InterruptedIOException("timeout"), lastSlice);
                }
                wait = Math.min(wait, remaining);
            }
            long asked = System.nanoTime();
            try {
                // The constant on the hot path: no Duration is made unless less than a slice is left.
                return tokens.token(wait == SLICE_NANOS ? SLICE : Duration.ofNanos(wait));
            } catch (TokenRefreshException e) {
                if (System.nanoTime() - asked < wait - EARLY_NANOS) {
                    throw e; // the source's own answer, such as a failed refresh, not the end of the slice
                }
                lastSlice = e;
            }
            if (call.isCanceled()) {
                throw failure(new IOException("Canceled"), lastSlice);
            }
        }
    }

    private static <E extends IOException> E failure(E failure, @Nullable TokenRefreshException lastSlice) {
        if (lastSlice != null) {
            failure.initCause(lastSlice);
        }
        return failure;
    }

    private IOException sourceFailure(String action, RuntimeException e) {
        String why = e.getMessage() != null ? e.getMessage() : e.toString();
        String source = tokens.getClass().getSimpleName();
        return new IOException("Could not " + action + " " + (source.isEmpty() ? tokens.getClass().getName() : source)
                + ": " + why, e);
    }

    /** Whether the source's class has a {@code token(Duration)} of its own, rather than the one that ignores it. */
    private static boolean overridesBoundedWait(TokenSource tokens) {
        try {
            return tokens.getClass().getMethod("token", Duration.class).getDeclaringClass() != TokenSource.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
