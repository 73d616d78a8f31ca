package io.github.netatmotoken.jdbc;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A bounded wait for a condition that another thread or process makes true. */
final class Eventually {
    private Eventually() {
    }

    /** Checks {@code condition} every 10 ms; fails with {@code what} if it is still false after {@code bound}. */
    static void within(Duration bound, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + bound.toMillis() + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }
}
