package io.github.netatmotoken.exporter;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.jdbc.JdbcTokenStore;
import io.github.netatmotoken.redis.RedisTokenStore;
import java.io.IOException;

/**
 * Builds the shared token store that {@code --token-store} names, on PostgreSQL ({@link JdbcTokenStore}) or Redis
 * ({@link RedisTokenStore}), with the stores' defaults. Every message that leaves here has the URL's passwords
 * replaced by {@code ***}.
 */
final class SharedStores {
    private SharedStores() {
    }

    /** Opens a shared store; {@link Exporter} takes another one in tests. */
    @FunctionalInterface
    interface Opener {
        /**
         * @throws IOException if the store cannot be reached or set up
         * @throws IllegalArgumentException if the engine refuses the URL
         */
        SharedTokenStore open(TokenStoreUrl url, String key) throws IOException;
    }

    /** The stores this project ships. */
    static SharedTokenStore open(TokenStoreUrl url, String key) throws IOException {
        return switch (url.kind()) {
            case POSTGRESQL -> JdbcTokenStore.builder().url(url.url()).key(key).build();
            case REDIS -> RedisTokenStore.builder().url(url.url()).key(key).build();
        };
    }

    /**
     * Checks the URL as the engine's builder reads it, without connecting.
     *
     * @throws IllegalArgumentException naming what is wrong, without the password
     */
    static void check(TokenStoreUrl url, String key) {
        try {
            switch (url.kind()) {
                case POSTGRESQL -> JdbcTokenStore.builder().url(url.url()).key(key);
                case REDIS -> RedisTokenStore.builder().url(url.url()).key(key).build().close(); // connects lazily
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException(url.redact(e.getMessage()), e);
        }
    }
}
