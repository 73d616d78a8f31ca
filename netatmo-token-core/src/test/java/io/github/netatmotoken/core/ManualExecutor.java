package io.github.netatmotoken.core;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;

/** Queues tasks until the test runs them, so that "in the background" happens exactly when a test says. */
public final class ManualExecutor implements Executor {
    private final Deque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(task);
    }

    public synchronized int pending() {
        return tasks.size();
    }

    /** Runs queued tasks (and any they queue) on the calling thread; returns how many ran. */
    public int runAll() {
        int ran = 0;
        for (Runnable task; (task = next()) != null; ran++) {
            task.run();
        }
        return ran;
    }

    private synchronized Runnable next() {
        return tasks.poll();
    }
}
