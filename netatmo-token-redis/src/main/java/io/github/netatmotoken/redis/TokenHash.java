package io.github.netatmotoken.redis;

import io.github.netatmotoken.core.Token;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The format of the token in Redis: one hash at {@code prefix + key}, read with one {@code HGETALL} and written only
 * by the scripts of {@link Scripts}.
 *
 * <ul>
 *   <li>{@code generation}: grows by one with every write; missing while the store holds no token</li>
 *   <li>{@code access_token}, {@code refresh_token}, {@code expiry}: the token; a missing component has no field.
 *       The expiry is {@link Instant#toString()} text, so that it comes back equal to the nanosecond</li>
 *   <li>{@code intent_generation}, {@code intent_holder}, {@code intent_at}: the last
 *       {@link RedisTokenStore#refreshing refreshing} record; {@code lost_*}: an intent that was overtaken by another
 *       one for the same generation, whose result was never stored. {@code *_at} is microseconds since the epoch
 *       on Redis's clock</li>
 * </ul>
 *
 * @param token the stored token, or null without one
 * @param generation the stored generation, 0 without a token
 * @param lostGeneration the generation of the lost record, or -1 without one
 * @param lostHolder who was refreshing when the chain was lost, or null
 * @param lostAt when that holder recorded its intent, or null
 */
record TokenHash(@Nullable Token token, long generation, long lostGeneration, @Nullable String lostHolder,
        @Nullable Instant lostAt) {

    /**
     * Reads the hash that {@code HGETALL} returned.
     *
     * @param fields the hash, empty if the key does not exist
     * @param where names the hash in a message ("the token hash x in Redis at h:6379")
     * @throws IOException if a field is not what the scripts write
     */
    static TokenHash read(Map<String, String> fields, String where) throws IOException {
        String generation = fields.get("generation");
        Token token = null;
        if (generation != null) {
            String expiry = fields.get("expiry");
            token = new Token(fields.get("access_token"), fields.get("refresh_token"),
                    expiry == null ? null : instant(expiry, where));
        }
        String lostAt = fields.get("lost_at");
        return new TokenHash(token, generation == null ? 0 : number(generation, "generation", where),
                fields.containsKey("lost_generation") ? number(fields.get("lost_generation"), "lost_generation", where)
                        : -1,
                fields.get("lost_holder"), lostAt == null || lostAt.isEmpty() ? null : micros(lostAt, where));
    }

    /** {@return the components of {@code token} as script arguments: access token, refresh token, expiry} */
    static List<String> arguments(Token token) {
        Instant expiry = token.expiry();
        return List.of(orEmpty(token.accessToken()), orEmpty(token.refreshToken()),
                expiry == null ? "" : expiry.toString());
    }

    static String orEmpty(@Nullable String text) {
        return text == null ? "" : text;
    }

    private static Instant instant(String text, String where) throws IOException {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IOException("The expiry in " + where + " is not an ISO-8601 instant such as"
                    + " 2026-12-02T10:00:00Z; it was not written by this library", e);
        }
    }

    private static Instant micros(String text, String where) throws IOException {
        long micros = number(text, "lost_at", where);
        return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
    }

    private static long number(@Nullable String text, String field, String where) throws IOException {
        try {
            return Long.parseLong(text == null ? "" : text);
        } catch (NumberFormatException e) {
            throw new IOException("The field " + field + " in " + where + " is not a number; it was not written by"
                    + " this library", e);
        }
    }
}
