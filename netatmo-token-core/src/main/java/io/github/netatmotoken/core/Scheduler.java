package io.github.netatmotoken.core;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay of elapsed time: the background checks of {@link RefreshingTokenSource}. The default
 * wraps the source's own {@link ScheduledExecutorService}; tests pass a manual one that runs due tasks when the test
 * moves its ticker.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
interface Scheduler {
    /**
     * Runs {@code task} once, {@code delayNanos} from now.
     *
     * @return a handle that cancels the task if it has not started
     * @throws RejectedExecutionException if the scheduler is shut down
     */
    Cancellable schedule(Runnable task, long delayNanos);

    /** A scheduled task that has not run yet, or has. */
    @FunctionalInterface
    interface Cancellable {
        /** Keeps the task from starting; does nothing if it has started or was cancelled before. */
        void cancel();
    }

    static Scheduler of(ScheduledExecutorService executor) {
        return (task, delayNanos) -> {
            ScheduledFuture<?> future = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        };
    }
}
