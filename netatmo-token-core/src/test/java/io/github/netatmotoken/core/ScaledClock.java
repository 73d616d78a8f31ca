package io.github.netatmotoken.core;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A wall clock that runs {@code speed} times faster than the system's from a common {@code origin}: processes on one
 * host that share the origin and the speed agree on the time, so a 10-second token lives a tenth of a second of real
 * time at speed 100. The many-process tests use it to get hundreds of refreshes of 10-second tokens in a minute.
 * Thread-safe.
 */
public final class ScaledClock extends Clock {
    private final long originMillis;
    private final int speed;

    public ScaledClock(long originMillis, int speed) {
        if (speed < 1) {
            throw new IllegalArgumentException("speed must be at least 1, but is " + speed);
        }
        this.originMillis = originMillis;
        this.speed = speed;
    }

    @Override
    public long millis() {
        return originMillis + (System.currentTimeMillis() - originMillis) * speed;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a ScaledClock is always UTC");
    }
}
