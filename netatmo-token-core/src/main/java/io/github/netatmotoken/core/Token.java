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

    /** Normalizes empty strings to {@code null}: an empty token is a missing token. */
    public Token {
        accessToken = emptyToNull(accessToken);
        refreshToken = emptyToNull(refreshToken);
    }

    /** Returns a token with only a refresh token, as pasted from NetAtmo's token generator. */
    public static Token ofRefreshToken(String refreshToken) {
        return new Token(null, refreshToken, null);
    }

    /** Whether an access token is present. */
    public boolean hasAccessToken() {
        return accessToken != null;
    }

    /** Whether a refresh token is present, that is, whether this token can be renewed without the user. */
    public boolean hasRefreshToken() {
        return refreshToken != null;
    }

    /** Whether the expiry is known. */
    public boolean hasExpiry() {
        return expiry != null;
    }

    /**
     * Whether the access token has expired at {@code now}. A token without an access token counts as expired;
     * a token with an unknown expiry does not.
     */
    public boolean isExpiredAt(Instant now) {
        if (accessToken == null) {
            return true;
        }
        return expiry != null && !now.isBefore(expiry);
    }

    /** Returns a copy with another expiry. */
    public Token withExpiry(@Nullable Instant newExpiry) {
        return new Token(accessToken, refreshToken, newExpiry);
    }

    /** Returns a copy with another refresh token. */
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
