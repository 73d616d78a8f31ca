package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.RefreshingTokenSource.State;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The HTML page at {@code /}: whether the exporter is authorized, how long the token lasts, how the last data
 * refresh went, which stations it reads, and what to do when something is wrong. Complete without JavaScript;
 * {@code status.js} keeps the part in {@code #live} current in place. Shows no token value. All links are
 * relative, so the page works under a reverse proxy's path prefix.
 */
final class StatusPage {
    /** How often the script fetches the page again. */
    static final Duration LIVE_REFRESH = Duration.ofSeconds(3);
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final String HEAD = "<noscript><meta http-equiv=\"refresh\" content=\"30\"></noscript>"
            + "<script src=\"status.js\" defer></script>";

    /**
     * What the page says about the exporter's setup.
     *
     * @param store where the token is kept, in words ({@code token file /var/lib/...}), without a password
     * @param redirectUri the redirect URI to register at dev.netatmo.com
     * @param apiUrl the NetAtmo API in use
     * @param homeCoach whether Home Coaches are read too
     * @param demo whether the API is the built-in simulation
     * @param debugHandlers whether {@code /debug/*} is served
     */
    record Setup(String store, URI redirectUri, URI apiUrl, boolean homeCoach, boolean demo, boolean debugHandlers) {
    }

    private final Supplier<RefreshingTokenSource.Status> tokenStatus;
    private final Supplier<DataSnapshot> data;
    private final Clock clock;
    private final Setup setup;
    private final Csrf csrf;
    private final UnaryOperator<String> redact;

    StatusPage(Supplier<RefreshingTokenSource.Status> tokenStatus, Supplier<DataSnapshot> data, Clock clock,
            Setup setup, Csrf csrf) {
        this(tokenStatus, data, clock, setup, csrf, UnaryOperator.identity());
    }

    /**
     * @param redact hides the token store's password in the errors shown ({@link TokenStoreUrl#redact}), which
     *     come from the store and its driver
     */
    StatusPage(Supplier<RefreshingTokenSource.Status> tokenStatus, Supplier<DataSnapshot> data, Clock clock,
            Setup setup, Csrf csrf, UnaryOperator<String> redact) {
        this.redact = redact;
        this.tokenStatus = tokenStatus;
        this.data = data;
        this.clock = clock;
        this.setup = setup;
        this.csrf = csrf;
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
        String field = csrf.fieldFor(exchange);
        Notice notice = Notice.of(Reply.query(exchange).get("notice"));
        Reply.html(exchange, 200, "NetAtmo exporter", render(field, notice), HEAD);
    }

    String render(String csrfField, Notice notice) {
        RefreshingTokenSource.Status token = tokenStatus.get();
        DataSnapshot snapshot = data.get();
        Instant now = clock.instant();
        boolean needsAuthorization = token.state() == State.NOT_AUTHENTICATED
                || token.state() == State.REAUTHORIZATION_REQUIRED
                || (token.state() == State.EXPIRED && !token.hasRefreshToken());
        StringBuilder b = new StringBuilder("<h1>NetAtmo exporter</h1>\n");
        if (setup.demo()) {
            b.append("<p class=\"box warn\">Demo mode: this exporter talks to a simulated NetAtmo API running in"
                    + " the same process. Authorizing asks the simulation, not NetAtmo.</p>\n");
        }
        b.append("<p id=\"stale\" class=\"box warn\" role=\"status\" hidden>The exporter does not answer right now;"
                + " what this page shows may be out of date. Trying again…</p>\n");
        authorizeBox(b, csrfField, needsAuthorization);
        b.append("<main id=\"live\" data-state=\"").append(token.state().name()).append("\" data-now=\"")
                .append(now.truncatedTo(ChronoUnit.MILLIS)).append("\" data-refresh-ms=\"")
                .append(LIVE_REFRESH.toMillis()).append("\">\n");
        notice(b, notice, snapshot);
        tokenTable(b, token, now);
        dataTable(b, token, snapshot, needsAuthorization, now);
        stations(b, snapshot.readings());
        b.append("</main>\n");
        setupTable(b);
        b.append("<footer><p><a href=\"metrics\">Metrics</a> · <a href=\"version\">Version</a>");
        if (setup.debugHandlers()) {
            b.append(" · <a href=\"debug/data\">Last API response</a> · <a href=\"debug/token\">Token state</a>");
        }
        b.append(" · <a href=\"auth/authorize\">Authorize again</a></p></footer>");
        return b.toString();
    }

    private static void notice(StringBuilder b, Notice notice, DataSnapshot snapshot) {
        if (notice == null) {
            return;
        }
        if (!notice.success()) {
            b.append("<div id=\"problem\" class=\"box bad\" role=\"alert\"><p>").append(Html.escape(notice.text()))
                    .append("</p></div>\n");
            return;
        }
        b.append("<div id=\"notice\" class=\"box ok\" role=\"status\"><p>").append(Html.escape(notice.text()))
                .append("</p><p>");
        if (snapshot.lastSucceeded()) {
            b.append(Html.escape("Data loaded: " + modules(snapshot.readings().size()) + "."));
        } else {
            b.append("Loading data…");
        }
        b.append("</p></div>\n");
    }

    private void tokenTable(StringBuilder b, RefreshingTokenSource.Status token, Instant now) {
        b.append("<h2>Token</h2>\n<table>\n");
        row(b, "State", "token-state", stateClass(token.state()), Html.escape(describe(token.state())));
        if (token.expiry() != null) {
            row(b, "Access token expires", "token-expiry", null, time(token.expiry()) + " ("
                    + countdown(token.expiry(), now) + ")");
        } else if (token.state() == State.VALID) {
            row(b, "Access token expires", "token-expiry", null, "unknown");
        }
        row(b, "Refresh token", null, null, token.hasRefreshToken() ? "present" : "absent");
        row(b, "Token refreshes", null, null, token.refreshCount() + " successful, " + token.failureCount()
                + " failed" + (token.lastRefresh() == null ? "" : "; last " + time(token.lastRefresh())));
        if (token.lastError() != null && (token.state() != State.VALID || token.consecutiveFailures() > 0)) {
            row(b, "Last token error", "token-error", "bad", Html.escape(redact.apply(token.lastError())));
        }
        if (token.storeProblem() != null) {
            row(b, "Token store", "token-store-problem", "bad", Html.escape(redact.apply(token.storeProblem()))
                    + "<br><span class=\"muted\">the token in use stays valid until it expires; the exporter"
                    + " tries the store again</span>");
        }
        b.append("</table>\n");
    }

    private static void dataTable(StringBuilder b, RefreshingTokenSource.Status token, DataSnapshot snapshot,
            boolean needsAuthorization, Instant now) {
        b.append("<h2>Data</h2>\n<table>\n");
        if (snapshot.lastAttempt() == null || snapshot.awaitingAuthorization()) {
            String waiting = needsAuthorization ? "waiting for authorization"
                    : snapshot.lastAttempt() == null || token.state() != State.VALID ? "not yet"
                    : "loading data with the new token…";
            row(b, "Last refresh", "data-last-refresh", "wait", waiting);
        } else {
            row(b, "Last refresh", "data-last-refresh", snapshot.lastSucceeded() ? "ok" : "bad",
                    time(snapshot.lastAttempt()) + " (" + since(snapshot.lastAttempt(), now) + "): "
                            + (snapshot.lastSucceeded() ? "succeeded" : "failed"));
        }
        row(b, "Data", "data-modules", null, snapshot.cacheUpdated() == null ? "no data yet"
                : Html.escape(modules(snapshot.readings().size())) + ", read " + time(snapshot.cacheUpdated()));
        if (snapshot.lastError() != null && !snapshot.awaitingAuthorization()) {
            row(b, "Last error", "data-error", "bad", Html.escape(snapshot.lastError()));
        }
        b.append("</table>\n");
    }

    private static void stations(StringBuilder b, List<ModuleReading> readings) {
        if (readings.isEmpty()) {
            return;
        }
        Map<String, List<ModuleReading>> byStation = new LinkedHashMap<>();
        for (ModuleReading r : readings) {
            String name = r.station() + (r.home().isEmpty() || r.home().equals(r.station()) ? "" : " (" + r.home()
                    + ")");
            byStation.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(r);
        }
        b.append("<h2>Stations</h2>\n<ul id=\"stations\">\n");
        byStation.forEach((station, modules) -> {
            b.append("<li><b>").append(Html.escape(station.isEmpty() ? "(unnamed)" : station)).append("</b>: ");
            for (int i = 0; i < modules.size(); i++) {
                ModuleReading m = modules.get(i);
                b.append(i == 0 ? "" : ", ").append(Html.escape(m.module())).append(" <span class=\"muted\">")
                        .append(Html.escape(kind(m.type()))).append(m.updated() == null ? ", no recent reading"
                                : "").append("</span>");
            }
            b.append("</li>\n");
        });
        b.append("</ul>\n");
    }

    private static void authorizeBox(StringBuilder b, String csrfField, boolean needsAuthorization) {
        b.append("<section id=\"authorize-box\" class=\"box\"").append(needsAuthorization ? "" : " hidden")
                .append(">\n<h2>Authorize</h2>\n<p>Let this exporter read your NetAtmo data:</p>\n"
                        + "<p><a id=\"authorize\" class=\"button\" href=\"auth/authorize\">Authorize with NetAtmo</a>"
                        + "</p>\n<form id=\"settoken-form\" method=\"post\" action=\"auth/settoken\">"
                        + "<input type=\"hidden\" name=\"").append(Csrf.FIELD).append("\" value=\"")
                .append(Html.escape(csrfField)).append("\">\n<label for=\"refresh_token\">Or paste a refresh token"
                        + " from your app's token generator at dev.netatmo.com:</label>\n<input type=\"text\""
                        + " id=\"refresh_token\" name=\"refresh_token\" autocomplete=\"off\" spellcheck=\"false\""
                        + " required>\n<p><button id=\"settoken-submit\" type=\"submit\">Use this refresh token"
                        + "</button></p>\n<p class=\"muted\">The exporter tries it with NetAtmo first; if it does not"
                        + " work, the current token stays.</p>\n</form>\n</section>\n");
    }

    private void setupTable(StringBuilder b) {
        b.append("<h2>Setup</h2>\n<table id=\"setup\">\n");
        row(b, "Version", "version", null, Html.escape(Version.VERSION));
        row(b, "Redirect URI", "redirect-uri", null, "<code>" + Html.escape(setup.redirectUri()) + "</code><br>"
                + "<span class=\"muted\">" + (setup.demo() ? "the demo accepts this one only"
                : "register it as your app's redirect URI at dev.netatmo.com/apps") + "</span>");
        row(b, "Token kept in", "token-store", null, Html.escape(setup.store()));
        row(b, "NetAtmo API", null, null, Html.escape(setup.apiUrl()) + (setup.demo() ? " (simulated)" : ""));
        row(b, "Reads", null, null, setup.homeCoach() ? "weather stations and Home Coaches" : "weather stations");
        b.append("</table>\n");
    }

    /** A table row; {@code valueHtml} must already be escaped. */
    private static void row(StringBuilder b, String name, String id, String cssClass, String valueHtml) {
        b.append("<tr><th>").append(Html.escape(name)).append("</th><td")
                .append(id == null ? "" : " id=\"" + id + "\"")
                .append(cssClass == null ? "" : " class=\"" + cssClass + "\"").append('>')
                .append(valueHtml).append("</td></tr>\n");
    }

    /** A time in UTC, which the script shows in the browser's zone (UTC on hover). */
    static String time(Instant t) {
        Instant s = t.truncatedTo(ChronoUnit.SECONDS);
        return "<time datetime=\"" + s + "\">" + UTC.format(s) + "</time>";
    }

    private static String countdown(Instant until, Instant now) {
        Duration left = Duration.between(now, until);
        return "<span data-until=\"" + until.truncatedTo(ChronoUnit.SECONDS) + "\">"
                + (left.isNegative() ? "expired " + human(left.negated()) + " ago" : "in " + human(left)) + "</span>";
    }

    private static String since(Instant t, Instant now) {
        return "<span data-since=\"" + t.truncatedTo(ChronoUnit.SECONDS) + "\">"
                + human(Duration.between(t, now)) + " ago</span>";
    }

    private static String modules(int n) {
        return n + (n == 1 ? " module" : " modules");
    }

    private static String kind(String type) {
        return switch (type) {
            case "NAMain" -> "main unit";
            case "NAModule1" -> "outdoor module";
            case "NAModule2" -> "wind gauge";
            case "NAModule3" -> "rain gauge";
            case "NAModule4" -> "indoor module";
            case "NHC" -> "Home Coach";
            default -> type;
        };
    }

    private static String stateClass(State state) {
        return switch (state) {
            case VALID -> "ok";
            case EXPIRED -> "warn";
            case NOT_AUTHENTICATED -> "wait";
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
        long s = Math.max(0, d.toSeconds());
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
