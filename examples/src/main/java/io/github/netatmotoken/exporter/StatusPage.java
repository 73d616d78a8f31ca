package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.RefreshingTokenSource.State;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;

/**
 * The HTML page at {@code /}: whether the exporter is authorized, how long the token lasts, how the last data
 * refresh went, and what to do when something is wrong. Shows no token value.
 */
final class StatusPage {
    private final Supplier<RefreshingTokenSource.Status> tokenStatus;
    private final Supplier<DataSnapshot> data;
    private final Clock clock;
    private final String tokenStoreDescription;
    private final boolean debugHandlers;
    private final boolean demo;

    StatusPage(Supplier<RefreshingTokenSource.Status> tokenStatus, Supplier<DataSnapshot> data, Clock clock,
            String tokenStoreDescription, boolean debugHandlers, boolean demo) {
        this.tokenStatus = tokenStatus;
        this.data = data;
        this.clock = clock;
        this.tokenStoreDescription = tokenStoreDescription;
        this.debugHandlers = debugHandlers;
        this.demo = demo;
    }

    void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/")) {
            Reply.text(exchange, 404, "Not found: " + exchange.getRequestURI().getPath()
                    + "\nSee / for the status page and /metrics for the metrics.\n");
            return;
        }
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            Reply.methodNotAllowed(exchange, "GET");
            return;
        }
        Reply.html(exchange, 200, "NetAtmo exporter", render());
    }

    String render() {
        RefreshingTokenSource.Status token = tokenStatus.get();
        DataSnapshot snapshot = data.get();
        Instant now = clock.instant();
        StringBuilder b = new StringBuilder("<h1>NetAtmo exporter</h1>\n");
        if (demo) {
            b.append("<p class=\"box warn\">Demo mode: this exporter talks to a simulated NetAtmo API running in"
                    + " the same process. Authorizing asks the simulation, not NetAtmo.</p>\n");
        }
        b.append("<h2>Token</h2>\n<table>\n");
        row(b, "State", stateClass(token.state()), describe(token.state()));
        if (token.expiry() != null) {
            Duration left = Duration.between(now, token.expiry());
            row(b, "Access token expires", null, token.expiry().truncatedTo(ChronoUnit.SECONDS)
                    + (left.isNegative() ? " (expired " + human(left.negated()) + " ago)" : " (in " + human(left) + ")"));
        } else if (token.state() == State.VALID) {
            row(b, "Access token expires", null, "unknown");
        }
        row(b, "Refresh token", null, token.hasRefreshToken() ? "present" : "absent");
        row(b, "Stored in", null, tokenStoreDescription);
        row(b, "Token refreshes", null, token.refreshCount() + " successful, " + token.failureCount() + " failed"
                + (token.lastRefresh() == null ? "" : "; last at " + token.lastRefresh().truncatedTo(ChronoUnit.SECONDS)));
        if (token.lastError() != null) {
            row(b, "Last token error", "bad", token.lastError());
        }
        b.append("</table>\n");

        boolean needsAuthorization = token.state() == State.NOT_AUTHENTICATED
                || token.state() == State.REAUTHORIZATION_REQUIRED
                || (token.state() == State.EXPIRED && !token.hasRefreshToken());
        if (needsAuthorization) {
            b.append("<div class=\"box\"><p><b>")
                    .append(token.state() == State.NOT_AUTHENTICATED ? "This exporter is not authorized yet."
                            : "NetAtmo needs you to authorize this exporter again.")
                    .append("</b></p><p><a class=\"button\" href=\"/auth/authorize\">Authorize with NetAtmo</a></p>")
                    .append("<form method=\"post\" action=\"/auth/settoken\"><p>Or paste a refresh token from your"
                            + " app's token generator at dev.netatmo.com:</p>"
                            + "<p><input type=\"text\" name=\"refresh_token\" autocomplete=\"off\" required></p>"
                            + "<p><button type=\"submit\">Use this refresh token</button></p></form></div>\n");
        }

        b.append("<h2>Data</h2>\n<table>\n");
        if (snapshot.lastAttempt() == null) {
            row(b, "Last refresh", null, "not yet");
        } else {
            row(b, "Last refresh", snapshot.lastSucceeded() ? "ok" : "bad",
                    snapshot.lastAttempt().truncatedTo(ChronoUnit.SECONDS) + " ("
                            + human(Duration.between(snapshot.lastAttempt(), now)) + " ago): "
                            + (snapshot.lastSucceeded() ? "succeeded" : "failed"));
        }
        row(b, "Data from", null, snapshot.cacheUpdated() == null ? "no data yet"
                : snapshot.cacheUpdated().truncatedTo(ChronoUnit.SECONDS) + ", " + snapshot.readings().size()
                        + " modules");
        if (snapshot.lastError() != null) {
            row(b, "Last error", "bad", snapshot.lastError());
        }
        b.append("</table>\n<p><a href=\"/metrics\">Metrics</a> · <a href=\"/version\">Version</a>");
        if (debugHandlers) {
            b.append(" · <a href=\"/debug/data\">Last API response</a> · <a href=\"/debug/token\">Token state</a>");
        }
        if (!needsAuthorization) {
            b.append(" · <a href=\"/auth/authorize\">Authorize again</a>");
        }
        b.append("</p>");
        return b.toString();
    }

    private static void row(StringBuilder b, String name, String cssClass, String value) {
        b.append("<tr><th>").append(Html.escape(name)).append("</th><td")
                .append(cssClass == null ? "" : " class=\"" + cssClass + "\"").append('>')
                .append(Html.escape(value)).append("</td></tr>\n");
    }

    private static String stateClass(State state) {
        return switch (state) {
            case VALID -> "ok";
            case EXPIRED -> "warn";
            default -> "bad";
        };
    }

    static String describe(State state) {
        return switch (state) {
            case VALID -> "Authorized: the access token is valid";
            case EXPIRED -> "The access token expired; renewing it";
            case NOT_AUTHENTICATED -> "Not authorized yet";
            case REAUTHORIZATION_REQUIRED -> "Authorization required: the token can no longer be renewed";
            case CLOSED -> "Shutting down";
        };
    }

    /** "2h 5m", "3m 10s", "42s". */
    static String human(Duration d) {
        long s = d.toSeconds();
        if (s >= 86400) {
            return s / 86400 + "d " + (s % 86400) / 3600 + "h";
        }
        if (s >= 3600) {
            return s / 3600 + "h " + (s % 3600) / 60 + "m";
        }
        if (s >= 60) {
            return s / 60 + "m " + s % 60 + "s";
        }
        return s + "s";
    }
}
