package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: {@code save} then {@code load} gives back the token, for any strings (nulls, Unicode, very long) and
 * any instant from year 1 to 9999, except where the token file rules say otherwise (an incomplete token gets the
 * short expiry). Seeded, so a failure names the seed and the case that reproduce it.
 */
class TokenFileRoundTripTest {
    private static final long SEED = 0x5EED_7043L;
    private static final int FORMAT_CASES = 5_000;
    private static final int FILE_CASES = 200;
    private static final Instant YEAR_1 = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant YEAR_9999_END = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private final FakeClock clock = new FakeClock();

    @Test
    void formatThenParseReturnsAnEqualTokenOrWhatTheFileRulesPrescribe() throws IOException {
        SplittableRandom random = new SplittableRandom(SEED);
        Path file = Path.of("token.json");
        for (int i = 0; i < FORMAT_CASES; i++) {
            Token token = randomToken(random);
            assertEquals(expectedAfterLoad(token), TokenFile.parse(file, TokenFile.format(token), clock.instant()),
                    "seed " + SEED + ", case " + i + ": " + token);
        }
    }

    @Test
    void saveThenLoadReturnsAnEqualTokenOrWhatTheFileRulesPrescribe(@TempDir Path dir) throws IOException {
        FileTokenStore store = new FileTokenStore(dir.resolve("token.json"), clock);
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int i = 0; i < FILE_CASES; i++) {
            Token token = randomToken(random);
            store.save(token);
            assertEquals(expectedAfterLoad(token), store.load(), "seed " + (SEED + 1) + ", case " + i + ": " + token);
        }
    }

    private static Token randomToken(SplittableRandom random) {
        return new Token(randomString(random), randomString(random), randomInstant(random));
    }

    @Test
    void theExtremesOfTheFormatRoundTrip(@TempDir Path dir) throws IOException {
        FileTokenStore store = new FileTokenStore(dir.resolve("token.json"), clock);
        for (Instant expiry : new Instant[] {YEAR_1.plusNanos(1), YEAR_9999_END, Instant.EPOCH,
                Instant.parse("2024-02-29T23:59:59.000000001Z")}) {
            Token token = new Token("a\u0000\"\\\n\u2028😀", "r", expiry);
            store.save(token);
            assertEquals(Optional.of(token), store.load());
        }
    }

    @Test
    void aTokenTooLargeForTheFileIsRefusedAndTheOldFileKept(@TempDir Path dir) throws IOException {
        FileTokenStore store = new FileTokenStore(dir.resolve("token.json"), clock);
        Token small = new Token("a", "r", clock.instant());
        store.save(small);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.save(new Token("x".repeat(70_000), "r", clock.instant())));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertEquals(Optional.of(small), store.load());
    }

    /** The token file rules applied to a saved token: see {@link FileTokenStore}. */
    private Optional<Token> expectedAfterLoad(Token saved) {
        Instant expiry = TokenFile.GO_ZERO_TIME.equals(saved.expiry()) ? null : saved.expiry();
        if (!saved.hasAccessToken() && !saved.hasRefreshToken()) {
            return Optional.empty();
        }
        if (!saved.hasAccessToken() || (expiry == null && saved.hasRefreshToken())) {
            return Optional.of(new Token(saved.accessToken(), saved.refreshToken(), clock.instant()));
        }
        return Optional.of(new Token(saved.accessToken(), saved.refreshToken(), expiry));
    }

    private static String randomString(SplittableRandom random) {
        switch (random.nextInt(8)) {
            case 0:
                return null;
            case 1:
                return "";
            case 2:
                // Very long, yet within the 64 KiB file limit even if every character is escaped in six bytes.
                return randomCodePoints(random, 1_000 + random.nextInt(3_000));
            default:
                return randomCodePoints(random, 1 + random.nextInt(200));
        }
    }

    private static String randomCodePoints(SplittableRandom random, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int cp;
            switch (random.nextInt(4)) {
                case 0 -> cp = random.nextInt(0x20, 0x7F);                  // printable ASCII
                case 1 -> cp = random.nextInt(0x00, 0x20);                  // control characters
                case 2 -> cp = random.nextInt(0x80, 0xD800);                // BMP below the surrogates
                default -> cp = random.nextInt(0x10000, Character.MAX_CODE_POINT + 1); // astral planes
            }
            s.appendCodePoint(cp);
        }
        return s.toString();
    }

    private static Instant randomInstant(SplittableRandom random) {
        switch (random.nextInt(10)) {
            case 0:
                return null;
            case 1:
                return TokenFile.GO_ZERO_TIME;
            default:
                long seconds = random.nextLong(YEAR_1.getEpochSecond(), YEAR_9999_END.getEpochSecond() + 1);
                return Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000));
        }
    }
}
