package io.github.netatmotoken.core;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A MockWebServer token endpoint that rotates strictly, as NetAtmo does: each refresh token works once, a spent
 * one gets 400 {@code invalid_grant}. Thread-safe.
 */
public final class RotatingTokenEndpoint extends Dispatcher {
    private final AtomicInteger refreshes = new AtomicInteger();
    private final AtomicInteger invalidGrants = new AtomicInteger();
    private final int expiresIn;
    private String valid;

    public RotatingTokenEndpoint(String firstRefreshToken, int expiresInSeconds) {
        this.valid = firstRefreshToken;
        this.expiresIn = expiresInSeconds;
    }

    @Override
    public synchronized MockResponse dispatch(RecordedRequest request) {
        if (!"/oauth2/token".equals(request.getUrl().encodedPath())) {
            return new MockResponse.Builder().code(404).build();
        }
        String presented = field(request.getBody() == null ? "" : request.getBody().utf8(), "refresh_token");
        if (presented == null || !presented.equals(valid)) {
            invalidGrants.incrementAndGet();
            return new MockResponse.Builder().code(400).body("{\"error\":\"invalid_grant\"}").build();
        }
        int n = refreshes.incrementAndGet();
        valid = "rotated-refresh-" + n;
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"access_token\":\"rotated-access-" + n + "\",\"refresh_token\":\"" + valid
                        + "\",\"scope\":[\"read_station\"],\"expires_in\":" + expiresIn + ",\"expire_in\":"
                        + expiresIn + "}")
                .build();
    }

    public int refreshes() {
        return refreshes.get();
    }

    public int invalidGrants() {
        return invalidGrants.get();
    }

    public synchronized String validRefreshToken() {
        return valid;
    }

    private static String field(String form, String name) {
        for (String pair : form.split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv.length == 2 && kv[0].equals(name)) {
                return URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
