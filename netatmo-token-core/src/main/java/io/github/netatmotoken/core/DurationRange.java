package io.github.netatmotoken.core;

import java.time.Duration;
import java.util.Objects;

/**
 * An allowed range of a configured duration, checked in the builder's setter so that a wrong value fails where it
 * is set, with a message naming the parameter and the range.
 *
 * @param min the least allowed value
 * @param minInclusive whether {@code min} itself is allowed (zero is not, for a timeout)
 * @param max the greatest allowed value: far beyond any sensible setting, but small enough that deadline
 *     arithmetic in nanoseconds cannot overflow
 */
record DurationRange(Duration min, boolean minInclusive, Duration max) {
    static final DurationRange NOT_NEGATIVE = new DurationRange(Duration.ZERO, true, Duration.ofDays(1));
    static final DurationRange POSITIVE = new DurationRange(Duration.ZERO, false, Duration.ofDays(1));

    /**
     * Returns {@code value} if it is in range.
     *
     * @throws NullPointerException naming {@code name} if {@code value} is null
     * @throws IllegalArgumentException naming {@code name}, the value and the range otherwise
     */
    Duration check(String name, Duration value) {
        Objects.requireNonNull(value, name);
        int low = value.compareTo(min);
        if (low < 0 || (low == 0 && !minInclusive) || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be " + (minInclusive ? "at least " : "more than ")
                    + (min.isZero() ? "zero" : min) + " and at most " + max + ", but is " + value);
        }
        return value;
    }
}
