package io.github.netatmotoken.core;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The reference {@link SharedTokenStore}: several instances on one {@link Backend} behave like processes sharing
 * one database row. It keeps the contract with plain Java (a monitor for the row, System.nanoTime for lease
 * deadlines), so that {@link SharedTokenStoreContract} can be checked against it and the source's tests can use
 * it. {@link #down(boolean)} makes every operation fail as if the engine were unreachable.
 */
public final class InMemorySharedTokenStore implements SharedTokenStore {
    /** The shared row. */
    public static final class Backend {
        private Token token;
        private long generation;
        private String leaseHolder;
        private long leaseUntilNanos;
        private long intentGeneration = -1;
        private String intentHolder;
        private Instant intentAt;
        private long lostGeneration = -1;
        private String lostHolder;
        private Instant lostAt;
        private final List<InMemorySharedTokenStore> stores = new CopyOnWriteArrayList<>();
        /** Delivers change callbacks on a thread of their own, as an engine's notification connection would. */
        private final java.util.concurrent.ExecutorService notifier = java.util.concurrent.Executors
                .newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "in-memory-store-notifications");
                    t.setDaemon(true);
                    return t;
                });
        private volatile int writes;
        private final java.util.concurrent.atomic.AtomicInteger loads = new java.util.concurrent.atomic.AtomicInteger();

        private boolean leaseHeldByOther(String holder) {
            return leaseHolder != null && !leaseHolder.equals(holder) && System.nanoTime() - leaseUntilNanos < 0;
        }

        private void written(InMemorySharedTokenStore by) {
            generation++;
            writes++;
            notifyAll();
            for (InMemorySharedTokenStore s : stores) {
                if (s != by) {
                    s.listeners.forEach(notifier::execute);
                }
            }
        }

        /** Ends the running lease now, as if its holder had paused longer than the lease's time to live. */
        public synchronized void expireLease() {
            leaseUntilNanos = System.nanoTime() - 1;
        }

        /** How many times any store read the row. */
        public int loads() {
            return loads.get();
        }

        public synchronized long generation() {
            return generation;
        }

        public int writes() {
            return writes;
        }

        public synchronized Token token() {
            return token;
        }
    }

    private final Backend backend;
    private final String holder;
    private final Duration leaseTtl;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean down;
    private volatile boolean failRefreshWrites;
    private volatile boolean crashed;
    private volatile String problem;
    /** The generation of the token this instance last read or wrote, for saveRefreshed. */
    private Token seen;
    private long seenGeneration = -1;

    public InMemorySharedTokenStore(Backend backend, String holder, Duration leaseTtl) {
        this.backend = backend;
        this.holder = holder;
        this.leaseTtl = leaseTtl;
        backend.stores.add(this);
    }

    /** Makes the writes of a refreshed token fail (true) while reads, the lease and the intent work. */
    public void failRefreshWrites(boolean fail) {
        this.failRefreshWrites = fail;
    }

    /** Makes every operation fail (true) or work again (false). */
    public void down(boolean isDown) {
        this.down = isDown;
    }

    /** Dies like a killed process: stops renewing, never releases, never notifies. */
    public void crash() {
        crashed = true;
        backend.stores.remove(this);
    }

    private void check() throws IOException {
        if (crashed) {
            throw new IllegalStateException("crashed");
        }
        if (down) {
            problem = "in-memory engine is down";
            throw new IOException("in-memory engine is down");
        }
        problem = null;
    }

    @Override
    public Optional<Token> load() throws IOException {
        check();
        backend.loads.incrementAndGet();
        synchronized (backend) {
            remember(backend.token, backend.generation);
            return Optional.ofNullable(backend.token);
        }
    }

    private void remember(Token token, long generation) {
        seen = token;
        seenGeneration = generation;
    }

    @Override
    public void save(Token token) throws IOException {
        check();
        synchronized (backend) {
            backend.token = token;
            backend.written(this);
            remember(token, backend.generation);
        }
    }

    @Override
    public boolean saveRefreshed(Token spent, Token fresh) throws IOException {
        check();
        if (failRefreshWrites) {
            throw new IOException("in-memory engine refuses the write");
        }
        synchronized (backend) {
            if (Objects.equals(backend.token, fresh)) {
                return true; // a retried write that landed before
            }
            long expected = Objects.equals(seen, spent) ? seenGeneration
                    : Objects.equals(backend.token, spent) ? backend.generation : -1;
            boolean holdsSpent = backend.token != null && spent.refreshToken() != null
                    && spent.refreshToken().equals(backend.token.refreshToken());
            if (expected != backend.generation && !holdsSpent) {
                return false;
            }
            backend.token = fresh;
            backend.written(this);
            remember(fresh, backend.generation);
            return true;
        }
    }

    @Override
    public boolean saveIfAbsent(Token token) throws IOException {
        check();
        synchronized (backend) {
            if (backend.token != null) {
                return false;
            }
            backend.token = token;
            backend.written(this);
            remember(token, backend.generation);
            return true;
        }
    }

    @Override
    public Lock lock() throws IOException {
        return lock(Duration.ofDays(1));
    }

    @Override
    public Lock lock(Duration timeout) throws IOException {
        check();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (backend) {
            while (backend.leaseHeldByOther(holder)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("lease held by " + backend.leaseHolder);
                }
                try {
                    backend.wait(Math.max(1, Math.min(left / 1_000_000, 10)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for the lease");
                }
            }
            backend.leaseHolder = holder;
            backend.leaseUntilNanos = System.nanoTime() + leaseTtl.toNanos();
        }
        Thread renewer = new Thread(() -> {
            while (!crashed && !Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(Math.max(1, leaseTtl.toMillis() / 3));
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (backend) {
                    if (!crashed && !down && holder.equals(backend.leaseHolder)) {
                        backend.leaseUntilNanos = System.nanoTime() + leaseTtl.toNanos();
                    }
                }
            }
        }, "in-memory-lease-renewal");
        renewer.setDaemon(true);
        renewer.start();
        return () -> {
            renewer.interrupt();
            if (crashed) {
                return;
            }
            synchronized (backend) {
                if (holder.equals(backend.leaseHolder)) {
                    backend.leaseHolder = null;
                    backend.notifyAll();
                }
            }
        };
    }

    @Override
    public void refreshing(Token spent) throws IOException {
        check();
        synchronized (backend) {
            long generation = Objects.equals(seen, spent) ? seenGeneration : backend.generation;
            if (backend.intentGeneration == generation && backend.lostGeneration != generation) {
                // An earlier attempt on this generation never stored its result: it may have spent the token. Only
                // the first such attempt can have: the later ones were refused.
                backend.lostGeneration = generation;
                backend.lostHolder = backend.intentHolder;
                backend.lostAt = backend.intentAt;
            }
            backend.intentGeneration = generation;
            backend.intentHolder = holder;
            backend.intentAt = Instant.now();
        }
    }

    @Override
    public Optional<Token> awaitNewer(Token spent, Duration timeout) throws IOException {
        check();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (backend) {
            while (Objects.equals(backend.token, spent) && backend.leaseHeldByOther(holder)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                try {
                    backend.wait(Math.max(1, Math.min(left / 1_000_000, 10)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted");
                }
            }
            return Objects.equals(backend.token, spent) ? Optional.empty() : Optional.ofNullable(backend.token);
        }
    }

    @Override
    public Optional<String> lossExplanation(Token spent) {
        synchronized (backend) {
            if (!Objects.equals(backend.token, spent) || backend.lostGeneration != backend.generation) {
                return Optional.empty();
            }
            return Optional.of("the token chain was lost while " + backend.lostHolder + " was refreshing it at "
                    + backend.lostAt);
        }
    }

    @Override
    public Subscription subscribe(Runnable onChange) {
        listeners.add(onChange);
        return () -> listeners.remove(onChange);
    }

    @Override
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    @Override
    public void close() {
        backend.stores.remove(this);
        crashed = true; // stops renewal; unlike a crash, the lease is released
        synchronized (backend) {
            if (holder.equals(backend.leaseHolder)) {
                backend.leaseHolder = null;
                backend.notifyAll();
            }
        }
    }

    /** All instances' holders, for tests that want to see who is registered. */
    List<String> holders() {
        List<String> names = new ArrayList<>();
        backend.stores.forEach(s -> names.add(s.holder));
        return names;
    }

    @Override
    public String toString() {
        return "InMemorySharedTokenStore[" + holder + "]";
    }
}
