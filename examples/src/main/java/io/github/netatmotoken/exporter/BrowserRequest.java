package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import java.net.URI;
import java.util.Locale;

/**
 * Tells requests from browsers from those of scripts, and cross-site browser requests from same-origin ones.
 * A browser sends {@code Sec-Fetch-Site} (all current ones) or at least {@code Origin} on a POST; {@code curl}
 * and Prometheus send neither, so automation keeps working, and a script cannot be tricked by another site.
 */
final class BrowserRequest {
    private BrowserRequest() {
    }

    /** Whether the request carries a browser's fetch metadata or an {@code Origin}. */
    static boolean fromBrowser(HttpExchange exchange) {
        var headers = exchange.getRequestHeaders();
        return headers.containsKey("Origin") || headers.containsKey("Sec-Fetch-Site")
                || headers.containsKey("Sec-Fetch-Mode");
    }

    /**
     * Whether the request may come from a browser, for the checks that cost a script nothing (the {@code Host}
     * check, moving an authorization to the callback's host): {@link #fromBrowser}, or the headers every browser
     * sends with every request, which a page cannot remove: {@code Accept-Language}, and a {@code User-Agent}
     * beginning {@code Mozilla/}. Over plain HTTP to a name or LAN address, which browsers do not count as
     * "potentially trustworthy", they send no {@code Sec-Fetch-*} headers, and a same-origin {@code fetch} GET has
     * no {@code Origin}: that is how a DNS rebinding page reads what it wants. {@code curl}, Prometheus and most
     * HTTP libraries send neither header.
     */
    static boolean mayBeBrowser(HttpExchange exchange) {
        var headers = exchange.getRequestHeaders();
        String agent = headers.getFirst("User-Agent");
        return fromBrowser(exchange) || headers.containsKey("Accept-Language")
                || (agent != null && agent.startsWith("Mozilla/"));
    }

    /**
     * Why this browser request is not same-origin, or {@code null} if it is or may be: {@code Sec-Fetch-Site} must
     * be {@code same-origin} (which settles it) or {@code none} (typed or bookmarked), and {@code Origin}, when
     * sent, must name the host the request was sent to or the external URL, or be {@code null}.
     *
     * <p>{@code Origin: null} is what the status page's own form sends: under its {@code Referrer-Policy:
     * no-referrer} browsers serialize the origin of a form POST as {@code null}, and over plain HTTP to a LAN
     * address or name they send no {@code Sec-Fetch-*} either. Sandboxed frames and {@code data:} pages send it
     * too, so such a request is left to the CSRF field: see {@link #hasOpaqueOrigin}.
     */
    static String crossSiteReason(HttpExchange exchange, URI externalUrl) {
        String site = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
        if ("same-origin".equals(site)) {
            return null;
        }
        if (site != null && !site.equals("none")) {
            return "Sec-Fetch-Site is " + site;
        }
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin == null || origin.equals("null")) {
            return null;
        }
        String authority = authorityOf(origin);
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (authority != null && (authority.equalsIgnoreCase(host == null ? "" : host)
                || authority.equalsIgnoreCase(authorityOf(externalUrl.toString())))) {
            return null;
        }
        return "Origin " + origin + " is not " + (host == null ? "this exporter" : host);
    }

    /**
     * Whether the request's origin is opaque ({@code Origin: null}) and not vouched for by {@code Sec-Fetch-Site:
     * same-origin}: only a valid CSRF field makes such a request the status page's own.
     */
    static boolean hasOpaqueOrigin(HttpExchange exchange) {
        return "null".equals(exchange.getRequestHeaders().getFirst("Origin"))
                && !"same-origin".equals(exchange.getRequestHeaders().getFirst("Sec-Fetch-Site"));
    }

    /** {@code host[:port]} of an origin or URL, the port left out when it is the scheme's default. */
    static String authorityOf(String url) {
        try {
            URI u = URI.create(url);
            if (u.getHost() == null || u.getScheme() == null) {
                return null;
            }
            String scheme = u.getScheme().toLowerCase(Locale.ROOT);
            int port = u.getPort();
            boolean defaultPort = port < 0 || (scheme.equals("http") && port == 80)
                    || (scheme.equals("https") && port == 443);
            return u.getHost() + (defaultPort ? "" : ":" + port);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
