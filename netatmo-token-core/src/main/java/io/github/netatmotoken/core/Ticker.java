package io.github.netatmotoken.core;

/**
 * Elapsed time in nanoseconds, for backoff, timeouts and retry schedules: unlike the wall clock it never steps
 * back. {@link #systemTicker()} is {@link System#nanoTime()}; tests pass a fake one and move it instead of sleeping,
 * as with Caffeine's ticker.
 *
 * <pre>{@code
 * AtomicLong nanos = new AtomicLong();
 * RefreshingTokenSource tokens = RefreshingTokenSource.builder()
 *     .store(store).client(client)
 *     .clock(fakeClock)          // expiries
 *     .ticker(nanos::get)        // backoff and schedules
 *     .build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Ticker {
    /**
     * The system's monotonic time.
     *
     * @return a ticker that reads {@link System#nanoTime()}
     */
    static Ticker systemTicker() {
        return System::nanoTime;
    }

    /**
     * Reads the elapsed time.
     *
     * @return nanoseconds since an arbitrary origin; only differences between two reads mean anything
     */
    long read();
}
