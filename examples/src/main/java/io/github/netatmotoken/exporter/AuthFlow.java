package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenClient;
import io.github.netatmotoken.core.TokenRefreshException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three authorization endpoints. {@code /auth/authorize} sends the browser to NetAtmo with a {@code state}
 * bound to that browser; {@code /auth/callback} checks it and exchanges the code; {@code /auth/settoken} takes a
 * refresh token pasted from NetAtmo's token generator, or sent by a script (Go's {@code GET ?refresh_token=} and
 * POST forms), and uses it only after one refresh with it worked, so a wrong token never replaces a working one.
 * From a browser, {@code settoken} must be a same-origin POST with the page's {@link Csrf} field. Each new token
 * goes to the {@link RefreshingTokenSource}, which saves it, and a data refresh follows at once. Thread-safe.
 */
final class AuthFlow {
    private static final Logger log = LoggerFactory.getLogger(AuthFlow.class);
    /**
     * Token requests to NetAtmo that requests may wait for at once: pasted tokens and authorization codes. Anyone
     * on the network may post a token, and each check holds a server thread for as long as NetAtmo takes (up to the
     * token request's 30 s deadline), in OkHttp's queue of five calls per host in front of the exporter's own token
     * refresh; beyond these, a request is answered at once that the exporter is busy.
     */
    static final int MAX_CHECKS = 2;
    /** What a busy answer tells scripts to wait before they try again. */
    private static final int RETRY_AFTER_SECONDS = 10;

    /**
     * Where the flow talks to and what it asks for.
     *
     * @param apiUrl NetAtmo's base URL (or the demo's)
     * @param clientId the app's client id
     * @param scopes the scopes to ask for
     * @param redirectUri the callback NetAtmo sends the browser back to, absolute
     * @param externalUrl the exporter's URL as browsers reach it
     * @param cookiePath the path of the exporter's cookies, ending in {@code /}
     */
    record Settings(URI apiUrl, String clientId, List<String> scopes, URI redirectUri, URI externalUrl,
            String cookiePath) {
        Settings {
            scopes = List.copyOf(scopes);
        }
    }

    private final Settings settings;
    private final TokenClient tokenClient;
    private final RefreshingTokenSource tokens;
    private final AuthStates states;
    private final Csrf csrf;
    private final Runnable afterNewToken;
    private final Semaphore checks = new Semaphore(MAX_CHECKS);

    AuthFlow(Settings settings, TokenClient tokenClient, RefreshingTokenSource tokens, AuthStates states, Csrf csrf,
            Runnable afterNewToken) {
        this.settings = settings;
        this.tokenClient = tokenClient;
        this.tokens = tokens;
        this.states = states;
        this.csrf = csrf;
        this.afterNewToken = afterNewToken;
    }

    void authorize(HttpExchange exchange) throws IOException {
        if (!isGetOrHead(exchange)) {
            Reply.methodNotAllowed(exchange, "GET");
            return;
        }
        // The binding cookie must be set on the host NetAtmo sends the browser back to.
        String callbackHost = BrowserRequest.authorityOf(settings.redirectUri().toString());
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (BrowserRequest.mayBeBrowser(exchange) && callbackHost != null && !callbackHost.equalsIgnoreCase(host)
                && !Reply.query(exchange).containsKey("moved")) {
            Reply.found(exchange, settings.redirectUri().resolve("authorize") + "?moved=1");
            return;
        }
        String binder = Reply.cookie(exchange, AuthStates.COOKIE);
        if (!AuthStates.isBinder(binder)) {
            binder = states.newBinder();
        }
        exchange.getResponseHeaders().add("Set-Cookie", AuthStates.COOKIE + "=" + binder + "; Path="
                + settings.cookiePath() + "auth/; Max-Age=" + AuthStates.LIFETIME.toSeconds()
                + "; HttpOnly; SameSite=Lax");
        String url = settings.apiUrl() + "/oauth2/authorize?client_id=" + encode(settings.clientId())
                + "&redirect_uri=" + encode(settings.redirectUri().toString())
                + "&scope=" + encode(String.join(" ", settings.scopes()))
                + "&state=" + encode(states.issue(binder))
                + "&response_type=code";
        log.info("Sending a browser to NetAtmo to authorize this exporter (scopes {}, redirect {})",
                String.join(" ", settings.scopes()), settings.redirectUri());
        Reply.found(exchange, url);
    }

    void callback(HttpExchange exchange) throws IOException {
        if (!isGetOrHead(exchange)) {
            Reply.methodNotAllowed(exchange, "GET");
            return;
        }
        Map<String, String> query = Reply.query(exchange);
        String state = query.get("state");
        if (state == null || state.isEmpty()) {
            fail(exchange, 400, "The callback has no state", "This address is where NetAtmo sends your browser after"
                    + " you authorize; it needs the state of an authorization this exporter started.");
            return;
        }
        AuthStates.Check check = states.consume(state, Reply.cookie(exchange, AuthStates.COOKIE));
        if (check != AuthStates.Check.VALID) {
            fail(exchange, 400, "Unknown or already used authorization", switch (check) {
                case NO_COOKIE -> "This browser has no cookie from the authorization's start: it was started in"
                        + " another browser or under another address than " + settings.externalUrl() + ", or this"
                        + " browser blocks cookies.";
                case EXPIRED -> "This authorization expired: it must be completed within "
                        + AuthStates.LIFETIME.toMinutes() + " minutes.";
                case USED -> "This authorization was already completed (a reload of this page?).";
                default -> "This authorization was not started in this browser, or the exporter restarted since.";
            } + " Nothing was changed.");
            return;
        }
        String error = query.get("error");
        if (error != null) {
            if (error.equals("access_denied")) {
                log.warn("Authorization was declined at NetAtmo; the token is unchanged");
                fail(exchange, 403, "Access was declined", "You declined access at NetAtmo, so the exporter has no"
                        + " new token. Nothing was changed.");
            } else {
                log.warn("NetAtmo's authorization redirect reported error {} ({})", LogSafe.escape(error),
                        LogSafe.escape(query.get("error_description")));
                fail(exchange, 400, "NetAtmo reported an error", "NetAtmo's authorization redirect says: " + error
                        + (query.containsKey("error_description") ? " (" + query.get("error_description") + ")" : "")
                        + ". Nothing was changed.");
            }
            return;
        }
        String code = query.get("code");
        if (code == null || code.isEmpty()) {
            fail(exchange, 400, "The callback has no code", "NetAtmo's redirect carried neither a code nor an"
                    + " error. Nothing was changed.");
            return;
        }
        if (!checks.tryAcquire()) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            fail(exchange, 503, "The exporter is busy", "The exporter is checking other tokens with NetAtmo right now,"
                    + " so it did not exchange this authorization's code. Nothing was changed; authorize again in a"
                    + " minute.");
            return;
        }
        Token token;
        try {
            token = tokenClient.exchangeCode(code, settings.redirectUri());
        } catch (ReauthorizationRequiredException e) {
            log.error("NetAtmo refused the authorization code ({}); the token is unchanged", e.error());
            fail(exchange, 400, "NetAtmo refused the authorization code", "NetAtmo did not accept the code it sent"
                    + " back (" + (e.error() == null ? "refused" : e.error()) + "): codes work once and for a few"
                    + " minutes, and only with the redirect URI " + settings.redirectUri() + ". Nothing was changed;"
                    + " authorize again.");
            return;
        } catch (IOException e) {
            log.error("Could not exchange the authorization code for a token: {}", e.getMessage());
            fail(exchange, 502, "NetAtmo did not issue a token", "Exchanging the authorization code failed: "
                    + e.getMessage() + ". Nothing was changed; authorize again in a minute.");
            return;
        } finally {
            checks.release();
        }
        adopt(token, "authorization");
        Reply.redirect(exchange, "../?notice=" + Notice.AUTHORIZED.code());
    }

    void setToken(HttpExchange exchange) throws IOException {
        boolean get = "GET".equals(exchange.getRequestMethod());
        if (!get && !"POST".equals(exchange.getRequestMethod())) {
            Reply.methodNotAllowed(exchange, "GET, POST");
            return;
        }
        boolean browser = BrowserRequest.fromBrowser(exchange);
        if (browser) {
            String reason = get ? "a browser's GET" : BrowserRequest.crossSiteReason(exchange, settings.externalUrl());
            if (reason != null) {
                // Nothing of the body is read: the server drains a little of it, then closes the connection.
                refused(exchange, reason);
                return;
            }
        }
        Map<String, String> fields = new HashMap<>(Reply.query(exchange));
        if (!get) {
            try {
                fields.putAll(Reply.form(exchange));
            } catch (IOException e) {
                Reply.text(exchange, 413, "The form is larger than " + Reply.MAX_FORM_BYTES + " bytes: send only"
                        + " the refresh token. Nothing was changed.\n");
                return;
            }
        }
        if (browser && !csrf.accepts(exchange, fields.get(Csrf.FIELD))) {
            if (BrowserRequest.hasOpaqueOrigin(exchange)) {
                refused(exchange, "Origin null, and no valid csrf field");
                return;
            }
            log.warn("Refused a pasted refresh token: the form's csrf field does not match this browser's cookie"
                    + " (a page from before a restart, or a forged form)");
            outcome(exchange, true, Notice.FORM_EXPIRED, 403);
            return;
        }
        String refreshToken = fields.getOrDefault("refresh_token", "").trim();
        if (refreshToken.isEmpty() || refreshToken.chars().anyMatch(c -> Character.isWhitespace(c) || c < 0x20)) {
            outcome(exchange, browser, Notice.TOKEN_MISSING, 400);
            return;
        }
        if (!checks.tryAcquire()) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            outcome(exchange, browser, Notice.BUSY, 503);
            return;
        }
        Verification verification;
        try {
            verification = verify(refreshToken);
        } finally {
            checks.release();
        }
        if (verification.token() != null) {
            adopt(verification.token(), "a pasted refresh token");
            outcome(exchange, browser, Notice.TOKEN_ACCEPTED, 200);
        } else {
            outcome(exchange, browser, verification.outcome(),
                    verification.outcome() == Notice.TOKEN_UNCHECKED ? 502 : 400);
        }
    }

    /** The outcome of trying a pasted token, and the token it gave if it worked. */
    private record Verification(Notice outcome, Token token) {
    }

    /**
     * One refresh with the pasted token, as NetAtmo needs anyway. A rotated token that NetAtmo sent with an
     * unusable answer counts as working: the pasted one is spent either way.
     */
    private Verification verify(String refreshToken) {
        try {
            return new Verification(Notice.TOKEN_ACCEPTED, tokenClient.refresh(refreshToken));
        } catch (ReauthorizationRequiredException e) {
            log.warn("NetAtmo refused a pasted refresh token ({}); the current token stays", e.error());
            return new Verification(Notice.TOKEN_REFUSED, null);
        } catch (IOException e) {
            Optional<Token> rotated = e instanceof TokenRefreshException t ? t.rotatedToken() : Optional.empty();
            if (rotated.isPresent()) {
                return new Verification(Notice.TOKEN_ACCEPTED, rotated.get());
            }
            log.warn("Could not check a pasted refresh token with NetAtmo; the current token stays: {}",
                    e.getMessage());
            return new Verification(Notice.TOKEN_UNCHECKED, null);
        }
    }

    private void adopt(Token token, String source) {
        try {
            tokens.setToken(token);
            log.info("New NetAtmo token from {} accepted", source);
        } catch (IOException e) {
            log.error("The new NetAtmo token from {} is in use but was not saved: {}", source, e.getMessage());
        }
        afterNewToken.run();
    }

    /** To a browser, the status page saying it; to a script, the text and a status code. */
    private static void outcome(HttpExchange exchange, boolean browser, Notice notice, int scriptStatus)
            throws IOException {
        if (browser) {
            Reply.redirect(exchange, "../?notice=" + notice.code());
        } else {
            Reply.text(exchange, scriptStatus, notice.text() + "\n");
        }
    }

    private static void refused(HttpExchange exchange, String reason) throws IOException {
        log.warn("Refused a cross-site browser request to {}: {}", LogSafe.escape(exchange.getRequestURI().getPath()),
                LogSafe.escape(reason));
        Reply.html(exchange, 403, "Refused", "<h1>Refused: not from this exporter's page</h1><p id=\"problem\">"
                + "This request came from another site or page, so it was refused (" + Html.escape(reason) + ")."
                + " Nothing was changed. To paste a refresh token, use the form on the exporter's status page.</p>"
                + "<p><a href=\"../\">Back to the status page</a></p>");
    }

    private static void fail(HttpExchange exchange, int status, String title, String text) throws IOException {
        Reply.html(exchange, status, title, "<h1>" + Html.escape(title) + "</h1><div id=\"problem\" class=\"box bad\">"
                + "<p>" + Html.escape(text) + "</p></div><p><a href=\"authorize\">Authorize again</a> · <a"
                + " href=\"../\">Back to the status page</a></p>");
    }

    private static boolean isGetOrHead(HttpExchange exchange) {
        return "GET".equals(exchange.getRequestMethod()) || "HEAD".equals(exchange.getRequestMethod());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
