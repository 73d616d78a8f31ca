package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuthStatesTest {
    private final FakeClock clock = new FakeClock();
    private final AuthStates states = new AuthStates(new Hmac(new SecureRandom()), clock);

    @Test
    void aStateWorksOnceInTheBrowserThatStartedIt() {
        String binder = states.newBinder();
        String state = states.issue(binder);

        assertEquals(AuthStates.Check.FOREIGN, states.consume(state, states.newBinder()));
        assertEquals(AuthStates.Check.NO_COOKIE, states.consume(state, null));
        assertEquals(AuthStates.Check.VALID, states.consume(state, binder));
        assertEquals(AuthStates.Check.USED, states.consume(state, binder));
    }

    @Test
    void manyStatesIssuedElsewhereLeaveAPendingOneValid() {
        String binder = states.newBinder();
        String state = states.issue(binder);
        for (int i = 0; i < 10_000; i++) {
            String other = states.newBinder();
            states.consume(states.issue(other), other);
        }

        assertEquals(AuthStates.Check.VALID, states.consume(state, binder));
    }

    @Test
    void aStateExpiresAfterItsLifetime() {
        String binder = states.newBinder();
        String state = states.issue(binder);

        clock.advance(AuthStates.LIFETIME.minusSeconds(1));
        String fresh = states.issue(binder);
        clock.advance(Duration.ofSeconds(1));

        assertEquals(AuthStates.Check.EXPIRED, states.consume(state, binder));
        assertEquals(AuthStates.Check.VALID, states.consume(fresh, binder));
    }

    @Test
    void tamperedOrMalformedStatesAreForeign() {
        String binder = states.newBinder();
        String[] parts = states.issue(binder).split("\\.");
        long later = Long.parseLong(parts[1]) + 86_400;

        for (String bad : new String[] {parts[0] + "." + later + "." + parts[2], "x", "a.b.c", "..", "a.1", ""}) {
            assertEquals(AuthStates.Check.FOREIGN, states.consume(bad, binder), bad);
        }
        assertEquals(AuthStates.Check.FOREIGN, new AuthStates(new Hmac(new SecureRandom()), clock)
                .consume(String.join(".", parts), binder), "a state of an earlier run");
    }

    @Test
    void bindersHaveOneForm() {
        assertTrue(AuthStates.isBinder(states.newBinder()));
        assertFalse(AuthStates.isBinder("short"));
        assertFalse(AuthStates.isBinder(null));
    }
}
