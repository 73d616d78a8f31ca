package io.github.netatmotoken.core;

import java.time.Duration;

/**
 * Decides whether a token that the API rejected is renewed. A token that worked for a while and is then rejected
 * is renewed at once; but when every new token is rejected too (a misconfigured app, an API fault), rotating the
 * refresh token on every call helps nobody: after the second rejection in a row the rejections go to the caller,
 * and one renewal is tried again after a backoff that doubles from 1 minute to 30 minutes.
 *
 * <p>"In a row" means: less than {@link #QUIET_NANOS} (or the current backoff, if longer) after the previous
 * rejection. Elapsed time comes from a {@link Ticker}, never the wall clock.
 *
 * <p>Not thread-safe: the source calls it under its state lock.
 */
final class RejectionPolicy {
    static final long QUIET_NANOS = Duration.ofMinutes(1).toNanos();
    static final long MIN_BACKOFF_NANOS = Duration.ofMinutes(1).toNanos();
    static final long MAX_BACKOFF_NANOS = Duration.ofMinutes(30).toNanos();
    /** Rejections in a row that are still renewed at once. */
    static final int RENEWED_IN_A_ROW = 2;

    private int streak;
    private int backoffs;
    private boolean hasRejected;
    private long lastRejection;
    private boolean backingOff;
    private long backoffUntil;

    /**
     * Records a rejection at {@code now} and says whether to renew the token.
     *
     * @param now the ticker's time
     * @return true to renew, false to hand the rejection to the caller with the same token
     */
    boolean renew(long now) {
        if (!hasRejected || RefreshTiming.saturatedSubtract(now, lastRejection) > quietNanos()) {
            streak = 0;
            backoffs = 0;
            backingOff = false;
        }
        hasRejected = true;
        lastRejection = now;
        streak++;
        if (streak <= RENEWED_IN_A_ROW) {
            return true;
        }
        if (!backingOff) {
            backingOff = true;
            backoffUntil = RefreshTiming.saturatedAdd(now, backoffNanos(backoffs++));
            return false;
        }
        if (now - backoffUntil < 0) {
            return false;
        }
        // The backoff is over: one renewal to see whether things healed; the next rejection backs off longer.
        backingOff = false;
        return true;
    }

    /** A new authorization starts over: its tokens get the benefit of the doubt again. */
    void reset() {
        streak = 0;
        backoffs = 0;
        hasRejected = false;
        backingOff = false;
    }

    /** Whether rejections are handed to callers now instead of being renewed. */
    boolean backingOff(long now) {
        return backingOff && now - backoffUntil < 0;
    }

    private long quietNanos() {
        return backingOff ? Math.max(QUIET_NANOS, backoffNanos(Math.max(0, backoffs - 1))) : QUIET_NANOS;
    }

    private static long backoffNanos(int level) {
        long delay = MIN_BACKOFF_NANOS << Math.min(level, 10);
        return delay <= 0 || delay > MAX_BACKOFF_NANOS ? MAX_BACKOFF_NANOS : delay;
    }
}
