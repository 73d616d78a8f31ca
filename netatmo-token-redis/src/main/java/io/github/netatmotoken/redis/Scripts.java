package io.github.netatmotoken.redis;

import io.github.netatmotoken.core.Token;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The Lua scripts of the store, one {@code .lua} resource each next to this class, and the one place that calls
 * them: every compare-and-set on the token hash ({@link TokenHash}) and on the lease is one script, so that it is
 * one atomic step on the server. The scripts that touch the token hash start with {@code token.lua}, their shared
 * functions.
 *
 * <p>Each call is {@code EVALSHA}, and {@code EVAL} (which loads the script) when the server does not know it yet,
 * after a restart or a {@code SCRIPT FLUSH}. Jedis exceptions pass through: the store turns them into
 * {@link IOException}s. Immutable and thread-safe.
 */
final class Scripts {
    /** What {@link #saveRefreshed} answers: whether the fresh token is stored, and the generation Redis holds. */
    record Outcome(boolean stored, long generation) {
    }

    private final Script save = Script.token("save.lua");
    private final Script saveIfAbsent = Script.token("save-if-absent.lua");
    private final Script saveRefreshed = Script.token("save-refreshed.lua");
    private final Script refreshing = Script.token("refreshing.lua");
    private final Script renew = Script.plain("renew.lua");
    private final Script release = Script.plain("release.lua");

    /** A new authorization: stores {@code token} as the next generation and publishes it; returns the generation. */
    long save(UnifiedJedis redis, String hash, String channel, Token token) {
        return number(save.run(redis, hash, withChannel(channel, List.of(), token)));
    }

    /** Stores {@code token} only if the hash holds none; returns its generation, or 0 if a token was there. */
    long saveIfAbsent(UnifiedJedis redis, String hash, String channel, Token token) {
        return number(saveIfAbsent.run(redis, hash, withChannel(channel, List.of(), token)));
    }

    /**
     * Stores {@code fresh} if the hash still holds the generation that was spent: {@code expected}, or without it
     * the stored one if it holds {@code spentRefreshToken}. Already holding {@code fresh} counts as stored.
     */
    Outcome saveRefreshed(UnifiedJedis redis, String hash, String channel, @Nullable Long expected,
            @Nullable String spentRefreshToken, Token fresh) {
        List<String> before = List.of(expected == null ? "" : expected.toString(),
                TokenHash.orEmpty(spentRefreshToken));
        Object reply = saveRefreshed.run(redis, hash, withChannel(channel, before, fresh));
        if (!(reply instanceof List<?> answer) || answer.size() != 2) {
            throw new IllegalStateException("save-refreshed.lua answered " + reply + " instead of two numbers");
        }
        return new Outcome(number(answer.get(0)) == 1, number(answer.get(1)));
    }

    /**
     * Records that {@code holder} is about to spend generation {@code generation} (the stored one if null), first
     * moving an intent of another attempt on that generation to the lost record; returns the generation recorded.
     */
    long refreshing(UnifiedJedis redis, String hash, @Nullable Long generation, String holder) {
        return number(refreshing.run(redis, hash, List.of(generation == null ? "" : generation.toString(), holder)));
    }

    /** Renews the lease if it still holds {@code value}; {@code false} if it ran out or another holder took it. */
    boolean renew(UnifiedJedis redis, String lease, String value, Duration ttl) {
        return number(renew.run(redis, lease, List.of(value, Long.toString(ttl.toMillis())))) == 1;
    }

    /** Deletes the lease if it still holds {@code value}; {@code false} if it had run out or is another's. */
    boolean release(UnifiedJedis redis, String lease, String value) {
        return number(release.run(redis, lease, List.of(value))) == 1;
    }

    private static List<String> withChannel(String channel, List<String> before, Token token) {
        List<String> arguments = new ArrayList<>();
        arguments.add(channel);
        arguments.addAll(before);
        arguments.addAll(TokenHash.arguments(token));
        return arguments;
    }

    private static long number(@Nullable Object reply) {
        if (!(reply instanceof Long value)) {
            throw new IllegalStateException("a script of the Redis token store answered " + reply
                    + " instead of a number");
        }
        return value;
    }

    /** One script: its text and its SHA-1, by which Redis caches it. */
    private record Script(String name, String text, String sha) {
        static Script token(String name) {
            return of(name, resource("token.lua") + resource(name));
        }

        static Script plain(String name) {
            return of(name, resource(name));
        }

        private static Script of(String name, String text) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
                return new Script(name, text, HexFormat.of().formatHex(digest));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-1", e);
            }
        }

        private static String resource(String name) {
            try (InputStream in = Scripts.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("the Lua script " + name + " is missing from the jar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the Lua script " + name + " from the jar", e);
            }
        }

        @Nullable Object run(UnifiedJedis redis, String key, List<String> arguments) {
            try {
                return redis.evalsha(sha, List.of(key), arguments);
            } catch (JedisNoScriptException e) {
                return redis.eval(text, List.of(key), arguments);
            }
        }
    }
}
