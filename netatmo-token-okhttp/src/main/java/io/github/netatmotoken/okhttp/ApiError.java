package io.github.netatmotoken.okhttp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The error body of NetAtmo's data API, {@code {"error":{"code":N,"message":"…"}}}.
 *
 * @param code NetAtmo's error code, such as 3 (access token expired) or 26 (usage limit reached)
 * @param message NetAtmo's text, with the secret given to {@link #parse(byte[], String)} replaced by
 *     {@value #REDACTED}, without control characters and cut to {@value #MAX_MESSAGE_CHARS} characters, or
 *     {@code null}
 */
record ApiError(int code, @Nullable String message) {
    static final int ACCESS_TOKEN_MISSING = 1;
    static final int INVALID_ACCESS_TOKEN = 2;
    static final int ACCESS_TOKEN_EXPIRED = 3;
    static final int DEVICE_NOT_FOUND = 9;
    static final int MISSING_ARGUMENTS = 10;
    static final int APPLICATION_LACKS_SCOPE = 13;
    static final int INVALID_ARGUMENT = 21;
    static final int USAGE_LIMIT_REACHED = 26;
    static final int INVALID_REFRESH_TOKEN = 30;

    /** Error bodies are about a hundred bytes; no more than this is ever read of one. */
    static final int MAX_BODY_BYTES = 16 * 1024;
    static final int MAX_MESSAGE_CHARS = 200;
    /** What a secret in NetAtmo's text is replaced with. */
    static final String REDACTED = "[redacted]";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Whether the code says "get a new access token": 2 (invalid) or 3 (expired). */
    boolean rejectsAccessToken() {
        return code == INVALID_ACCESS_TOKEN || code == ACCESS_TOKEN_EXPIRED;
    }

    /** Reads a NetAtmo error body; {@code null} if {@code body} is anything else (HTML, empty, cut off). */
    static @Nullable ApiError parse(byte @Nullable [] body) {
        return parse(body, null);
    }

    /**
     * Like {@link #parse(byte[])}, and replaces {@code secret} in NetAtmo's text before the text is cut to its
     * length, so that no part of it is left at the cut.
     */
    static @Nullable ApiError parse(byte @Nullable [] body, @Nullable String secret) {
        if (body == null || body.length == 0) {
            return null;
        }
        JsonNode error;
        try {
            error = MAPPER.readTree(body).path("error");
        } catch (IOException e) {
            return null;
        }
        JsonNode code = error.path("code");
        int value;
        if (code.isIntegralNumber() && code.canConvertToInt()) {
            value = code.intValue();
        } else if (code.isTextual()) {
            try {
                value = Integer.parseInt(code.textValue().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        } else {
            return null;
        }
        JsonNode message = error.path("message");
        return new ApiError(value, message.isTextual() ? clean(redact(message.textValue(), secret)) : null);
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
}
