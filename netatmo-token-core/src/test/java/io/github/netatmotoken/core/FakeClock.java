package io.github.netatmotoken.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that moves only when a test says so, and the ticker of elapsed time beside it: {@link #advance} moves
 * both, {@link #set} steps only the wall clock, as an NTP step or a user changing the time would. Thread-safe.
 */
public final class FakeClock extends Clock implements Ticker {
    private volatile Instant now;
    private volatile long elapsedNanos;

    public FakeClock(Instant start) {
        this.now = start;
    }

    public FakeClock() {
        this(Instant.parse("2026-01-15T10:00:00Z"));
    }

    public synchronized void advance(Duration by) {
        now = now.plus(by);
        elapsedNanos += by.toNanos();
    }

    @Override
    public long read() {
        return elapsedNanos;
    }

    public void set(Instant instant) {
        now = instant;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public long millis() {
        return now.toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("FakeClock is UTC only");
    }
}
