package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import java.util.Optional;

/** A token store in memory, so that a benchmark measures the source and the endpoint, not the disk. Thread-safe. */
final class MemoryTokenStore implements TokenStore {
    private volatile Token stored;

    MemoryTokenStore(Token initial) {
        this.stored = initial;
    }

    @Override
    public Optional<Token> load() {
        return Optional.ofNullable(stored);
    }

    @Override
    public void save(Token token) {
        stored = token;
    }

    @Override
    public String toString() {
        return "MemoryTokenStore";
    }
}
