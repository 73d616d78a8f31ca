package io.github.netatmotoken.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An OAuth2 token pair as NetAtmo issues it and as the token file stores it: an immutable value.
 *
 * <p>Every component may be {@code null}, because a token file written by hand or by another program may lack
 * it. An empty string is treated as missing and stored as {@code null}. A {@code null} expiry means "unknown":
 * the access token is used until the server rejects it.
 *
 * <pre>{@code
 * Token token = new Token(access, refresh, Instant.now().plus(Duration.ofHours(3)));
 * if (token.isExpiredAt(clock.instant()) && token.hasRefreshToken()) { ... refresh ... }
 * }</pre>
 *
 * <p>{@link #toString()} never shows a token value, only whether it is present and a short SHA-256
 * fingerprint, so a {@code Token} can be logged safely. Instances are immutable and thread-safe.
 *
 * @param accessToken the bearer token sent with API calls, or {@code null}
 * @param refreshToken the token that obtains the next pair, or {@code null}
 * @param expiry when the access token stops working, or {@code null} if unknown
 */
public record Token(@Nullable String accessToken, @Nullable String refreshToken, @Nullable Instant expiry) {

    /**
     * Normalizes empty strings to {@code null}: an empty token is a missing token.
     *
     * @param accessToken the bearer token sent with API calls, or {@code null} if there is none yet (as after
     *     {@link #ofRefreshToken(String)}); an empty string becomes {@code null}
     * @param refreshToken the token that obtains the next pair, or {@code null} if this token cannot be renewed
     *     without the user; an empty string becomes {@code null}
     * @param expiry when the access token stops working, or {@code null} if unknown; it is not checked against
     *     the clock here, so an expired token can be represented (and refreshed)
     */
    public Token {
        accessToken = emptyToNull(accessToken);
        refreshToken = emptyToNull(refreshToken);
    }

    /**
     * Returns a token with only a refresh token, as pasted from NetAtmo's token generator.
     *
     * @param refreshToken the refresh token as NetAtmo's token generator shows it; an empty string gives a token
     *     with neither an access nor a refresh token, which {@link RefreshingTokenSource#setToken(Token)} refuses
     * @return a token without access token and expiry, which a {@link RefreshingTokenSource} refreshes at once
     */
    public static Token ofRefreshToken(String refreshToken) {
        return new Token(null, refreshToken, null);
    }

    /** {@return whether an access token is present} */
    public boolean hasAccessToken() {
        return accessToken != null;
    }

    /** {@return whether a refresh token is present, that is, whether this token can be renewed without the user} */
    public boolean hasRefreshToken() {
        return refreshToken != null;
    }

    /** {@return whether the expiry is known} */
    public boolean hasExpiry() {
        return expiry != null;
    }

    /**
     * Whether the access token has expired at {@code now}. A token without an access token counts as expired;
     * a token with an unknown expiry does not.
     *
     * @param now the instant to judge at, normally {@code clock.instant()} of the caller's {@link java.time.Clock}
     *     so that tests can move time; the expiry instant itself already counts as expired
     * @return {@code true} if there is no access token or {@code now} is at or after the expiry
     */
    public boolean isExpiredAt(Instant now) {
        if (accessToken == null) {
            return true;
        }
        return expiry != null && !now.isBefore(expiry);
    }

    /**
     * Returns a copy with another expiry.
     *
     * @param newExpiry the expiry of the copy, or {@code null} for unknown
     * @return a new token with this token's access and refresh token; this one is unchanged
     */
    public Token withExpiry(@Nullable Instant newExpiry) {
        return new Token(accessToken, refreshToken, newExpiry);
    }

    /**
     * Returns a copy with another refresh token.
     *
     * @param newRefreshToken the refresh token of the copy, or {@code null} for none; an empty string counts as
     *     {@code null}
     * @return a new token with this token's access token and expiry; this one is unchanged
     */
    public Token withRefreshToken(@Nullable String newRefreshToken) {
        return new Token(accessToken, newRefreshToken, expiry);
    }

    /**
     * Shows presence, fingerprints and the expiry, never a token value, for example
     * {@code Token[accessToken=sha256:1f2e3d4c, refreshToken=absent, expiry=2026-01-01T00:00:00Z]}.
     */
    @Override
    public String toString() {
        return "Token[accessToken=" + describe(accessToken)
                + ", refreshToken=" + describe(refreshToken)
                + ", expiry=" + (expiry == null ? "unknown" : expiry) + "]";
    }

    /**
     * Returns a short, non-reversible fingerprint of a secret ({@code sha256:} and 8 hex digits) so that logs can
     * tell two tokens apart without revealing either; {@code absent} for {@code null}.
     */
    static String describe(@Nullable String secret) {
        if (secret == null) {
            return "absent";
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder("sha256:");
            for (int i = 0; i < 4; i++) {
                hex.append(Character.forDigit((digest[i] >> 4) & 0xF, 16)).append(Character.forDigit(digest[i] & 0xF, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            return "present"; // every Java platform has SHA-256; never fall back to the value itself
        }
    }

    private static @Nullable String emptyToNull(@Nullable String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
