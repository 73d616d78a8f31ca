package io.github.netatmotoken.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Scheduler} on a {@link FakeClock}'s ticker: tasks run only in {@link #runDue()}, on the test's thread,
 * when the test has moved the ticker past their time. Thread-safe.
 */
final class ManualScheduler implements Scheduler {
    private final Ticker ticker;
    private final List<Task> tasks = new ArrayList<>();

    ManualScheduler(Ticker ticker) {
        this.ticker = ticker;
    }

    private static final class Task {
        final Runnable runnable;
        final long at;
        volatile boolean cancelled;

        Task(Runnable runnable, long at) {
            this.runnable = runnable;
            this.at = at;
        }
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Task t = new Task(task, ticker.read() + delayNanos);
        tasks.add(t);
        return () -> t.cancelled = true;
    }

    /** Runs every task that is due now (and those they schedule that are due too); returns how many ran. */
    int runDue() {
        int ran = 0;
        for (Task t; (t = nextDue()) != null; ran++) {
            t.runnable.run();
        }
        return ran;
    }

    /** The delay in nanoseconds of the earliest pending task, or -1 if none is pending. */
    synchronized long nextDelayNanos() {
        tasks.removeIf(t -> t.cancelled);
        return tasks.stream().mapToLong(t -> t.at - ticker.read()).min().orElse(-1);
    }

    synchronized int pending() {
        tasks.removeIf(t -> t.cancelled);
        return tasks.size();
    }

    private synchronized Task nextDue() {
        tasks.removeIf(t -> t.cancelled);
        long now = ticker.read();
        Task due = tasks.stream().filter(t -> t.at - now <= 0).min((a, b) -> Long.compare(a.at, b.at))
                .orElse(null);
        if (due != null) {
            tasks.remove(due);
        }
        return due;
    }
}
