package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenTest {
    private static final Instant T = Instant.parse("2026-01-15T10:00:00Z");

    @Test
    void emptyStringsCountAsMissing() {
        Token token = new Token("", "", null);
        assertNull(token.accessToken());
        assertNull(token.refreshToken());
        assertFalse(token.hasAccessToken());
        assertFalse(token.hasRefreshToken());
    }

    @Test
    void expiredAtAndAfterExpiryButNotBefore() {
        Token token = new Token("a", "r", T);
        assertFalse(token.isExpiredAt(T.minusNanos(1)));
        assertTrue(token.isExpiredAt(T));
        assertTrue(token.isExpiredAt(T.plusSeconds(1)));
    }

    @Test
    void unknownExpiryNeverExpiresButAMissingAccessTokenAlwaysHas() {
        assertFalse(new Token("a", null, null).isExpiredAt(Instant.MAX));
        assertTrue(new Token(null, "r", null).isExpiredAt(Instant.MIN));
    }

    @Test
    void withersKeepTheOtherComponents() {
        Token token = new Token("a", "r", T);
        assertEquals(new Token("a", "r", T.plusSeconds(5)), token.withExpiry(T.plusSeconds(5)));
        assertEquals(new Token("a", "r2", T), token.withRefreshToken("r2"));
        assertEquals(new Token(null, "r", null), Token.ofRefreshToken("r"));
    }

    @Test
    void toStringShowsFingerprintsNeverValues() {
        String secretAccess = "access-secret-value-123";
        String secretRefresh = "refresh-secret-value-456";
        String text = new Token(secretAccess, secretRefresh, T).toString();
        assertFalse(text.contains(secretAccess), text);
        assertFalse(text.contains(secretRefresh), text);
        assertTrue(text.matches("Token\\[accessToken=sha256:[0-9a-f]{8}, refreshToken=sha256:[0-9a-f]{8},"
                + " expiry=2026-01-15T10:00:00Z]"), text);
        assertEquals("Token[accessToken=absent, refreshToken=absent, expiry=unknown]",
                new Token(null, null, null).toString());
    }

    @Test
    void fingerprintsTellTokensApart() {
        assertFalse(Token.describe("one").equals(Token.describe("two")));
        assertEquals(Token.describe("one"), Token.describe("one"));
    }
}
