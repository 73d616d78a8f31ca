package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenClient;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three authorization endpoints: {@code /auth/authorize} sends the browser to NetAtmo with a fresh
 * {@code state}, {@code /auth/callback} checks the state and exchanges the code, {@code /auth/settoken} takes a
 * refresh token pasted from NetAtmo's token generator. Each new token goes to the {@link RefreshingTokenSource},
 * which saves it, and a data refresh follows at once.
 */
final class AuthFlow {
    private static final Logger log = LoggerFactory.getLogger(AuthFlow.class);

    private final URI apiUrl;
    private final String clientId;
    private final List<String> scopes;
    private final URI redirectUri;
    private final TokenClient tokenClient;
    private final RefreshingTokenSource tokens;
    private final AuthStates states;
    private final Runnable afterNewToken;

    AuthFlow(URI apiUrl, String clientId, List<String> scopes, URI redirectUri, TokenClient tokenClient,
            RefreshingTokenSource tokens, AuthStates states, Runnable afterNewToken) {
        this.apiUrl = apiUrl;
        this.clientId = clientId;
        this.scopes = List.copyOf(scopes);
        this.redirectUri = redirectUri;
        this.tokenClient = tokenClient;
        this.tokens = tokens;
        this.states = states;
        this.afterNewToken = afterNewToken;
    }

    void authorize(HttpExchange exchange) throws IOException {
        if (!isGetOrHead(exchange)) {
            Reply.methodNotAllowed(exchange, "GET");
            return;
        }
        String state = states.issue();
        String url = apiUrl + "/oauth2/authorize?client_id=" + encode(clientId)
                + "&redirect_uri=" + encode(redirectUri.toString())
                + "&scope=" + encode(String.join(" ", scopes))
                + "&state=" + encode(state)
                + "&response_type=code";
        log.info("Sending a browser to NetAtmo to authorize this exporter (scopes {}, redirect {})",
                String.join(" ", scopes), redirectUri);
        exchange.getResponseHeaders().set("Location", url);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
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
        if (!states.consume(state)) {
            fail(exchange, 400, "Unknown or already used authorization", "This authorization was not started here,"
                    + " expired after " + AuthStates.LIFETIME.toMinutes() + " minutes, or was already completed"
                    + " (a reload of this page). Nothing was changed.");
            return;
        }
        String error = query.get("error");
        if (error != null) {
            if (error.equals("access_denied")) {
                log.warn("Authorization was declined at NetAtmo; the token is unchanged");
                fail(exchange, 403, "Access was declined", "You declined access at NetAtmo, so the exporter has no"
                        + " new token. Nothing was changed.");
            } else {
                log.warn("NetAtmo's authorization redirect reported error {}", error);
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
        Token token;
        try {
            token = tokenClient.exchangeCode(code, redirectUri);
        } catch (IOException e) {
            log.error("Could not exchange the authorization code for a token: {}", e.getMessage());
            fail(exchange, 502, "NetAtmo did not issue a token", "Exchanging the authorization code failed: "
                    + e.getMessage());
            return;
        }
        adopt(token, "authorization");
        Reply.redirect(exchange, "/");
    }

    void setToken(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            Reply.methodNotAllowed(exchange, "POST");
            return;
        }
        if (!sameOrigin(exchange)) {
            Reply.drain(exchange);
            fail(exchange, 403, "Refused", "This form may only be sent from the exporter's own status page.");
            return;
        }
        Map<String, String> form;
        try {
            form = Reply.form(exchange);
        } catch (IOException e) {
            fail(exchange, 413, "The form is too large", "Paste only the refresh token.");
            return;
        }
        String refreshToken = form.getOrDefault("refresh_token", "").trim();
        if (refreshToken.isEmpty() || refreshToken.chars().anyMatch(Character::isWhitespace)) {
            fail(exchange, 400, "No refresh token", "Paste the refresh token from your app's token generator at"
                    + " https://dev.netatmo.com/apps into the field refresh_token, without spaces.");
            return;
        }
        adopt(Token.ofRefreshToken(refreshToken), "a pasted refresh token");
        Reply.redirect(exchange, "/");
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

    /** A browser sends Origin on a cross-site POST; when it does, it must name this host. */
    private static boolean sameOrigin(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (origin == null || (origin.equals("null") && host == null)) {
            return true;
        }
        try {
            URI o = URI.create(origin);
            String originHost = o.getHost() + (o.getPort() < 0 ? "" : ":" + o.getPort());
            return host != null && originHost.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void fail(HttpExchange exchange, int status, String title, String text) throws IOException {
        Reply.html(exchange, status, title, "<h1>" + Html.escape(title) + "</h1><p>" + Html.escape(text) + "</p>"
                + "<p><a href=\"/auth/authorize\">Authorize again</a> · <a href=\"/\">Back to the status page</a></p>");
    }

    private static boolean isGetOrHead(HttpExchange exchange) {
        return "GET".equals(exchange.getRequestMethod()) || "HEAD".equals(exchange.getRequestMethod());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
