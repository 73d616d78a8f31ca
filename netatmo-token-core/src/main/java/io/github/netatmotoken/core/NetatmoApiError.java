package io.github.netatmotoken.core;

import io.github.netatmotoken.core.internal.JsonTree;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The error body of NetAtmo's data API, {@code {"error":{"code":N,"message":"…"}}}, and the one rule of this library
 * for "did NetAtmo reject the access token?", for embedders of HTTP clients that neither
 * {@link NetatmoHttpClient} nor the OkHttp interceptor covers.
 *
 * <pre>{@code
 * byte[] body = response.body();                       // or its first NetatmoApiError.MAX_BODY_BYTES
 * if (NetatmoApiError.isTokenRejection(response.statusCode(), body)) {
 *     tokens.invalidate(used);                         // then send the request once more with tokens.token()
 * } else if (response.statusCode() >= 400) {
 *     NetatmoApiError.parse(body).ifPresent(e -> log.warn("NetAtmo error {}: {}", e.code(), e.message()));
 * }
 * }</pre>
 *
 * <p>An immutable, thread-safe value; a final class rather than a record, so that later versions can add to it.
 */
public final class NetatmoApiError {
    /** Error code 1: no access token was sent. */
    public static final int ACCESS_TOKEN_MISSING = 1;
    /** Error code 2: the access token is invalid; a new one helps. */
    public static final int INVALID_ACCESS_TOKEN = 2;
    /** Error code 3: the access token expired; a new one helps. */
    public static final int ACCESS_TOKEN_EXPIRED = 3;
    /** Error code 9: no such device for this account. */
    public static final int DEVICE_NOT_FOUND = 9;
    /** Error code 10: the request lacks arguments. */
    public static final int MISSING_ARGUMENTS = 10;
    /** Error code 11: too many concurrent requests (a rate limit, usually with HTTP 429); a new token does not help. */
    public static final int CONCURRENCY_LIMIT_REACHED = 11;
    /** Error code 13: the app was not granted the scope the call needs; a new token does not help. */
    public static final int APPLICATION_LACKS_SCOPE = 13;
    /** Error code 21: an argument is invalid. */
    public static final int INVALID_ARGUMENT = 21;
    /** Error code 26: the user's usage limit is reached (a rate limit); a new token does not help. */
    public static final int USAGE_LIMIT_REACHED = 26;
    /** Error code 30: the refresh token is invalid. */
    public static final int INVALID_REFRESH_TOKEN = 30;

    /** NetAtmo's error bodies are about a hundred bytes; this library never reads more than this of one. */
    public static final int MAX_BODY_BYTES = 16 * 1024;

    static final int MAX_MESSAGE_CHARS = 200;
    /** What a secret in NetAtmo's text is replaced with. */
    static final String REDACTED = "[redacted]";

    private final int code;
    private final @Nullable String message;

    private NetatmoApiError(int code, @Nullable String message) {
        this.code = code;
        this.message = message;
    }

    /**
     * Reads a NetAtmo error body.
     *
     * @param body the response body, or its first {@link #MAX_BODY_BYTES}; {@code null} if there was none
     * @return the error, or empty if {@code body} is anything else (HTML from a proxy, empty, cut off, no code)
     */
    public static Optional<NetatmoApiError> parse(byte @Nullable [] body) {
        return parse(body, null);
    }

    /**
     * Like {@link #parse(byte[])}, and replaces {@code secret} in NetAtmo's text before the text is cut to its length,
     * so that no part of it is left at the cut.
     *
     * @param body the response body, or its first {@link #MAX_BODY_BYTES}; {@code null} if there was none
     * @param secret the access token the request carried, which NetAtmo's text might repeat; {@code null} for none
     * @return the error, or empty if {@code body} is not NetAtmo's error JSON
     */
    public static Optional<NetatmoApiError> parse(byte @Nullable [] body, @Nullable String secret) {
        if (body == null || body.length == 0) {
            return Optional.empty();
        }
        Object error;
        try {
            error = JsonTree.get(JsonTree.parse(body), "error");
        } catch (IOException e) {
            return Optional.empty();
        }
        Object code = JsonTree.get(error, "code");
        int value;
        if (code instanceof Integer number) {
            // The parser makes a Long or BigInteger only of numbers beyond the range of int.
            value = number;
        } else if (code instanceof String text) {
            try {
                value = Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        } else {
            return Optional.empty();
        }
        String message = JsonTree.string(JsonTree.get(error, "message"));
        return Optional.of(new NetatmoApiError(value, message != null ? clean(redact(message, secret)) : null));
    }

    /**
     * Whether a response says "this access token is no good, get a new one": HTTP 401, unless its body names a rate
     * limit or a missing scope (codes 11, 13, 26), or HTTP 403 with error code 2 (invalid) or 3 (expired). Codes 13
     * and 26 never count, because a new token would not help, and renewing on them would only spend refresh tokens.
     * This is the rule of the OkHttp interceptor and of {@link NetatmoHttpClient}.
     *
     * @param status the HTTP status
     * @param body the response body, or its first {@link #MAX_BODY_BYTES}; {@code null} or empty if there was none
     *     or it was not read (a 403 then never counts)
     * @return whether to {@link TokenSource#invalidate(Token) invalidate} the token and retry once with a new one
     */
    public static boolean isTokenRejection(int status, byte @Nullable [] body) {
        if (status != 401 && status != 403) {
            return false;
        }
        Optional<NetatmoApiError> error = parse(body);
        if (status == 401) {
            return error.map(e -> !e.isRateLimit() && e.code != APPLICATION_LACKS_SCOPE).orElse(true);
        }
        return error.map(NetatmoApiError::rejectsAccessToken).orElse(false);
    }

    /** {@return NetAtmo's error code, such as 3 (access token expired) or 26 (usage limit reached)} */
    public int code() {
        return code;
    }

    /**
     * NetAtmo's text, such as {@code Access token expired}.
     *
     * @return the text on one line (control characters replaced by spaces), with the secret given to
     *     {@link #parse(byte[], String)} replaced by {@code [redacted]}, cut to 200 characters; {@code null} if the
     *     body had none
     */
    public @Nullable String message() {
        return message;
    }

    /** {@return whether the code says "get a new access token": 2 (invalid) or 3 (expired)} */
    public boolean rejectsAccessToken() {
        return code == INVALID_ACCESS_TOKEN || code == ACCESS_TOKEN_EXPIRED;
    }

    /** {@return whether the code is a rate limit, 11 or 26: call less often, and retry later} */
    public boolean isRateLimit() {
        return code == USAGE_LIMIT_REACHED || code == CONCURRENCY_LIMIT_REACHED;
    }

    /** {@code text} with every {@code secret} in it replaced by {@value #REDACTED}. */
    static String redact(String text, @Nullable String secret) {
        return secret == null || secret.isEmpty() ? text : text.replace(secret, REDACTED);
    }

    /** Keeps a server's text to one short line, so that it cannot forge log lines. */
    private static @Nullable String clean(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_MESSAGE_CHARS + 1));
        for (int i = 0; i < text.length() && out.length() < MAX_MESSAGE_CHARS; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (out.length() < text.length()) {
            out.append('…');
        }
        String result = out.toString().strip();
        return result.isEmpty() ? null : result;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof NetatmoApiError other && code == other.code && Objects.equals(message, other.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, message);
    }

    @Override
    public String toString() {
        return "NetatmoApiError[code=" + code + ", message=" + message + "]";
    }
}
