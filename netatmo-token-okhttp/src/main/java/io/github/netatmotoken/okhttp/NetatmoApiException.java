package io.github.netatmotoken.okhttp;

import java.io.IOException;
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
 * <p>The message names the request (method and URL without its query), the status, NetAtmo's code and text, and
 * what to do. It never contains the access token, even when NetAtmo's text repeats it. Instances are immutable
 * and thread-safe.
 */
public class NetatmoApiException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final int errorCode;
    private final @Nullable String errorMessage;

    /**
     * @param message what failed and what to do, without any token value
     * @param httpStatus the HTTP status of the response
     * @param errorCode NetAtmo's error code, or -1 if the response carried none
     * @param errorMessage NetAtmo's error text, or {@code null}
     */
    public NetatmoApiException(String message, int httpStatus, int errorCode, @Nullable String errorMessage) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.errorMessage = errorMessage;
    }

    /**
     * Describes a failed response. Reads at most 16 KiB of its body, by {@link Response#peekBody(long)}: the
     * response stays readable, and closing it is still up to the caller.
     */
    public static NetatmoApiException from(Response response) {
        Objects.requireNonNull(response, "response");
        Request request = response.request();
        String token = bearerToken(request);
        ApiError error;
        IOException readFailure = null;
        try {
            error = ApiError.parse(response.peekBody(ApiError.MAX_BODY_BYTES).bytes());
        } catch (IOException e) {
            error = null;
            readFailure = e;
        }
        int status = response.code();
        int code = error == null ? -1 : error.code();
        String text = error == null ? null : redact(error.message(), token);
        StringBuilder message = new StringBuilder("NetAtmo API call ")
                .append(request.method()).append(' ').append(withoutQuery(request.url()))
                .append(" failed with HTTP ").append(status);
        if (error != null) {
            message.append(", error code ").append(code);
            if (text != null) {
                message.append(" (").append(text).append(')');
            }
        } else if (readFailure != null) {
            message.append(" (the body could not be read: ").append(redact(readFailure.toString(), token))
                    .append(')');
        }
        String advice = advice(status, code);
        if (advice != null) {
            message.append(": ").append(advice);
        }
        NetatmoApiException exception = new NetatmoApiException(message.toString(), status, code, text);
        if (readFailure != null) {
            exception.addSuppressed(readFailure);
        }
        return exception;
    }

    /** The HTTP status of the response. */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * NetAtmo's error code, or -1 if the body carried none. 1 access token missing, 2 invalid access token,
     * 3 access token expired, 9 device not found, 10 missing arguments, 13 application lacks the scope,
     * 21 invalid argument, 26 usage limit reached, 30 invalid refresh token.
     */
    public int errorCode() {
        return errorCode;
    }

    /** NetAtmo's error text, such as {@code Access token expired}, or {@code null}. */
    public @Nullable String errorMessage() {
        return errorMessage;
    }

    private static @Nullable String advice(int status, int code) {
        String byCode = switch (code) {
            case ApiError.ACCESS_TOKEN_MISSING -> "no access token was sent; add a NetatmoAuthInterceptor to the"
                    + " OkHttpClient";
            case ApiError.INVALID_ACCESS_TOKEN, ApiError.ACCESS_TOKEN_EXPIRED -> "the access token was rejected"
                    + " (NetatmoAuthInterceptor renews it once per call); if this persists, authorize the app again";
            case ApiError.DEVICE_NOT_FOUND -> "no such device for this account; check the device_id";
            case ApiError.MISSING_ARGUMENTS, ApiError.INVALID_ARGUMENT -> "check the request's parameters";
            case ApiError.APPLICATION_LACKS_SCOPE -> "the app was not granted the scope this call needs; authorize"
                    + " again with it (read_station for weather stations, read_homecoach for the Healthy Home Coach)";
            case ApiError.USAGE_LIMIT_REACHED -> "the usage limit is reached; call less often (NetAtmo allows 50"
                    + " requests per 10 seconds and 500 per hour for each user)";
            case ApiError.INVALID_REFRESH_TOKEN -> "the refresh token is no longer valid; authorize the app again";
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

    private static @Nullable String bearerToken(Request request) {
        String authorization = request.header("Authorization");
        if (authorization == null) {
            return null;
        }
        String token = authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : authorization.trim();
        return token.isEmpty() ? null : token;
    }

    private static @Nullable String redact(@Nullable String text, @Nullable String token) {
        return text == null || token == null ? text : text.replace(token, "[access token]");
    }

    private static HttpUrl withoutQuery(HttpUrl url) {
        return url.newBuilder().query(null).fragment(null).username("").password("").build();
    }
}
