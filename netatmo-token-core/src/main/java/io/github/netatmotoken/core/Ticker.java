package io.github.netatmotoken.core;

/**
 * Elapsed time in nanoseconds, for backoff, timeouts and retry schedules: unlike the wall clock it never steps
 * back. The system ticker is {@link System#nanoTime()}; tests pass a fake one and move it instead of sleeping.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
interface Ticker {
    /** The system's monotonic time. */
    Ticker SYSTEM = System::nanoTime;

    /** {@return nanoseconds since an arbitrary origin; only differences between two reads mean anything} */
    long read();
}
