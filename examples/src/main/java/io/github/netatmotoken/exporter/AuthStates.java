package io.github.netatmotoken.exporter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code state} values of authorizations, each bound to the browser that started it. A state is
 * {@code nonce.expiry.signature}, signed with this run's key together with the browser's binding id (kept in a
 * {@code SameSite=Lax} cookie, which the browser still sends when NetAtmo redirects it back). Nothing is stored
 * per authorization started, so no number of requests from elsewhere can push out a user's pending one; only
 * states already used are remembered, until they expire, so that each works once. Thread-safe.
 */
final class AuthStates {
    static final Duration LIFETIME = Duration.ofMinutes(15);
    static final String COOKIE = "netatmo_exporter_auth";
    /** Used states remembered at most; beyond, the oldest is forgotten (replaying it needs its browser's cookie). */
    static final int MAX_USED = 4096;
    private static final Pattern BINDER = Pattern.compile("[A-Za-z0-9_-]{22}");

    /** What a callback's state turned out to be. */
    enum Check {
        /** Started in this browser, not expired, not used before: now used. */
        VALID,
        /** The browser has no binding cookie: cookies blocked, or another browser or host name. */
        NO_COOKIE,
        /** Not signed for this browser by this run: forged, another browser's, or from before a restart. */
        FOREIGN,
        /** Older than {@link #LIFETIME}. */
        EXPIRED,
        /** Already used once (a reload of the callback page). */
        USED
    }

    private final Hmac hmac;
    private final Clock clock;
    private final Map<String, Instant> used = new LinkedHashMap<>();

    AuthStates(Hmac hmac, Clock clock) {
        this.hmac = hmac;
        this.clock = clock;
    }

    /** Whether {@code value} is a binding id this class made (its form; not whether it was issued). */
    static boolean isBinder(String value) {
        return value != null && BINDER.matcher(value).matches();
    }

    /** A new browser binding id, for the {@link #COOKIE} cookie. */
    String newBinder() {
        return hmac.randomId(16);
    }

    /** A new state for the browser with this binding id, valid for {@link #LIFETIME}. */
    String issue(String binder) {
        String nonce = hmac.randomId(18);
        long until = clock.instant().plus(LIFETIME).getEpochSecond();
        return nonce + "." + until + "." + hmac.sign(message(binder, nonce, until));
    }

    /** Checks a callback's {@code state} against the browser's binding id (or {@code null}); a valid one is used up. */
    synchronized Check consume(String state, String binder) {
        if (!isBinder(binder)) {
            return Check.NO_COOKIE;
        }
        String[] parts = state == null ? new String[0] : state.split("\\.", -1);
        long until;
        try {
            until = parts.length == 3 ? Long.parseLong(parts[1]) : -1;
        } catch (NumberFormatException e) {
            until = -1;
        }
        if (until < 0 || !hmac.verify(message(binder, parts[0], until), parts[2])) {
            return Check.FOREIGN;
        }
        Instant now = clock.instant();
        if (!now.isBefore(Instant.ofEpochSecond(until))) {
            return Check.EXPIRED;
        }
        used.values().removeIf(expiry -> !now.isBefore(expiry));
        if (used.containsKey(parts[0])) {
            return Check.USED;
        }
        if (used.size() >= MAX_USED) {
            Iterator<String> oldest = used.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        used.put(parts[0], Instant.ofEpochSecond(until));
        return Check.VALID;
    }

    private static String message(String binder, String nonce, long until) {
        return "state|" + binder + "|" + nonce + "|" + until;
    }
}
