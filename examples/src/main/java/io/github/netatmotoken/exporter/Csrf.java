package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import java.util.regex.Pattern;

/**
 * The per-browser token that the status page's form must carry: a random browser id in a {@code SameSite=Strict},
 * {@code HttpOnly} cookie, and in a hidden field its signature with this run's key. A page on another site can
 * neither read the cookie nor compute the signature; a cookie planted from a neighbouring name has no valid
 * signature. Thread-safe.
 */
final class Csrf {
    static final String COOKIE = "netatmo_exporter_csrf";
    static final String FIELD = "csrf";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final int MAX_AGE_SECONDS = 30 * 24 * 3600;

    private final Hmac hmac;
    private final String cookiePath;

    Csrf(Hmac hmac, String cookiePath) {
        this.hmac = hmac;
        this.cookiePath = cookiePath;
    }

    /** The hidden field's value for this browser; gives the browser its id cookie first if it has none. */
    String fieldFor(HttpExchange exchange) {
        String id = Reply.cookie(exchange, COOKIE);
        if (id == null || !ID.matcher(id).matches()) {
            id = hmac.randomId(32);
            exchange.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + id + "; Path=" + cookiePath
                    + "; Max-Age=" + MAX_AGE_SECONDS + "; HttpOnly; SameSite=Strict");
        }
        return hmac.sign(message(id));
    }

    /** Whether {@code field} is the signature of this browser's id cookie. */
    boolean accepts(HttpExchange exchange, String field) {
        String id = Reply.cookie(exchange, COOKIE);
        return id != null && ID.matcher(id).matches() && hmac.verify(message(id), field);
    }

    /** What is signed: the id, marked so that no other signed value of this run can pass for a field. */
    private static String message(String id) {
        return "csrf|" + id;
    }
}
