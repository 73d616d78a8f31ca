package io.github.netatmotoken.okhttp;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenSource;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands out a fixed sequence of tokens: invalidating the current one moves on to the next. Once the last one is
 * invalidated, {@link #token()} throws the given failure, or keeps returning the last token if there is none.
 * Records every call. Thread-safe.
 */
final class FakeTokenSource implements TokenSource {
    private final List<Token> tokens;
    private final IOException whenExhausted;
    private final List<Token> invalidated = new ArrayList<>();
    private int index;
    private boolean exhausted;
    private int tokenCalls;

    private FakeTokenSource(List<Token> tokens, IOException whenExhausted) {
        this.tokens = tokens;
        this.whenExhausted = whenExhausted;
    }

    /** Access tokens {@code accessTokens[0]}, then the next one after each invalidation. */
    static FakeTokenSource of(String... accessTokens) {
        return new FakeTokenSource(tokens(accessTokens), null);
    }

    /** Like {@link #of}, but {@code token()} throws {@code failure} once the last token is invalidated. */
    static FakeTokenSource thenFailing(IOException failure, String... accessTokens) {
        return new FakeTokenSource(tokens(accessTokens), failure);
    }

    /** A source whose {@code token()} always throws {@code failure}. */
    static FakeTokenSource failing(IOException failure) {
        FakeTokenSource source = new FakeTokenSource(List.of(), failure);
        source.exhausted = true;
        return source;
    }

    private static List<Token> tokens(String... accessTokens) {
        List<Token> list = new ArrayList<>();
        for (String access : accessTokens) {
            list.add(new Token(access, "refresh-for-" + access, Instant.parse("2030-01-01T00:00:00Z")));
        }
        return List.copyOf(list);
    }

    @Override
    public synchronized Token token() throws IOException {
        tokenCalls++;
        if (exhausted && whenExhausted != null) {
            throw whenExhausted;
        }
        return tokens.get(index);
    }

    @Override
    public synchronized void invalidate(Token rejected) {
        invalidated.add(rejected);
        if (!exhausted && tokens.get(index).equals(rejected)) {
            if (index + 1 < tokens.size()) {
                index++;
            } else {
                exhausted = true;
            }
        }
    }

    synchronized int tokenCalls() {
        return tokenCalls;
    }

    /** The access tokens passed to {@link #invalidate}, in order. */
    synchronized List<String> invalidated() {
        return invalidated.stream().map(Token::accessToken).toList();
    }
}
