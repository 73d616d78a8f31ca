package io.github.netatmotoken.exporter;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The random, single-use {@code state} values of authorize requests in flight, so that a callback is accepted
 * only for an authorization this exporter started, and only once. Thread-safe.
 */
final class AuthStates {
    static final Duration LIFETIME = Duration.ofMinutes(15);
    static final int MAX_PENDING = 32;

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Map<String, Instant> pending = new LinkedHashMap<>();

    AuthStates(Clock clock) {
        this.clock = clock;
    }

    /** A new state, valid for {@link #LIFETIME}; the oldest is forgotten beyond {@link #MAX_PENDING}. */
    synchronized String issue() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        expire();
        if (pending.size() >= MAX_PENDING) {
            Iterator<String> oldest = pending.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        pending.put(state, clock.instant().plus(LIFETIME));
        return state;
    }

    /** Whether {@code state} was issued, is not expired and was not used yet; it is used up by this call. */
    synchronized boolean consume(String state) {
        expire();
        return state != null && pending.remove(state) != null;
    }

    private void expire() {
        Instant now = clock.instant();
        pending.values().removeIf(until -> !now.isBefore(until));
    }
}
