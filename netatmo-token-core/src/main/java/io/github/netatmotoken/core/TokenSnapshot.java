package io.github.netatmotoken.core;

import org.jspecify.annotations.Nullable;

/**
 * The state of a {@link RefreshingTokenSource} as one immutable value with precomputed millisecond deadlines, so
 * that the source's hot path is one volatile read and one compare. Thread-safe.
 */
final class TokenSnapshot {
    /** What the snapshot means; only ACTIVE hands out its token without a second look. */
    enum Kind { NONE, ACTIVE, INVALIDATED, REAUTHORIZATION_REQUIRED, CLOSED }

    static final TokenSnapshot NONE = new TokenSnapshot(Kind.NONE, null, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE,
            null);
    static final TokenSnapshot CLOSED = new TokenSnapshot(Kind.CLOSED, null, Long.MIN_VALUE, Long.MIN_VALUE,
            Long.MIN_VALUE, null);

    final Kind kind;
    final @Nullable Token token;
    final long freshUntil;
    final long usableUntil;
    final long expiresAt;
    final @Nullable ReauthorizationRequiredException reauth;

    TokenSnapshot(Kind kind, @Nullable Token token, long freshUntil, long usableUntil, long expiresAt,
            @Nullable ReauthorizationRequiredException reauth) {
        this.kind = kind;
        this.token = token;
        this.freshUntil = freshUntil;
        this.usableUntil = usableUntil;
        this.expiresAt = expiresAt;
        this.reauth = reauth;
    }

    /** The token of an ACTIVE, INVALIDATED or REAUTHORIZATION_REQUIRED snapshot. */
    Token token() {
        if (token == null) {
            throw new IllegalStateException("a " + kind + " snapshot has no token");
        }
        return token;
    }

    ReauthorizationRequiredException reauth() {
        if (reauth == null) {
            throw new IllegalStateException("a " + kind + " snapshot has no reauthorization cause");
        }
        return reauth;
    }

    TokenSnapshot invalidated() {
        return new TokenSnapshot(Kind.INVALIDATED, token, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, null);
    }

    static TokenSnapshot reauthorizationRequired(@Nullable Token token, ReauthorizationRequiredException e) {
        return new TokenSnapshot(Kind.REAUTHORIZATION_REQUIRED, token, Long.MIN_VALUE, Long.MIN_VALUE,
                Long.MIN_VALUE, e);
    }
}
