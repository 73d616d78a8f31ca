package io.github.netatmotoken.core;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** {@link TokenStore#inMemory()}: a token in memory only, lost when the process ends. Thread-safe. */
final class MemoryTokenStore implements TokenStore {
    private volatile @Nullable Token token;

    @Override
    public Optional<Token> load() {
        return Optional.ofNullable(token);
    }

    @Override
    public void save(Token newToken) {
        this.token = java.util.Objects.requireNonNull(newToken, "token");
    }

    @Override
    public String toString() {
        return "memory (lost on restart)";
    }
}
