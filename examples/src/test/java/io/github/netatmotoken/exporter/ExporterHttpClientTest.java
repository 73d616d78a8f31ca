package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Exporter#httpClient}: cleartext only for a plain-HTTP API, and what that client does with a redirect. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExporterHttpClientTest {
    /**
     * A cleartext-only OkHttp client has no TLS: if it followed a redirect from the plain-HTTP API to an https://
     * URL it would send that request in cleartext to the HTTPS port (OkHttp then treats https as http). The
     * redirect's answer is the client's answer instead, and the HTTPS port sees no connection. Both the data API's
     * GET and the token endpoint's POST (a 307 keeps the body: the refresh token and the client secret).
     */
    @Test
    void aRedirectFromHttpToHttpsIsNotFollowedInCleartext() throws Exception {
        for (int code : new int[] {301, 307}) {
            try (ServerSocket https = new ServerSocket(0); MockWebServer api = new MockWebServer()) {
                https.setSoTimeout(300);
                api.enqueue(new MockResponse.Builder().code(code)
                        .addHeader("Location", "https://127.0.0.1:" + https.getLocalPort() + "/oauth2/token").build());
                api.start();
                // A short read timeout: a client that does connect in cleartext fails at once, not after 30 s.
                OkHttpClient http = Exporter.httpClient(api.url("/").uri()).newBuilder()
                        .readTimeout(Duration.ofSeconds(2)).build();
                Request request = new Request.Builder().url(api.url("/oauth2/token"))
                        .post(RequestBody.create("grant_type=refresh_token&refresh_token=rt-secret-7",
                                okhttp3.MediaType.get("application/x-www-form-urlencoded")))
                        .build();
                try (Response response = http.newCall(request).execute()) {
                    assertEquals(code, response.code());
                }
                assertThrows(SocketTimeoutException.class, () -> https.accept().close(),
                        "the cleartext client connected to the https:// URL");
            }
        }
    }

    @Test
    void anUppercaseHttpSchemeGetsTheCleartextClientAndHttpsTheTlsOne() {
        OkHttpClient plain = Exporter.httpClient(URI.create("HTTP://127.0.0.1:1/"));
        assertTrue(plain.connectionSpecs().stream().noneMatch(ConnectionSpec::isTls), plain.connectionSpecs()::toString);
        OkHttpClient tls = Exporter.httpClient(URI.create("https://api.netatmo.com/"));
        assertTrue(tls.connectionSpecs().stream().anyMatch(ConnectionSpec::isTls), tls.connectionSpecs()::toString);
        assertTrue(tls.followSslRedirects());
    }
}
