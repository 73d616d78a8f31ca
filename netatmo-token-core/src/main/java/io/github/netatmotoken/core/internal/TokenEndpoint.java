package io.github.netatmotoken.core.internal;

import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenRefreshException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * The NetAtmo OAuth2 token endpoint protocol: request forms, URLs and response parsing, shared by the HTTP clients
 * of this project. <b>Not a public API</b>: it may change in any release. It is public only so that
 * {@code netatmo-token-okhttp} can use it (its module exports this package to that module alone); applications use
 * {@link io.github.netatmotoken.core.NetatmoOAuthClient} or the OkHttp token client instead.
 *
 * <p>Each HTTP client does only the transport, so that both speak the protocol alike:
 * <pre>{@code
 * URI tokenUri = TokenEndpoint.tokenUri(baseUrl);
 * String form = TokenEndpoint.refreshForm(clientId, clientSecret, refreshToken);
 * Instant sentAt = clock.instant();
 * ... POST form to tokenUri, read at most MAX_RESPONSE_BYTES of the body ...
 * Token next = TokenEndpoint.parseResponse(status, body, sentAt, refreshToken,
 *         Arrays.asList(clientSecret, refreshToken), tokenUri);
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class TokenEndpoint {
    /** Default API host. */
    public static final URI DEFAULT_BASE_URL = URI.create("https://api.netatmo.com");
    /** Token responses are a few hundred bytes; anything larger is cut off here. */
    public static final int MAX_RESPONSE_BYTES = 64 * 1024;
    /** Errors after which only a new authorization helps. */
    private static final Set<String> PERMANENT_ERRORS = Set.of("invalid_grant", "invalid_client", "unauthorized_client");

    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(Integer.MAX_VALUE);

    private TokenEndpoint() {
    }

    /**
     * {@code base} + {@code /oauth2/token}, keeping any path prefix of {@code base}.
     *
     * @param base the API base URL, such as {@link #DEFAULT_BASE_URL}, with or without a trailing slash
     * @return the token endpoint URL
     */
    public static URI tokenUri(URI base) {
        return resolve(base, "oauth2/token");
    }

    /**
     * The authorize URL a user's browser is sent to.
     *
     * @param base the API base URL, with or without a trailing slash
     * @param clientId the app's client id
     * @param redirectUri where NetAtmo redirects the browser with {@code code} and {@code state}
     * @param scopes the scopes to ask for, such as {@code read_station}; sent space-separated in their set's order
     * @param state the caller's single-use value against request forgery, sent back unchanged in the redirect
     * @return {@code base/oauth2/authorize} with every parameter form-encoded ({@code %20} for spaces) and
     *     {@code response_type=code}
     */
    public static URI authorizationUri(URI base, String clientId, URI redirectUri, Set<String> scopes, String state) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", clientId);
        query.put("redirect_uri", redirectUri.toString());
        query.put("scope", String.join(" ", scopes));
        query.put("state", state);
        query.put("response_type", "code");
        return URI.create(resolve(base, "oauth2/authorize") + "?" + form(query));
    }

    /**
     * The form body of a refresh request.
     *
     * @param clientId the app's client id
     * @param clientSecret the app's client secret
     * @param refreshToken the refresh token to spend
     * @return an {@code application/x-www-form-urlencoded} body with {@code grant_type=refresh_token}; it holds
     *     secrets, so it must never be logged
     */
    public static String refreshForm(String clientId, String clientSecret, String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refreshToken);
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        return form(form);
    }

    /**
     * The form body of an authorization code exchange.
     *
     * @param clientId the app's client id
     * @param clientSecret the app's client secret
     * @param code the authorization code from the redirect
     * @param redirectUri the redirect URI that the authorize request named; OAuth2 requires the two to match
     * @return an {@code application/x-www-form-urlencoded} body with {@code grant_type=authorization_code}; it
     *     holds secrets, so it must never be logged
     */
    public static String codeForm(String clientId, String clientSecret, String code, URI redirectUri) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        form.put("code", code);
        form.put("redirect_uri", redirectUri.toString());
        return form(form);
    }

    /**
     * Checks the settings every token client needs, with the message its builder's {@code build()} throws.
     *
     * @param clientId the app's client id, {@code null} if never set
     * @param clientSecret the app's client secret, {@code null} if never set
     * @param baseUrl the API host
     * @throws IllegalStateException if the id or secret is missing or blank, or the URL is not absolute http(s)
     */
    public static void checkSettings(@Nullable String clientId, @Nullable String clientSecret, URI baseUrl) {
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalStateException("clientId is required: the app's client id from"
                    + " https://dev.netatmo.com/apps");
        }
        if (clientSecret == null || clientSecret.isBlank()) {
            throw new IllegalStateException("clientSecret is required: the app's client secret from"
                    + " https://dev.netatmo.com/apps");
        }
        String scheme = baseUrl.getScheme();
        if (!baseUrl.isAbsolute() || baseUrl.getHost() == null
                || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new IllegalStateException("baseUrl must be an absolute http or https URL such as"
                    + " https://api.netatmo.com, but is " + baseUrl);
        }
    }

    /**
     * Turns a token endpoint response into a token.
     *
     * <p>Text from the response (the OAuth2 {@code error} and {@code error_description}, the data API's
     * {@code message}) reaches exception messages and {@code error()} values only after every secret of the
     * request ({@code sentSecrets}) and the tokens of the response have been replaced by {@code [redacted]}, and
     * only then is it cut to 200 characters, so that no part of a secret is left.
     *
     * @param status the HTTP status
     * @param body the response body, at most {@link #MAX_RESPONSE_BYTES} of it, or {@code null} if there was none
     * @param sentAt when the request was sent: the expiry counts from here, so it errs early
     * @param previousRefreshToken kept if the response carries no refresh token; may be {@code null}
     * @param sentSecrets every secret the request carried (the client secret, and the refresh token or the
     *     authorization code), which the server might echo; {@code null} elements are skipped
     * @param endpoint the token URL, for messages
     * @return the new token with an access token, the response's refresh token (or {@code previousRefreshToken})
     *     and an expiry if the response had {@code expires_in} (or the non-standard {@code expire_in}): whole or
     *     fractional seconds, as a number or a numeric string, a fraction rounded down
     * @throws ReauthorizationRequiredException for invalid_grant, invalid_client and unauthorized_client
     * @throws TokenRefreshException for every other failure; if a 2xx response carries a new refresh token but is
     *     otherwise unusable (no access token, a bad expiry, an error), its
     *     {@link TokenRefreshException#rotatedToken()} holds that refresh token, since the one sent is spent
     */
    public static Token parseResponse(int status, byte @Nullable [] body, Instant sentAt,
            @Nullable String previousRefreshToken, Collection<? extends @Nullable String> sentSecrets,
            URI endpoint) throws ReauthorizationRequiredException, TokenRefreshException {
        Object json = readJson(body);
        String access = json == null ? null : text(json, "access_token");
        String refresh = json == null ? null : text(json, "refresh_token");
        List<@Nullable String> secrets = new ArrayList<>(sentSecrets);
        secrets.add(access);
        secrets.add(refresh);
        Redactor redactor = Redactor.of(secrets);
        if (status < 200 || status > 299) {
            throwFailure(status, json, endpoint, redactor);
        }
        if (!(json instanceof Map)) {
            throw new TokenRefreshException("Token response from " + endpoint + " (HTTP " + status
                    + ") is not a JSON object; NetAtmo may be having trouble, the refresh will be retried",
                    status, null, null);
        }
        String error = errorText(json, redactor);
        if (error != null && error.isBlank()) {
            error = null;
        }
        String problem;
        Instant expiry = null;
        if (access == null) {
            problem = "has no access_token" + (error != null ? " but error " + error : "");
        } else if (error != null) {
            problem = "has an access_token but also error " + error;
        } else {
            Object expiresIn = expiresIn(json);
            long seconds = expiresIn == null ? 0 : seconds(expiresIn);
            if (seconds < 0) {
                problem = "has an invalid expires_in; expected a number of seconds between 0 and "
                        + Integer.MAX_VALUE;
            } else {
                problem = null;
                expiry = expiresIn == null ? null : sentAt.plus(Duration.ofSeconds(seconds));
            }
        }
        if (problem == null) {
            return new Token(access, refresh != null ? refresh : previousRefreshToken, expiry);
        }
        String message = "Token response from " + endpoint + " (HTTP " + status + ") " + problem;
        if (refresh != null) {
            // The server has rotated the refresh token: the one sent is spent, only this one still works.
            throw new RotatedTokenException(message + "; it carries a new refresh token, which replaces the spent"
                    + " one (see rotatedToken()); the refresh will be retried", status, error,
                    new Token(access, refresh, sentAt));
        }
        throw new TokenRefreshException(message + "; NetAtmo may be having trouble, the refresh will be retried",
                status, error, null);
    }

    private static void throwFailure(int status, @Nullable Object json, URI endpoint, Redactor redactor)
            throws ReauthorizationRequiredException, TokenRefreshException {
        String error = json == null ? null : errorCode(json);
        String text = json == null ? null : errorText(json, redactor);
        if (error != null && PERMANENT_ERRORS.contains(error) && status >= 400 && status < 500) {
            throw new ReauthorizationRequiredException(permanentMessage(error, status, text, endpoint), error, null);
        }
        String retry = status == 429 ? "rate limited; the refresh will be retried later"
                : status >= 500 ? "NetAtmo is having trouble; the refresh will be retried"
                : "the refresh will be retried";
        throw new TokenRefreshException("Token request to " + endpoint + " failed with HTTP " + status
                + (text != null ? " (" + text + ")" : "") + "; " + retry, status, text, null);
    }

    private static String permanentMessage(String error, int status, @Nullable String text, URI endpoint) {
        String why = switch (error) {
            case "invalid_grant" -> "NetAtmo refused the refresh token (invalid_grant): it was revoked, already"
                    + " used once (refresh tokens rotate on every refresh, so two programs sharing one break each"
                    + " other) or issued to another app";
            case "invalid_client" -> "NetAtmo refused the client id or secret (invalid_client): check them, and"
                    + " look for quotes or spaces around the values in an environment file";
            default -> "NetAtmo refused this app for the token request (" + error + "): check the app's settings"
                    + " in NetAtmo's developer console";
        };
        return why + ". Authorize again to get a new token (token endpoint " + endpoint + ", HTTP " + status
                + (text != null && !text.equals(error) ? ", " + text : "") + ")";
    }

    private static @Nullable Object readJson(byte @Nullable [] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return JsonTree.parse(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** The OAuth2 error code: {@code {"error":"invalid_grant"}}. */
    private static @Nullable String errorCode(Object json) {
        return JsonTree.string(JsonTree.get(json, "error"));
    }

    /**
     * A short error description: the OAuth2 error and description, or the data API's
     * {@code {"error":{"code":N,"message":"…"}}}. Only these fields are quoted, never the body; secrets are
     * redacted before the text is cut, so that a cut cannot leave half of one.
     */
    static @Nullable String errorText(Object json, Redactor redactor) {
        Object error = JsonTree.get(json, "error");
        String text;
        if (error instanceof String code) {
            String description = text(json, "error_description");
            text = description == null ? code : code + ": " + description;
        } else if (error instanceof Map) {
            Object code = JsonTree.get(error, "code");
            String message = text(error, "message");
            text = "code " + (code == null ? "?" : JsonTree.text(code)) + (message == null ? "" : ": " + message);
        } else {
            return null;
        }
        text = redactor.apply(text);
        // The server's text goes into messages and logs: no control characters, so it cannot forge log lines.
        text = text.replaceAll("\\p{Cntrl}", " ");
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    private static @Nullable String text(Object json, String name) {
        String text = JsonTree.string(JsonTree.get(json, name));
        return text != null && !text.isEmpty() ? text : null;
    }

    /** {@code expires_in}, or the non-standard {@code expire_in} if the first is absent or {@code null}. */
    private static @Nullable Object expiresIn(Object json) {
        for (String name : List.of("expires_in", "expire_in")) {
            Object node = JsonTree.get(json, name);
            if (node != null && node != JsonTree.NULL) {
                return node;
            }
        }
        return null;
    }

    /**
     * Whole seconds, a fraction rounded down, from a JSON number or a numeric string such as {@code 10800},
     * {@code 10800.0} or {@code "10800"}; -1 for a negative, non-finite, too large or non-numeric value.
     */
    private static long seconds(Object node) {
        BigDecimal value;
        if (node instanceof Double d) {
            if (!Double.isFinite(d)) {
                return -1;
            }
            value = BigDecimal.valueOf(d);
        } else if (node instanceof BigInteger big) {
            value = new BigDecimal(big);
        } else if (node instanceof Number whole) {
            value = BigDecimal.valueOf(whole.longValue());
        } else if (node instanceof String text) {
            try {
                value = new BigDecimal(text.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        } else {
            return -1;
        }
        if (value.signum() < 0 || value.compareTo(MAX_SECONDS) > 0) {
            return -1;
        }
        // Below 1 the answer is 0; checked first, so that "1e-999999999" is not rounded at great cost.
        return value.compareTo(BigDecimal.ONE) < 0 ? 0 : value.setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    private static String form(Map<String, String> fields) {
        StringJoiner joiner = new StringJoiner("&");
        fields.forEach((k, v) -> joiner.add(encode(k) + "=" + encode(v)));
        return joiner.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static URI resolve(URI base, String path) {
        String s = base.toString();
        return URI.create(s.endsWith("/") ? s + path : s + "/" + path);
    }

}
