package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each exception of the family says whether trying again later can help. */
class NetatmoExceptionTest {

    @Test
    void aRefreshThatMayPassIsRetryable() {
        assertTrue(new TokenRefreshException("HTTP 503", 503, null, null).isRetryable());
        assertTrue(new TokenRefreshException("timed out", null).isRetryable());
    }

    @Test
    void whatNeedsAPersonIsNotRetryable() {
        assertFalse(new NotAuthenticatedException("no token").isRetryable());
        assertFalse(new ReauthorizationRequiredException("invalid_grant", "invalid_grant", null).isRetryable());
        assertFalse(new TokenFileException(Path.of("token.json"), "not JSON").isRetryable());
    }

    @Test
    void oneCatchClauseTellsThemApart() throws IOException {
        FakeClock clock = new FakeClock();
        FakeTokenClient client = new FakeTokenClient(clock, Duration.ofHours(3), "refresh-0");
        client.behave(refreshToken -> {
            throw new TokenRefreshException("HTTP 502 from the fake endpoint", 502, null, null);
        });
        InMemoryTokenStore store = new InMemoryTokenStore(new Token("a", "refresh-0", clock.instant().minusSeconds(1)));
        try (RefreshingTokenSource source = RefreshingTokenSource.builder().store(store).client(client).clock(clock)
                .ticker(clock).scheduler(new ManualScheduler(clock)).executor(Runnable::run).build()) {
            boolean retryable;
            try {
                source.token();
                throw new AssertionError("no token expected");
            } catch (NetatmoException e) {
                retryable = e.isRetryable();
            }
            assertTrue(retryable);

            client.behave(refreshToken -> {
                throw new ReauthorizationRequiredException("invalid_grant", "invalid_grant", null);
            });
            clock.advance(Duration.ofMinutes(10)); // past the backoff
            NetatmoException e = assertThrows(NetatmoException.class, source::token);
            assertInstanceOf(ReauthorizationRequiredException.class, e);
            assertFalse(e.isRetryable());
        }
    }
}
