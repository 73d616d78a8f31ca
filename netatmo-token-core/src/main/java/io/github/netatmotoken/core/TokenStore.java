package io.github.netatmotoken.core;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Where a token lives between runs: a file ({@link FileTokenStore}), a database row, a secret manager.
 *
 * <p>NetAtmo rotates refresh tokens, so a store must keep the newest one. A {@link RefreshingTokenSource} calls
 * {@link #save} after every refresh, before anybody uses the new token.
 *
 * <pre>{@code
 * TokenStore store = new FileTokenStore(Path.of("netatmo-token.json"));
 * Optional<Token> saved = store.load();
 * }</pre>
 *
 * <p>Implementations must be thread-safe.
 */
public interface TokenStore {

    /**
     * A store that keeps the token in memory only, for tests, benchmarks and programs that get a new authorization
     * at every start (as the Go netatmo-exporter without {@code --token-file}).
     *
     * <pre>{@code
     * TokenStore store = TokenStore.inMemory();
     * store.save(Token.ofRefreshToken(pastedRefreshToken));
     * }</pre>
     *
     * <p>NetAtmo rotates refresh tokens, so the token it holds is lost with the process, and with it the
     * authorization: use a {@link FileTokenStore} to keep it across restarts.
     *
     * @return a new, empty, thread-safe store; its {@code lock()} does nothing, as one process uses it; its
     *     {@code toString()} says that it is in memory
     */
    static TokenStore inMemory() {
        return new MemoryTokenStore();
    }

    /**
     * Reads the stored token.
     *
     * @return the token, or empty if nothing is stored yet (the user has to authorize first)
     * @throws IOException if the stored token exists but cannot be read or understood
     */
    Optional<Token> load() throws IOException;

    /**
     * Replaces the stored token, atomically: after a crash the store holds either the old or the new token.
     *
     * @param token the token to keep, normally the one a refresh has just returned; its {@code null} components
     *     are stored as missing, so that {@link #load()} gives back an equal token
     * @throws IOException if the token could not be stored; the previous token is then still stored
     */
    void save(Token token) throws IOException;

    /**
     * Takes an exclusive lock that other processes sharing this store respect, held until the returned lock is
     * closed. A {@link RefreshingTokenSource} holds it while it re-reads the store, refreshes and saves, so that
     * two processes sharing a store never spend the same refresh token twice.
     *
     * <p>The default does nothing, which is right for a store that only one process uses.
     *
     * @return the held lock; close it, best with try-with-resources, to let the other processes in
     * @throws IOException if the lock cannot be taken, for example because a lock file cannot be created; no lock
     *     is held then
     */
    default Lock lock() throws IOException {
        return () -> { };
    }

    /**
     * Takes the lock of {@link #lock()}, waiting at most about {@code timeout} for another holder to let go. A
     * {@link RefreshingTokenSource} calls this with what is left of its own time budget, so that a stuck process
     * sharing the store makes its refresh fail instead of hang.
     *
     * <p>The default ignores {@code timeout} and calls {@link #lock()}, which is right for a store whose lock
     * never waits; a store whose lock can wait ({@link FileTokenStore}) bounds the wait.
     *
     * @param timeout how long to wait at most; {@link Duration#ZERO} tries once
     * @return the held lock, as for {@link #lock()}
     * @throws IOException if the lock cannot be taken in time, or at all; no lock is held then. An interrupt while
     *     waiting ends the wait with an {@link java.io.InterruptedIOException}, the thread's interrupt status set
     * @throws IllegalArgumentException if {@code timeout} is negative (checked by stores that wait)
     */
    default Lock lock(Duration timeout) throws IOException {
        return lock();
    }

    /**
     * A held {@link #lock()}; closing it releases the lock. It narrows {@link AutoCloseable#close()} to an
     * {@link IOException}, so that a try-with-resources block around store calls needs no other catch.
     *
     * <pre>{@code
     * try (TokenStore.Lock lock = store.lock()) {
     *     Token current = store.load().orElseThrow();
     *     store.save(client.refresh(current.refreshToken()));   // no other process spends it meanwhile
     * }
     * }</pre>
     *
     * <p>A lock is meant for the thread that took it; whether another thread may close it is up to the store
     * ({@link FileTokenStore}'s must be closed by the thread that took it).
     */
    @FunctionalInterface
    interface Lock extends AutoCloseable {
        /**
         * Releases the lock, so that other processes can take it.
         *
         * @throws IOException if the store reports a failure while releasing it
         */
        @Override
        void close() throws IOException;
    }
}
