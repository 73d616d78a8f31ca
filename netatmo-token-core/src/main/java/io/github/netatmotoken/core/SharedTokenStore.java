package io.github.netatmotoken.core;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A {@link TokenStore} that processes on several hosts share, so that they behave like one careful client of one
 * NetAtmo account: {@code JdbcTokenStore} (PostgreSQL) and {@code RedisTokenStore} are the two this project ships.
 * A {@link RefreshingTokenSource} built on one uses the extra methods below on its own; an application only builds
 * the store and hands it to the source.
 *
 * <p>The stored token carries a <em>generation</em>, a number that grows by one with every write. The store's
 * guarantees, which its implementations must keep:
 * <ul>
 *   <li>{@link #lock(Duration)} is a <em>lease</em> with a deadline taken on the engine's own clock, renewed while
 *       it is held and released by closing it. Only the lease holder calls NetAtmo's token endpoint; a process that
 *       dies holding it blocks the others only until the lease runs out.</li>
 *   <li>{@link #saveRefreshed} is a compare-and-set on the generation of the token that was spent, not on the
 *       lease: the token a refresh returned is the only live one, so it is stored even if the lease expired
 *       meanwhile, unless the store has moved on.</li>
 *   <li>{@link #save} is a new authorization: it always wins, as a new generation.</li>
 *   <li>{@link #saveIfAbsent} seeds an empty store and never overwrites.</li>
 *   <li>{@link #subscribe} tells the other processes that a new generation exists, by the engine's notifications
 *       and by polling when those are lost.</li>
 * </ul>
 *
 * <pre>{@code
 * SharedTokenStore store = JdbcTokenStore.builder().dataSource(dataSource).key(clientId).build();
 * RefreshingTokenSource tokens = RefreshingTokenSource.builder().store(store).client(client).build();
 * }</pre>
 *
 * <p>Implementations are thread-safe, and {@link #close()} always returns.
 */
public interface SharedTokenStore extends TokenStore, AutoCloseable {

    /**
     * Stores a token that a refresh returned, if the store still holds the generation that was spent for it.
     * A failed write is retried (a new connection, backoff) until it lands, until the store has moved on, or for at
     * most the store's write timeout; then an {@link IOException} says that the token is not stored yet, and the
     * caller keeps it and tries again.
     *
     * @param spent the token whose refresh token was sent to NetAtmo, as {@link #load()} returned it
     * @param fresh what NetAtmo answered: now the only live token of the chain
     * @return {@code true} if {@code fresh} is stored (also if it already was); {@code false} if the store holds a
     *     later generation that does not descend from {@code spent} (a new authorization), whose token wins
     * @throws IOException if the write did not land in time; nothing was lost, the store still holds {@code spent}
     */
    boolean saveRefreshed(Token spent, Token fresh) throws IOException;

    /**
     * Stores a token only if the store holds none: seeding from a token file or a flag never overwrites.
     *
     * @param token the token to seed the store with
     * @return {@code true} if it was stored, {@code false} if the store already held a token, which is kept
     * @throws IOException if the store cannot be reached
     */
    boolean saveIfAbsent(Token token) throws IOException;

    /**
     * Records, while holding the lease, that this process is about to send the refresh token of {@code spent} to
     * NetAtmo: the intent (generation, process, host, time) outlives a crash, so that a later
     * {@link #lossExplanation(Token)} can name the process that was refreshing when the chain was lost.
     *
     * @param spent the token about to be spent, as {@link #load()} returned it
     * @throws IOException if the intent cannot be recorded; the refresh must then not happen, because its result
     *     could not be stored either
     */
    void refreshing(Token spent) throws IOException;

    /**
     * After NetAtmo refused the refresh token of {@code spent} ({@code invalid_grant}): reads the store again and
     * waits out a lease that another process holds, because that process may have rotated the token a moment ago.
     *
     * @param spent the token NetAtmo refused
     * @param timeout how long to wait at most for another holder's lease to end
     * @return the store's token if it is not {@code spent} (the one to adopt), or empty if the store still holds
     *     {@code spent} when no other process is refreshing, or when the wait ran out
     * @throws IOException if the store cannot be reached
     */
    Optional<Token> awaitNewer(Token spent, Duration timeout) throws IOException;

    /**
     * Explains a lost chain: if another process recorded that it was {@link #refreshing(Token) refreshing}
     * {@code spent} and never stored the result, says which process, on which host, and when.
     *
     * @param spent the token NetAtmo refused
     * @return for example "the token chain was lost while process 4711 on host b was refreshing it at
     *     2026-12-02T10:00:00Z", or empty if no such record exists or the store cannot be read
     */
    Optional<String> lossExplanation(Token spent);

    /**
     * Asks to be told when another process stores a new generation. The callback runs on a thread of the store's;
     * it must return quickly (a {@link RefreshingTokenSource} only schedules a read of the store). Notifications
     * can be lost, so the store also polls; a callback may come for a write of this process too.
     *
     * @param onChange what to run after a new generation appeared
     * @return the subscription; closing it stops the callbacks
     */
    Subscription subscribe(Runnable onChange);

    /**
     * {@return what is wrong with the store right now, for status pages and metrics (for example "cannot reach
     * PostgreSQL at db:5432: Connection refused"), or empty when its last operation worked; never a password or a
     * token}
     */
    Optional<String> problem();

    /** Stops the store's threads and closes its connections; returns within a few seconds, always. */
    @Override
    void close();

    /** A {@link #subscribe} registration; closing it twice does nothing. */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        /** Stops the callbacks. */
        @Override
        void close();
    }
}
