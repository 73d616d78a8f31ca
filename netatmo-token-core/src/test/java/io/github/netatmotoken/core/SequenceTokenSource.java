package io.github.netatmotoken.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands out access tokens {@code a1}, {@code a2}, ... in order: invalidating the current one moves on to the next,
 * and the last one stays. Records the invalidations. Thread-safe.
 */
final class SequenceTokenSource implements TokenSource {
    private final List<Token> tokens = new ArrayList<>();
    private final List<String> invalidated = new ArrayList<>();
    private int index;
    private int tokenCalls;

    SequenceTokenSource(String... accessTokens) {
        for (String access : accessTokens) {
            tokens.add(new Token(access, "refresh-for-" + access, Instant.parse("2030-01-01T00:00:00Z")));
        }
    }

    @Override
    public synchronized Token token() {
        tokenCalls++;
        return tokens.get(index);
    }

    @Override
    public synchronized void invalidate(Token rejected) {
        invalidated.add(rejected.accessToken());
        if (tokens.get(index).equals(rejected) && index + 1 < tokens.size()) {
            index++;
        }
    }

    synchronized List<String> invalidated() {
        return List.copyOf(invalidated);
    }

    synchronized int tokenCalls() {
        return tokenCalls;
    }
}
