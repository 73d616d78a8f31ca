package io.github.netatmotoken.okhttp;

import io.github.netatmotoken.core.NetatmoApiError;
import io.github.netatmotoken.core.NetatmoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * A NetAtmo API call failed: the HTTP status and, if the body was NetAtmo's
 * {@code {"error":{"code":N,"message":"…"}}}, its error code and message.
 *
 * <pre>{@code
 * try (Response response = http.newCall(request).execute()) {
 *     if (!response.isSuccessful()) {
 *         throw NetatmoApiException.from(response);
 *     }
 *     ...
 * } catch (NetatmoApiException e) {
 *     if (e.errorCode() == 26) {
 *         backOff();   // usage limit reached
 *     }
 *     log.warn(e.getMessage());
 * }
 * }</pre>
 *
 * <p>{@link #from(Response)} peeks at the body and leaves it to the caller; a caller that has read the body
 * already passes it to {@link #from(Response, String)}. The message names the request (method and URL without its
 * query), the status, NetAtmo's code and text, and what to do. It never contains the request's access token (the
 * value of its {@code Authorization} header), even when NetAtmo's text repeats it: it is replaced by
 * {@code [redacted]}. Instances are immutable and thread-safe.
 */
public class NetatmoApiException extends NetatmoException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status of the response. */
    private final int httpStatus;
    /** NetAtmo's error code, or -1. */
    private final int errorCode;
    /** NetAtmo's error text, or {@code null}. */
    private final @Nullable String errorMessage;

    /**
     * @param message what failed and what to do, without any token value
     * @param httpStatus the HTTP status of the response
     * @param errorCode NetAtmo's error code, or -1 if the response carried none
     * @param errorMessage NetAtmo's error text, or {@code null}
     */
    public NetatmoApiException(String message, int httpStatus, int errorCode, @Nullable String errorMessage) {
        super(message, null);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.errorMessage = errorMessage;
    }

    /**
     * Describes a failed response whose body the caller has not read. Reads at most 16 KiB of the body, by
     * {@link Response#peekBody(long)}: the response stays readable, and closing it is still up to the caller. If
     * the caller has read (or closed) the body already, the exception describes the response without it (the
     * status, the request and "body already read"); use {@link #from(Response, String)} then.
     *
     * @param response a response that NetAtmo's API answered with an error status; a successful one gives an
     *     exception too, so check {@link Response#isSuccessful()} first
     * @return a new exception to throw, whose message holds the request, the status, NetAtmo's code and text,
     *     and advice; if the body could not be read, that failure is attached as a suppressed exception
     */
    public static NetatmoApiException from(Response response) {
        Objects.requireNonNull(response, "response");
        byte[] body = null;
        IOException readFailure = null;
        try {
            body = response.peekBody(NetatmoApiError.MAX_BODY_BYTES).bytes();
        } catch (IOException e) {
            readFailure = e;
        } catch (IllegalStateException e) {
            // Okio's "closed": the caller has read the body (string() and bytes() close it) or closed it.
        }
        return describe(response, body, readFailure);
    }

    /**
     * Describes a failed response whose body the caller has read already, for example with
     * {@code response.body().string()}.
     *
     * <pre>{@code
     * String body = response.body().string();
     * if (!response.isSuccessful()) {
     *     throw NetatmoApiException.from(response, body);
     * }
     * }</pre>
     *
     * @param response the response the body was read from; only its status and request are used
     * @param body the body as the caller read it; as with {@link #from(Response)}, only its first 16 KiB (as
     *     UTF-8) are looked at, for NetAtmo's error code and text
     * @return a new exception to throw, as {@link #from(Response)} returns it
     */
    public static NetatmoApiException from(Response response, String body) {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(body, "body");
        int max = NetatmoApiError.MAX_BODY_BYTES;
        String head = body.length() > max ? body.substring(0, max) : body;
        byte[] bytes = head.getBytes(StandardCharsets.UTF_8);
        return describe(response, bytes.length > max ? Arrays.copyOf(bytes, max) : bytes, null);
    }

    /**
     * The exception for {@code response} with the first bytes of its body; {@code body} is {@code null} if it was
     * not there to read, and then {@code readFailure} says why, or nothing if the caller had read it.
     */
    private static NetatmoApiException describe(Response response, byte @Nullable [] body,
            @Nullable IOException readFailure) {
        Request request = response.request();
        String token = bearerToken(request);
        NetatmoApiError error = NetatmoApiError.parse(body, token).orElse(null);
        int status = response.code();
        int code = error == null ? -1 : error.code();
        String text = error == null ? null : error.message();
        StringBuilder message = new StringBuilder("NetAtmo API call ")
                .append(request.method()).append(' ').append(withoutQuery(request.url()))
                .append(" failed with HTTP ").append(status);
        if (error != null) {
            message.append(", error code ").append(code);
            if (text != null) {
                message.append(" (").append(text).append(')');
            }
        } else if (readFailure != null) {
            message.append(" (the body could not be read: ").append(readFailure).append(')');
        } else if (body == null) {
            message.append(" (body already read; pass it to NetatmoApiException.from(response, body) for NetAtmo's"
                    + " error code)");
        }
        String advice = advice(status, code);
        if (advice != null) {
            message.append(": ").append(advice);
        }
        // Also covers the URL's path and the read failure's text; NetAtmo's text was redacted before it was cut.
        NetatmoApiException exception = new NetatmoApiException(redact(message.toString(), token), status,
                code, text);
        if (readFailure != null) {
            exception.addSuppressed(readFailure);
        }
        return exception;
    }

    /** {@return the HTTP status of the response, such as 403 or 500} */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * NetAtmo's error code, or -1 if the body carried none. 1 access token missing, 2 invalid access token,
     * 3 access token expired, 9 device not found, 10 missing arguments, 13 application lacks the scope,
     * 21 invalid argument, 26 usage limit reached, 30 invalid refresh token.
     *
     * @return the code, for example to back off on 26; -1 if the body was not NetAtmo's error JSON (an HTML
     *     error page from a proxy, an empty or cut-off body)
     */
    public int errorCode() {
        return errorCode;
    }

    /**
     * NetAtmo's error text, such as {@code Access token expired}, or {@code null}.
     *
     * @return the text as {@link #from(Response)} found it: on one line, with the request's access token replaced
     *     by {@code [redacted]} and then cut to 200 characters; {@code null} if the body had none or was not there
     *     to read
     */
    public @Nullable String errorMessage() {
        return errorMessage;
    }

    /**
     * Whether the same call may succeed later without anybody doing anything.
     *
     * @return {@code true} for a rate limit (HTTP 429, or NetAtmo error code 11 or 26) and for a server error (HTTP
     *     5xx); {@code false} for everything else, such as a missing scope (13), a bad argument or an unknown device,
     *     which a person has to fix
     */
    @Override
    public boolean isRetryable() {
        return httpStatus == 429 || httpStatus >= 500 || errorCode == NetatmoApiError.USAGE_LIMIT_REACHED
                || errorCode == NetatmoApiError.CONCURRENCY_LIMIT_REACHED;
    }

    private static @Nullable String advice(int status, int code) {
        String byCode = switch (code) {
            case NetatmoApiError.ACCESS_TOKEN_MISSING -> "no access token was sent; add a NetatmoAuthInterceptor to"
                    + " the OkHttpClient";
            case NetatmoApiError.INVALID_ACCESS_TOKEN, NetatmoApiError.ACCESS_TOKEN_EXPIRED -> "the access token was"
                    + " rejected (NetatmoAuthInterceptor renews it once per call); if this persists, authorize the app"
                    + " again";
            case NetatmoApiError.DEVICE_NOT_FOUND -> "no such device for this account; check the device_id";
            case NetatmoApiError.MISSING_ARGUMENTS, NetatmoApiError.INVALID_ARGUMENT -> "check the request's"
                    + " parameters";
            case NetatmoApiError.APPLICATION_LACKS_SCOPE -> "the app was not granted the scope this call needs;"
                    + " authorize again with it (read_station for weather stations, read_homecoach for the Healthy"
                    + " Home Coach)";
            case NetatmoApiError.USAGE_LIMIT_REACHED -> "the usage limit is reached; call less often (NetAtmo allows"
                    + " 50 requests per 10 seconds and 500 per hour for each user)";
            case NetatmoApiError.CONCURRENCY_LIMIT_REACHED -> "too many requests at once; call less often and retry"
                    + " later";
            case NetatmoApiError.INVALID_REFRESH_TOKEN -> "the refresh token is no longer valid; authorize the app"
                    + " again";
            default -> null;
        };
        if (byCode != null) {
            return byCode;
        }
        if (status == 429) {
            return "rate limited; call less often and retry later";
        }
        return status >= 500 ? "NetAtmo is having trouble; retry later" : null;
    }

    /** {@code text} with {@code secret} in it replaced by {@code [redacted]}, as NetAtmo's text already is. */
    private static String redact(String text, @Nullable String secret) {
        return secret == null || secret.isEmpty() ? text : text.replace(secret, "[redacted]");
    }

    private static @Nullable String bearerToken(Request request) {
        String authorization = request.header("Authorization");
        if (authorization == null) {
            return null;
        }
        String token = authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : authorization.trim();
        return token.isEmpty() ? null : token;
    }

    private static HttpUrl withoutQuery(HttpUrl url) {
        return url.newBuilder().query(null).fragment(null).username("").password("").build();
    }
}
