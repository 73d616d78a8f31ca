package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RefreshTimingTest {
    private static final long MINUTE_MS = 60_000;
    private final RefreshTiming timing = new RefreshTiming(Duration.ofMinutes(5), Duration.ofSeconds(30),
            Duration.ofSeconds(5));

    @Test
    void aTokenOfUnknownLifetimeUsesTheFullMargins() {
        RefreshTiming.Deadlines d = timing.deadlines(100 * MINUTE_MS, Long.MIN_VALUE, true);
        assertEquals(95 * MINUTE_MS, d.freshUntil());
        assertEquals(100 * MINUTE_MS - 30_000, d.usableUntil());
    }

    @Test
    void aShortLivedTokenIsRefreshedAtHalfItsLifetimeAndUsedUntilTheLastTenth() {
        RefreshTiming.Deadlines d = timing.deadlines(120_000, 0, true);
        assertEquals(60_000, d.freshUntil());
        assertEquals(108_000, d.usableUntil());
    }

    @Test
    void aTokenWithoutRefreshTokenOrExpiryIsFreshUntilItsExpiry() {
        assertEquals(new RefreshTiming.Deadlines(5000, 5000), timing.deadlines(5000, 0, false));
        assertEquals(new RefreshTiming.Deadlines(Long.MAX_VALUE, Long.MAX_VALUE),
                timing.deadlines(Long.MAX_VALUE, 0, true));
    }

    @Test
    void aLifetimeOfZeroOrBelowGivesNoMarginAndNoOverflow() {
        assertEquals(new RefreshTiming.Deadlines(1000, 1000), timing.deadlines(1000, 1000, true));
        assertEquals(new RefreshTiming.Deadlines(1000, 1000), timing.deadlines(1000, 5000, true));
        RefreshTiming.Deadlines early = timing.deadlines(Long.MIN_VALUE + 1, Long.MIN_VALUE + 2, true);
        assertEquals(Long.MIN_VALUE + 1, early.freshUntil());
    }

    @Test
    void backoffDoublesFromOneSecondToFiveMinutesWithJitterInTheSecondHalf() {
        for (int failures = 1; failures <= 40; failures++) {
            long ceiling = Math.min(Duration.ofMinutes(5).toNanos(), Duration.ofSeconds(1).toNanos()
                    << Math.min(failures - 1, 30));
            for (long random : new long[] {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 123_456_789}) {
                long delay = RefreshTiming.backoffNanos(failures, random);
                assertTrue(delay >= ceiling / 2 && delay <= ceiling, failures + " failures: " + delay);
            }
        }
    }

    @Test
    void saveRetriesBackOffFromOneSecondToOneMinute() {
        assertTrue(RefreshTiming.saveBackoffNanos(1, 0) >= Duration.ofMillis(500).toNanos());
        assertTrue(RefreshTiming.saveBackoffNanos(1, -1) <= Duration.ofSeconds(1).toNanos());
        assertTrue(RefreshTiming.saveBackoffNanos(100, -1) <= Duration.ofMinutes(1).toNanos());
    }

    @Test
    void refreshesAreAtLeastTheMinimumIntervalApart() {
        assertEquals(Duration.ofSeconds(5).toNanos() + 7, timing.notBefore(7));
        assertEquals(Long.MAX_VALUE, timing.notBefore(Long.MAX_VALUE - 1));
    }

    @Test
    void theBackgroundCheckWakesAtTheDueTimeButAtLeastEveryMinute() {
        long second = Duration.ofSeconds(1).toNanos();
        assertEquals(Duration.ofMinutes(1).toNanos(),
                RefreshTiming.nextCheckDelayNanos(0, 0, 3 * 60 * MINUTE_MS, Long.MIN_VALUE, Long.MAX_VALUE),
                "a token due in three hours: checked again in a minute, in case the machine sleeps");
        assertEquals(10 * second,
                RefreshTiming.nextCheckDelayNanos(0, 0, 10_000, Long.MIN_VALUE, Long.MAX_VALUE));
        assertEquals(RefreshTiming.MIN_CHECK_NANOS,
                RefreshTiming.nextCheckDelayNanos(50_000, 0, 10_000, Long.MIN_VALUE, Long.MAX_VALUE),
                "overdue: at once, but never a busy loop");
        assertEquals(4 * second,
                RefreshTiming.nextCheckDelayNanos(50_000, 0, 10_000, 4 * second, Long.MAX_VALUE),
                "overdue but inside the minimum interval or a backoff: when that ends");
        assertEquals(2 * second,
                RefreshTiming.nextCheckDelayNanos(0, 0, Long.MAX_VALUE, Long.MIN_VALUE, 2 * second),
                "a pending save");
        assertEquals(Duration.ofMinutes(1).toNanos(),
                RefreshTiming.nextCheckDelayNanos(0, 0, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE));
        assertEquals(Duration.ofMinutes(1).toNanos(),
                RefreshTiming.nextCheckDelayNanos(Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1,
                        Long.MIN_VALUE + 1, Long.MAX_VALUE), "extreme times neither overflow nor spin");
    }
}
