package io.github.netatmotoken.core;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A token store in memory that records saves and can be told to fail or to block. Thread-safe. */
public final class InMemoryTokenStore implements TokenStore {
    /** What {@link #save} does before it stores: nothing, throw, or wait. */
    @FunctionalInterface
    public interface SaveHook {
        void beforeSave(Token token) throws IOException;
    }

    private volatile Token stored;
    private volatile SaveHook hook = token -> { };
    private final List<Token> saves = new CopyOnWriteArrayList<>();
    private final AtomicInteger saveAttempts = new AtomicInteger();
    private final AtomicInteger locks = new AtomicInteger();

    public InMemoryTokenStore() {
    }

    public InMemoryTokenStore(Token initial) {
        this.stored = initial;
    }

    @Override
    public Optional<Token> load() {
        return Optional.ofNullable(stored);
    }

    @Override
    public void save(Token token) throws IOException {
        saveAttempts.incrementAndGet();
        hook.beforeSave(token);
        stored = token;
        saves.add(token);
    }

    @Override
    public Lock lock() {
        locks.incrementAndGet();
        return () -> { };
    }

    /** Replaces the stored token behind the source's back, as another process would. */
    public void storeDirectly(Token token) {
        stored = token;
    }

    public Token stored() {
        return stored;
    }

    public List<Token> saves() {
        return List.copyOf(saves);
    }

    public int saveAttempts() {
        return saveAttempts.get();
    }

    public int lockCount() {
        return locks.get();
    }

    public void onSave(SaveHook hook) {
        this.hook = hook;
    }

    public void failSavesWith(String message) {
        this.hook = token -> {
            throw new IOException(message);
        };
    }

    @Override
    public String toString() {
        return "InMemoryTokenStore";
    }
}
