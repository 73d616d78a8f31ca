package io.github.netatmotoken.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netatmotoken.core.NotAuthenticatedException;
import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.TokenRefreshException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The NetAtmo data API calls the exporter makes, over an {@link OkHttpClient} that carries the
 * {@code NetatmoAuthInterceptor} (bearer header; one refresh and retry on an expired token). Counts every
 * request by its HTTP status. Thread-safe.
 */
final class NetatmoApi {
    /** A getstationsdata response is a few KiB per station; more than this is not one. */
    static final int MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OkHttpClient http;
    private final HttpUrl base;
    private final ExporterMetrics metrics;

    NetatmoApi(OkHttpClient http, URI baseUrl, ExporterMetrics metrics) {
        this.http = http;
        this.base = HttpUrl.get(baseUrl.toString());
        this.metrics = metrics;
    }

    /** {@code GET /api/getstationsdata}: the raw body. */
    byte[] stationsData() throws IOException {
        return get("getstationsdata");
    }

    /** {@code GET /api/gethomecoachsdata}: the raw body. */
    byte[] homeCoachsData() throws IOException {
        return get("gethomecoachsdata");
    }

    private byte[] get(String endpoint) throws IOException {
        HttpUrl url = base.newBuilder().addPathSegment("api").addPathSegment(endpoint).build();
        Request request = new Request.Builder().url(url).header("Accept", "application/json").get().build();
        try (Response response = http.newCall(request).execute()) {
            metrics.apiRequest(Integer.toString(response.code()));
            byte[] body = read(response.body());
            if (!response.isSuccessful()) {
                throw new ApiResponseException("NetAtmo answered " + endpoint + " with HTTP " + response.code()
                        + describeError(body));
            }
            return body;
        } catch (NotAuthenticatedException | ReauthorizationRequiredException | TokenRefreshException
                | ApiResponseException e) {
            throw e; // no request reached NetAtmo, or it is already counted
        } catch (IOException e) {
            if (!isHttpError(e)) {
                metrics.apiRequest("error");
            }
            throw e;
        }
    }

    /** Exceptions the auth interceptor raises for an HTTP answer carry the status and were counted by it. */
    private static boolean isHttpError(IOException e) {
        return e.getClass().getSimpleName().equals("NetatmoApiException");
    }

    private static byte[] read(ResponseBody body) throws IOException {
        try (InputStream in = body.byteStream()) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            if (bytes.length > MAX_RESPONSE_BYTES) {
                throw new ApiResponseException("The NetAtmo response is larger than "
                        + MAX_RESPONSE_BYTES / (1024 * 1024) + " MiB; refusing to parse it");
            }
            return bytes;
        }
    }

    /** NetAtmo's {@code {"error":{"code":N,"message":"…"}}}, as " (code 26: User usage reached)". */
    private static String describeError(byte[] body) {
        try {
            JsonNode error = MAPPER.readTree(body).path("error");
            if (error.isObject()) {
                String message = error.path("message").asText("");
                return " (code " + error.path("code").asText("?") + (message.isEmpty() ? "" : ": " + message) + ")";
            }
            if (error.isTextual()) {
                return " (" + error.textValue() + ")";
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the status says enough
        }
        return "";
    }
}
