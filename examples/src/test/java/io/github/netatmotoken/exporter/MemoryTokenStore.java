package io.github.netatmotoken.exporter;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import java.util.Optional;

/**
 * Keeps the token in memory only, as the Go exporter does without {@code --token-file}: it is lost on restart.
 * Thread-safe.
 */
final class MemoryTokenStore implements TokenStore {
    private volatile Token token;

    @Override
    public Optional<Token> load() {
        return Optional.ofNullable(token);
    }

    @Override
    public void save(Token newToken) {
        this.token = newToken;
    }

    @Override
    public String toString() {
        return "memory (no --token-file: lost on restart)";
    }
}
