package io.github.netatmotoken.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netatmotoken.core.Token;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Tokens from a demo exporter's simulated NetAtmo, obtained over plain HTTP with the exporter's own client and
 * redirect URI, as a second, unrelated authorization of the same app would get them: valid tokens that the
 * exporter has never seen. Thread-safe.
 */
final class DemoTokens {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final URI demo;
    private final String redirectUri;
    private final Clock clock;

    private DemoTokens(URI demo, String redirectUri, Clock clock) {
        this.demo = demo;
        this.redirectUri = redirectUri;
        this.clock = clock;
    }

    /** For the demo API of {@code exporter}, found where its {@code /auth/authorize} sends browsers. */
    static DemoTokens of(Exporter exporter, Clock clock) throws IOException, InterruptedException {
        // Over loopback, as a script: the external URL may name a host only the browser under test resolves.
        HttpResponse<String> authorize = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.port()
                + "/auth/authorize")).GET());
        URI consent = URI.create(authorize.headers().firstValue("Location").orElseThrow(() -> new IOException(
                "/auth/authorize answered " + authorize.statusCode() + " without a Location")));
        return new DemoTokens(consent.resolve("/"), exporter.url() + "/auth/callback", clock);
    }

    /** A new authorization: consent given at the demo's authorize page, the code exchanged for a token. */
    Token issue() throws IOException, InterruptedException {
        HttpResponse<String> consent = send(HttpRequest.newBuilder(demo.resolve("/oauth2/authorize?" + form(Map.of(
                "client_id", Config.DEMO_CLIENT_ID, "redirect_uri", redirectUri, "scope", "read_station",
                "state", "test", "decision", "allow")))).GET());
        String location = consent.headers().firstValue("Location").orElseThrow(() -> new IOException(
                "the demo's consent answered " + consent.statusCode() + " without a Location"));
        String code = Reply.decode(URI.create(location).getRawQuery()).get("code");
        JsonNode json = token(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", redirectUri));
        return new Token(json.path("access_token").asText(), json.path("refresh_token").asText(),
                clock.instant().plusSeconds(json.path("expires_in").asLong()));
    }

    /**
     * Redeems {@code refreshToken} at the demo's token endpoint: {@code true} if it was issued and never used (it is
     * used up by this call, as NetAtmo's rotating refresh tokens are), {@code false} on {@code invalid_grant}.
     */
    boolean redeem(String refreshToken) throws IOException, InterruptedException {
        try {
            token(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
            return true;
        } catch (IOException e) {
            if (e.getMessage().contains("invalid_grant")) {
                return false;
            }
            throw e;
        }
    }

    private JsonNode token(Map<String, String> grant) throws IOException, InterruptedException {
        Map<String, String> fields = new HashMap<>(grant);
        fields.put("client_id", Config.DEMO_CLIENT_ID);
        fields.put("client_secret", Config.DEMO_CLIENT_SECRET);
        HttpResponse<String> response = send(HttpRequest.newBuilder(demo.resolve("/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields))));
        if (response.statusCode() != 200) {
            throw new IOException("the demo's token endpoint answered " + response.statusCode() + ": "
                    + response.body());
        }
        return MAPPER.readTree(response.body());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }
}
