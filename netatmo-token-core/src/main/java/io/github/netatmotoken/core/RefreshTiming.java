package io.github.netatmotoken.core;

import java.time.Duration;

/**
 * The time arithmetic of {@link RefreshingTokenSource}: when a token stops being fresh and usable, how long to
 * back off after a failure, and when to look again. A pure function of the times it is given, so that each rule
 * is tested on its own.
 *
 * <p>Two kinds of time meet here, and are never mixed:
 * <ul>
 *   <li>Expiries are absolute instants in wall-clock milliseconds ({@link java.time.Clock#millis()}): a token
 *       expires at a time NetAtmo decided, whatever the local clock did meanwhile.</li>
 *   <li>Backoff, minimum intervals and retry schedules are elapsed nanoseconds ({@link Ticker}): a wall clock
 *       stepped back by an hour must not stop retries for an hour.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
final class RefreshTiming {
    /** The longest the background check sleeps, so that a machine waking from sleep or a clock step is noticed. */
    static final long MAX_CHECK_NANOS = Duration.ofMinutes(1).toNanos();
    /** The shortest delay of a background check: never a busy loop, whatever the times say. */
    static final long MIN_CHECK_NANOS = Duration.ofMillis(10).toNanos();

    static final long MIN_BACKOFF_NANOS = Duration.ofSeconds(1).toNanos();
    static final long MAX_BACKOFF_NANOS = Duration.ofMinutes(5).toNanos();
    static final long MAX_SAVE_BACKOFF_NANOS = Duration.ofMinutes(1).toNanos();

    private final long refreshMarginMillis;
    private final long expiryMarginMillis;
    private final long minRefreshIntervalNanos;

    RefreshTiming(Duration refreshMargin, Duration expiryMargin, Duration minRefreshInterval) {
        this.refreshMarginMillis = refreshMargin.toMillis();
        this.expiryMarginMillis = expiryMargin.toMillis();
        this.minRefreshIntervalNanos = minRefreshInterval.toNanos();
    }

    /**
     * The deadlines of a token that expires at {@code expiresAt}, both in wall-clock milliseconds.
     *
     * @param freshUntil until then the token is handed out without a thought
     * @param usableUntil until then it is handed out while a refresh runs in the background; after it callers wait
     */
    record Deadlines(long freshUntil, long usableUntil) {
    }

    /**
     * When a token stops being fresh and usable.
     *
     * @param expiresAt the expiry in epoch milliseconds; {@link Long#MAX_VALUE} for "unknown", which never ends
     * @param issuedAt when the token was issued or adopted, in epoch milliseconds, or {@link Long#MIN_VALUE} if
     *     unknown (a token read from a file at start): the margins are then not capped
     * @param renewable whether the token has a refresh token; without one there is nothing to refresh ahead of
     *     the expiry, so both deadlines are the expiry
     */
    Deadlines deadlines(long expiresAt, long issuedAt, boolean renewable) {
        if (!renewable || expiresAt == Long.MAX_VALUE || expiresAt == Long.MIN_VALUE) {
            return new Deadlines(expiresAt, expiresAt);
        }
        long refreshMargin = refreshMarginMillis;
        long expiryMargin = expiryMarginMillis;
        if (issuedAt != Long.MIN_VALUE) {
            // A short-lived token is refreshed at half its lifetime and used until the last tenth: a steady
            // cadence instead of a refresh the moment it arrives.
            long lifetime = Math.max(0, saturatedSubtract(expiresAt, issuedAt));
            refreshMargin = Math.min(refreshMargin, lifetime / 2);
            expiryMargin = Math.min(expiryMargin, lifetime / 10);
        }
        return new Deadlines(saturatedSubtract(expiresAt, refreshMargin), saturatedSubtract(expiresAt, expiryMargin));
    }

    /**
     * The backoff after the {@code consecutiveFailures}-th failure in a row: 1 second doubling to 5 minutes, a
     * random point in the second half of that delay (jitter, so that many processes do not retry in step).
     *
     * @param consecutiveFailures 1 for the first failure
     * @param random a uniformly random non-negative long
     */
    static long backoffNanos(int consecutiveFailures, long random) {
        return jittered(doubling(consecutiveFailures, MAX_BACKOFF_NANOS), random);
    }

    /** The delay before saving again after the {@code consecutiveFailures}-th failed save: 1 s doubling to 1 min. */
    static long saveBackoffNanos(int consecutiveFailures, long random) {
        return jittered(doubling(consecutiveFailures, MAX_SAVE_BACKOFF_NANOS), random);
    }

    /**
     * The earliest elapsed time of the next refresh after one that started at {@code startedAt}: refreshes are at
     * least {@code minRefreshInterval} apart, so that a token with a lifetime of zero cannot cause a refresh storm.
     */
    long notBefore(long startedAt) {
        return saturatedAdd(startedAt, minRefreshIntervalNanos);
    }

    /**
     * How long the background check sleeps.
     *
     * @param nowMillis the wall clock now
     * @param nowNanos the ticker now
     * @param dueAtMillis when the token stops being fresh (wall clock), or {@link Long#MAX_VALUE} if nothing is due
     * @param notBeforeNanos the earliest next refresh attempt (ticker), or {@link Long#MIN_VALUE}
     * @param saveAtNanos when a failed save is tried again (ticker), or {@link Long#MAX_VALUE} if none is pending
     * @return nanoseconds between {@link #MIN_CHECK_NANOS} and {@link #MAX_CHECK_NANOS}
     */
    static long nextCheckDelayNanos(long nowMillis, long nowNanos, long dueAtMillis, long notBeforeNanos,
            long saveAtNanos) {
        long delay = MAX_CHECK_NANOS;
        if (dueAtMillis != Long.MAX_VALUE) {
            long untilDue = saturatedSubtract(dueAtMillis, nowMillis);
            long refreshDelay = untilDue <= 0 ? 0 : untilDue >= MAX_CHECK_NANOS / 1_000_000 ? MAX_CHECK_NANOS
                    : untilDue * 1_000_000;
            if (notBeforeNanos != Long.MIN_VALUE) {
                refreshDelay = Math.max(refreshDelay, saturatedSubtract(notBeforeNanos, nowNanos));
            }
            delay = Math.min(delay, refreshDelay);
        }
        if (saveAtNanos != Long.MAX_VALUE) {
            delay = Math.min(delay, saturatedSubtract(saveAtNanos, nowNanos));
        }
        return Math.max(MIN_CHECK_NANOS, Math.min(MAX_CHECK_NANOS, delay));
    }

    private static long doubling(int consecutiveFailures, long ceiling) {
        int shift = Math.max(0, Math.min(consecutiveFailures - 1, 30));
        long delay = MIN_BACKOFF_NANOS << shift;
        return delay <= 0 || delay > ceiling ? ceiling : delay;
    }

    private static long jittered(long delay, long random) {
        long half = delay / 2;
        return half + Math.floorMod(random, half + 1);
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        // Overflow iff both operands have the sign opposite to the result's.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    static long saturatedSubtract(long a, long b) {
        long difference = a - b;
        if (((a ^ b) & (a ^ difference)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return difference;
    }
}
