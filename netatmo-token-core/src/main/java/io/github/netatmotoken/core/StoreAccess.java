package io.github.netatmotoken.core;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The store as a {@link RefreshingTokenSource} uses it: the {@link SharedTokenStore} steps where the store is
 * shared, and what they amount to for a store that one host uses (a token file: its lock already keeps the others
 * out, so a refresh is saved as it is). Keeps the source free of "is it shared?" branches. Thread-safe.
 */
final class StoreAccess {
    private final TokenStore store;
    private final @Nullable SharedTokenStore shared;

    StoreAccess(TokenStore store) {
        this.store = store;
        this.shared = store instanceof SharedTokenStore s ? s : null;
    }

    /** Whether other hosts share the store: then nothing is refreshed that the store could not take. */
    boolean shared() {
        return shared != null;
    }

    /**
     * Stores {@code token} in place of {@code basis}: what a refresh of {@code basis} returned, or a token whose
     * earlier save failed. A shared store takes it only if it still holds {@code basis} (or, for {@code null}, no
     * token), or holds {@code token} already: a retried write never undoes what another process built on it since.
     *
     * @return {@code false} if a shared store has moved on to another token (a new authorization, or a refresh of
     *     {@code token} that another process made after a write whose answer was lost), which wins
     */
    boolean replace(@Nullable Token basis, Token token) throws IOException {
        if (shared == null) {
            store.save(token);
            return true;
        }
        if (basis != null) {
            return shared.saveRefreshed(basis, token);
        }
        return shared.saveIfAbsent(token) || shared.load().map(token::equals).orElse(false);
    }

    /** Records the intent to spend {@code spent}, so that a crash in the window can be explained later. */
    void refreshing(Token spent) throws IOException {
        if (shared != null) {
            shared.refreshing(spent);
        }
    }

    /**
     * After {@code invalid_grant}: the store's token if another process rotated {@code spent} a moment ago. A
     * shared store that cannot be reached throws (the refusal may be explained there, so it is not final yet).
     */
    Optional<Token> awaitNewer(Token spent, Duration timeout) throws IOException {
        if (shared != null) {
            return shared.awaitNewer(spent, timeout);
        }
        Optional<Token> stored;
        try {
            stored = store.load();
        } catch (IOException | RuntimeException e) {
            // A store of one host that cannot be read holds nothing newer: NetAtmo's answer stands.
            return Optional.empty();
        }
        return stored.filter(t -> t.hasRefreshToken() && !Objects.equals(t.refreshToken(), spent.refreshToken()));
    }

    /** Why {@code spent}'s chain was lost, if a shared store knows who was refreshing it. */
    Optional<String> lossExplanation(Token spent) {
        return shared == null ? Optional.empty() : shared.lossExplanation(spent);
    }

    /** Runs {@code onChange} when another process stores a new token; nothing for a store that cannot tell. */
    SharedTokenStore.Subscription subscribe(Runnable onChange) {
        return shared == null ? () -> { } : shared.subscribe(onChange);
    }

    /** What is wrong with a shared store right now, or {@code null}. */
    @Nullable String problem() {
        return shared == null ? null : shared.problem().orElse(null);
    }
}
