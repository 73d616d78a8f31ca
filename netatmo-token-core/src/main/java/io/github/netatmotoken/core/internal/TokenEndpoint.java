package io.github.netatmotoken.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenRefreshException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * The NetAtmo OAuth2 token endpoint protocol: request forms, URLs and response parsing, shared by the HTTP clients
 * of this project. <b>Not a public API</b>: it may change in any release.
 */
public final class TokenEndpoint {
    /** Default API host. */
    public static final URI DEFAULT_BASE_URL = URI.create("https://api.netatmo.com");
    /** Token responses are a few hundred bytes; anything larger is cut off here. */
    public static final int MAX_RESPONSE_BYTES = 64 * 1024;
    /** Errors after which only a new authorization helps. */
    private static final Set<String> PERMANENT_ERRORS = Set.of("invalid_grant", "invalid_client", "unauthorized_client");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TokenEndpoint() {
    }

    /** {@code base} + {@code /oauth2/token}, keeping any path prefix of {@code base}. */
    public static URI tokenUri(URI base) {
        return resolve(base, "oauth2/token");
    }

    /** The authorize URL a user's browser is sent to. */
    public static URI authorizationUri(URI base, String clientId, URI redirectUri, Set<String> scopes, String state) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", clientId);
        query.put("redirect_uri", redirectUri.toString());
        query.put("scope", String.join(" ", scopes));
        query.put("state", state);
        query.put("response_type", "code");
        return URI.create(resolve(base, "oauth2/authorize") + "?" + form(query));
    }

    /** The form body of a refresh request. */
    public static String refreshForm(String clientId, String clientSecret, String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refreshToken);
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        return form(form);
    }

    /** The form body of an authorization code exchange. */
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
     * Turns a token endpoint response into a token.
     *
     * @param status the HTTP status
     * @param body the response body, at most {@link #MAX_RESPONSE_BYTES} of it
     * @param sentAt when the request was sent: the expiry counts from here, so it errs early
     * @param previousRefreshToken kept if the response carries no refresh token; may be {@code null}
     * @param endpoint the token URL, for messages
     * @throws ReauthorizationRequiredException for invalid_grant, invalid_client and unauthorized_client
     * @throws TokenRefreshException for every other failure
     */
    public static Token parseResponse(int status, byte @Nullable [] body, Instant sentAt,
            @Nullable String previousRefreshToken,
            URI endpoint) throws ReauthorizationRequiredException, TokenRefreshException {
        JsonNode json = readJson(body);
        if (status < 200 || status > 299) {
            throwFailure(status, json, endpoint);
        }
        if (json == null || !json.isObject()) {
            throw new TokenRefreshException("Token response from " + endpoint + " (HTTP " + status
                    + ") is not a JSON object; NetAtmo may be having trouble, the refresh will be retried",
                    status, null, null);
        }
        String access = text(json, "access_token");
        if (access == null) {
            throw new TokenRefreshException("Token response from " + endpoint + " (HTTP " + status
                    + ") has no access_token" + (json.has("error") ? " but error " + errorText(json) : ""),
                    status, errorText(json), null);
        }
        String refresh = text(json, "refresh_token");
        Instant expiry = null;
        JsonNode expiresIn = json.has("expires_in") ? json.get("expires_in") : json.get("expire_in");
        if (expiresIn != null && !expiresIn.isNull()) {
            long seconds = seconds(expiresIn);
            if (seconds < 0) {
                throw new TokenRefreshException("Token response from " + endpoint + " has an invalid expires_in;"
                        + " expected a number of seconds between 0 and " + Integer.MAX_VALUE, status, null, null);
            }
            expiry = sentAt.plus(Duration.ofSeconds(seconds));
        }
        return new Token(access, refresh != null ? refresh : previousRefreshToken, expiry);
    }

    private static void throwFailure(int status, @Nullable JsonNode json, URI endpoint)
            throws ReauthorizationRequiredException, TokenRefreshException {
        String error = json == null ? null : errorCode(json);
        String text = json == null ? null : errorText(json);
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

    private static @Nullable JsonNode readJson(byte @Nullable [] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The OAuth2 error code: {@code {"error":"invalid_grant"}}. */
    private static @Nullable String errorCode(JsonNode json) {
        if (!json.isObject()) {
            return null;
        }
        JsonNode error = json.get("error");
        return error != null && error.isTextual() ? error.textValue() : null;
    }

    /**
     * A short error description: the OAuth2 error and description, or the data API's
     * {@code {"error":{"code":N,"message":"…"}}}. Only these fields are quoted, never the body.
     */
    static @Nullable String errorText(JsonNode json) {
        if (!json.isObject()) {
            return null;
        }
        JsonNode error = json.get("error");
        if (error == null) {
            return null;
        }
        String text;
        if (error.isTextual()) {
            String description = text(json, "error_description");
            text = description == null ? error.textValue() : error.textValue() + ": " + description;
        } else if (error.isObject()) {
            JsonNode code = error.get("code");
            String message = text(error, "message");
            text = "code " + (code == null ? "?" : code.asText()) + (message == null ? "" : ": " + message);
        } else {
            return null;
        }
        // The server's text goes into messages and logs: no control characters, so it cannot forge log lines.
        text = text.replaceAll("\\p{Cntrl}", " ");
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    private static @Nullable String text(JsonNode json, String name) {
        JsonNode node = json.get(name);
        return node != null && node.isTextual() && !node.textValue().isEmpty() ? node.textValue() : null;
    }

    private static long seconds(JsonNode node) {
        if (node.canConvertToLong() && node.isIntegralNumber()) {
            long value = node.longValue();
            return value <= Integer.MAX_VALUE ? value : -1;
        }
        if (node.isTextual()) {
            try {
                long value = Long.parseLong(node.textValue().trim());
                return value <= Integer.MAX_VALUE ? value : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
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
