package io.github.netatmotoken.exporter;

import io.github.netatmotoken.core.NotAuthenticatedException;
import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.TokenRefreshException;
import io.github.netatmotoken.okhttp.NetatmoApiException;
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

    private final OkHttpClient http;
    private final HttpUrl base;
    private final ExporterMetrics metrics;

    NetatmoApi(OkHttpClient http, URI baseUrl, ExporterMetrics metrics) {
        // A network interceptor sees each HTTP exchange, also the one the auth interceptor retries.
        this.http = http.newBuilder().addNetworkInterceptor(chain -> {
            Response response = chain.proceed(chain.request());
            metrics.apiRequest(Integer.toString(response.code()));
            return response;
        }).build();
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
            if (!response.isSuccessful()) {
                throw NetatmoApiException.from(response);
            }
            return read(response.body());
        } catch (NotAuthenticatedException | ReauthorizationRequiredException | TokenRefreshException
                | NetatmoApiException | ApiResponseException e) {
            throw e; // nothing reached NetAtmo, or the response was counted
        } catch (IOException e) {
            metrics.apiRequest("error");
            throw new IOException("NetAtmo " + endpoint + " request failed: " + e, e);
        }
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

}
