package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Writes responses to, and reads parameters from, a JDK {@link HttpExchange}. */
final class Reply {
    /** Forms here carry one refresh token; anything larger is refused. */
    static final int MAX_FORM_BYTES = 16 * 1024;

    private Reply() {
    }

    /**
     * The policy of every HTML page: the page's own style sheet and script only, forms only to itself, never in a
     * frame, no {@code <base>}.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /** An HTML page; its links to the style sheet are relative to the request's path. */
    static void html(HttpExchange exchange, int status, String title, String body) throws IOException {
        html(exchange, status, title, body, "");
    }

    /** As {@link #html(HttpExchange, int, String, String)}, with {@code head} markup added to the head. */
    static void html(HttpExchange exchange, int status, String title, String body, String head) throws IOException {
        exchange.getResponseHeaders().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        send(exchange, status, "text/html; charset=utf-8",
                Html.page(title, body, root(exchange), head).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The relative path from the request's path to the exporter's root: {@code ""} for {@code /x}, {@code "../"}
     * for {@code /auth/x}. Relative links keep working behind a reverse proxy that adds a path prefix.
     */
    static String root(HttpExchange exchange) {
        String path = exchange.getRequestURI().getRawPath();
        int depth = path == null ? 0 : (int) path.chars().filter(c -> c == '/').count() - 1;
        return "../".repeat(Math.max(0, depth));
    }

    static void json(HttpExchange exchange, int status, String json) throws IOException {
        send(exchange, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    static void text(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** A 303 to {@code location}, which may be relative to the request's URL: where a form's answer is. */
    static void redirect(HttpExchange exchange, String location) throws IOException {
        redirect(exchange, 303, location);
    }

    /** A 302 to {@code location}: the browser goes on elsewhere, as to NetAtmo's consent page. */
    static void found(HttpExchange exchange, String location) throws IOException {
        redirect(exchange, 302, location);
    }

    private static void redirect(HttpExchange exchange, int status, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        securityHeaders(exchange);
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    static void methodNotAllowed(HttpExchange exchange, String allow) throws IOException {
        exchange.getResponseHeaders().set("Allow", allow);
        text(exchange, 405, "Method " + exchange.getRequestMethod() + " is not allowed here; use " + allow + "\n");
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().putIfAbsent("Cache-Control", List.of("no-store"));
        securityHeaders(exchange);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    /** The headers every response carries: no sniffing, no framing, no referrer sent on from our pages. */
    static void securityHeaders(HttpExchange exchange) {
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    }

    /**
     * The value of the request's cookie {@code name}, or {@code null}; the first one wins. Reads browsers'
     * {@code a=b; c=d} and the older quoted form some HTTP clients send ({@code a="b";$Path="/"}).
     */
    static String cookie(HttpExchange exchange, String name) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String pair : header.split("[;,]")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                    String value = pair.substring(eq + 1).trim();
                    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                            ? value.substring(1, value.length() - 1) : value;
                }
            }
        }
        return null;
    }

    /** The query parameters; the first value of each wins. */
    static Map<String, String> query(HttpExchange exchange) {
        return decode(exchange.getRequestURI().getRawQuery());
    }

    /** The fields of an {@code application/x-www-form-urlencoded} body, at most {@link #MAX_FORM_BYTES}. */
    static Map<String, String> form(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_FORM_BYTES + 1);
            if (bytes.length > MAX_FORM_BYTES) {
                throw new IOException("form larger than " + MAX_FORM_BYTES + " bytes");
            }
            return decode(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    static Map<String, String> decode(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a malformed %-escape: skip the pair
            }
        }
        return out;
    }
}
