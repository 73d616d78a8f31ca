package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RejectionPolicyTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private static final long MINUTE = Duration.ofMinutes(1).toNanos();
    private final RejectionPolicy policy = new RejectionPolicy();

    @Test
    void aTokenThatWorkedForAWhileIsRenewedAtOnceEveryTime() {
        for (int i = 0; i < 20; i++) {
            assertTrue(policy.renew(i * 2 * MINUTE), "rejection " + i);
        }
    }

    @Test
    void afterTheSecondRejectionInARowRejectionsGoToTheCallerUntilTheBackoffEnds() {
        assertTrue(policy.renew(0));
        assertTrue(policy.renew(SECOND));
        assertFalse(policy.renew(2 * SECOND));
        assertTrue(policy.backingOff(2 * SECOND));
        assertFalse(policy.renew(30 * SECOND));
        assertTrue(policy.renew(2 * SECOND + MINUTE), "one renewal after the backoff");
        assertFalse(policy.renew(2 * SECOND + MINUTE + SECOND), "rejected again: backs off longer");
        assertFalse(policy.renew(2 * SECOND + 2 * MINUTE + 2 * SECOND), "the second backoff is two minutes");
        assertTrue(policy.renew(2 * SECOND + 3 * MINUTE + 2 * SECOND));
    }

    @Test
    void theBackoffStopsDoublingAtThirtyMinutes() {
        long now = 0;
        policy.renew(now);
        policy.renew(now += SECOND);
        long lastGap = 0;
        for (int probe = 0; probe < 12; probe++) {
            assertFalse(policy.renew(now += SECOND));
            long start = now;
            while (!policy.renew(now += 10 * SECOND)) {
                // rejections during the backoff keep it going
            }
            lastGap = now - start;
        }
        assertTrue(lastGap <= Duration.ofMinutes(30).toNanos() + 10 * SECOND, "gap " + lastGap);
        assertTrue(lastGap >= Duration.ofMinutes(30).toNanos(), "gap " + lastGap);
    }

    @Test
    void aNewAuthorizationStartsOver() {
        policy.renew(0);
        policy.renew(SECOND);
        assertFalse(policy.renew(2 * SECOND));
        policy.reset();
        assertTrue(policy.renew(3 * SECOND));
        assertTrue(policy.renew(4 * SECOND));
    }
}
