package io.github.netatmotoken.core;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token endpoint in memory that rotates strictly, like NetAtmo: each refresh token works once, and a spent one
 * gets {@code invalid_grant}. Failures can be scripted. Thread-safe.
 */
public final class FakeTokenClient implements TokenClient {
    /** Decides the outcome of one refresh call; return {@code null} for the normal rotation. */
    @FunctionalInterface
    public interface Behaviour {
        Token respond(String refreshToken) throws IOException;
    }

    private final Clock clock;
    private final Duration lifetime;
    private final AtomicInteger generation = new AtomicInteger();
    private final List<String> refreshTokensSeen = new CopyOnWriteArrayList<>();
    private volatile String validRefreshToken;
    private volatile Behaviour behaviour = refreshToken -> null;

    public FakeTokenClient(Clock clock, Duration lifetime, String validRefreshToken) {
        this.clock = clock;
        this.lifetime = lifetime;
        this.validRefreshToken = validRefreshToken;
    }

    @Override
    public Token refresh(String refreshToken) throws IOException {
        refreshTokensSeen.add(refreshToken);
        Token scripted = behaviour.respond(refreshToken);
        if (scripted != null) {
            return scripted;
        }
        synchronized (this) {
            if (!refreshToken.equals(validRefreshToken)) {
                throw new ReauthorizationRequiredException("invalid_grant from FakeTokenClient", "invalid_grant",
                        null);
            }
            int n = generation.incrementAndGet();
            validRefreshToken = "refresh-" + n;
            return new Token("access-" + n, validRefreshToken, clock.instant().plus(lifetime));
        }
    }

    @Override
    public Token exchangeCode(String code, URI redirectUri) {
        throw new UnsupportedOperationException("not used by these tests");
    }

    public void behave(Behaviour behaviour) {
        this.behaviour = behaviour;
    }

    public int refreshCount() {
        return refreshTokensSeen.size();
    }

    public List<String> refreshTokensSeen() {
        return List.copyOf(refreshTokensSeen);
    }

    public String validRefreshToken() {
        return validRefreshToken;
    }
}
