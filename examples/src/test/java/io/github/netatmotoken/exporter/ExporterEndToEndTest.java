package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netatmotoken.core.CapturedLogs;
import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.RefreshingTokenSource.State;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/** The exporter in-process on port 0 against MockWebServer as NetAtmo, with real token files. */
class ExporterEndToEndTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private final List<String> pagesSeen = new ArrayList<>();
    private FakeNetatmo netatmo;
    private Exporter exporter;
    private Browser browser;
    private Path tokenFile;
    private int logMark;

    @BeforeEach
    void startNetatmo() throws Exception {
        netatmo = new FakeNetatmo();
        netatmo.serve("getstationsdata", FakeNetatmo.STATIONS.formatted(clock.instant().getEpochSecond() - 300));
        tokenFile = dir.resolve("token.json");
        logMark = CapturedLogs.mark();
    }

    @AfterEach
    void stop() {
        if (exporter != null) {
            exporter.close();
        }
        netatmo.close();
    }

    private void start() throws Exception {
        start(true);
    }

    private void start(boolean withTokenFile) throws Exception {
        start(withTokenFile, false);
    }

    private void start(boolean withTokenFile, boolean homeCoach) throws Exception {
        Config config = new Config("127.0.0.1", 0, null, withTokenFile ? tokenFile : null, true, "info",
                Duration.ofHours(1), Duration.ofHours(2), FakeNetatmo.CLIENT_ID, FakeNetatmo.CLIENT_SECRET,
                netatmo.url(), false, homeCoach);
        exporter = Exporter.start(config, clock);
        browser = new Browser(exporter.port());
        exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
    }

    private String page(String path) {
        HttpResponse<String> response = browser.get(path);
        pagesSeen.add(response.body());
        return response.body();
    }

    private JsonNode tokenOnDisk() throws Exception {
        return MAPPER.readTree(Files.readString(tokenFile));
    }

    private void writeToken(String json) throws Exception {
        Files.writeString(tokenFile, json);
    }

    @Test
    void withoutATokenFileItStartsUnauthenticatedAndWaits() throws Exception {
        start();

        assertEquals(State.NOT_AUTHENTICATED, exporter.tokens().status().state());
        assertEquals(0, netatmo.requests().size(), "nothing is sent to NetAtmo without a token");
        String status = page("/");
        assertTrue(status.contains("Not authorized yet"), status);
        assertTrue(status.contains("href=\"auth/authorize\""), status);
        assertTrue(status.contains("action=\"auth/settoken\""), status);
        String metrics = page("/metrics");
        assertTrue(metrics.contains("netatmo_up 0.0"), metrics);
        assertTrue(metrics.contains("netatmo_exporter_token_valid 0.0"), metrics);
        assertFalse(Files.exists(tokenFile), "no file is written before there is a token");
    }

    @Test
    void anIncompleteFileIsWarnedAboutAndRefreshedAtOnce() throws Exception {
        netatmo.honour("old-access-a1", "old-refresh-r1");
        writeToken("{\"access_token\":\"old-access-a1\",\"refresh_token\":\"old-refresh-r1\"}");

        start();

        assertTrue(CapturedLogs.messages(logMark, Level.WARN).stream()
                .anyMatch(m -> m.contains(tokenFile.toString()) && m.contains("refreshed at once")),
                "a warning names the file and what happens");
        assertEquals(1, netatmo.count("/oauth2/token"));
        assertEquals("issued-refresh-1-y7", tokenOnDisk().get("refresh_token").asText());
        assertTrue(page("/metrics").contains("netatmo_up 1.0"));
    }

    @Test
    void aFileWithOnlyARefreshTokenIsRenewedAtOnce() throws Exception {
        netatmo.honour(null, "only-refresh-r2");
        writeToken("{\"refresh_token\":\"only-refresh-r2\"}");

        start();

        assertEquals(State.VALID, exporter.tokens().status().state());
        assertEquals("issued-access-1-x9", tokenOnDisk().get("access_token").asText());
        assertEquals("issued-refresh-1-y7", tokenOnDisk().get("refresh_token").asText());
        assertTrue(page("/metrics").contains(
                "netatmo_sensor_temperature_celsius{home=\"House\",module=\"Indoor\",station=\"Home\"} 21.5"));
    }

    @Test
    void anExpiredTokenWithARefreshTokenIsRefreshedNotDiscarded() throws Exception {
        netatmo.honour("expired-access-a3", "still-good-refresh-r3");
        writeToken("{\"access_token\":\"expired-access-a3\",\"refresh_token\":\"still-good-refresh-r3\","
                + "\"token_type\":\"Bearer\",\"expiry\":\"2026-01-15T09:00:00Z\"}");

        start();

        assertEquals(State.VALID, exporter.tokens().status().state());
        List<RecordedRequest> data = netatmo.requests().stream()
                .filter(r -> r.getTarget().startsWith("/api/")).toList();
        assertEquals(1, data.size());
        assertEquals("Bearer issued-access-1-x9", data.get(0).getHeaders().get("Authorization"));
        assertEquals("issued-refresh-1-y7", tokenOnDisk().get("refresh_token").asText(),
                "the rotated refresh token is saved at once");
    }

    @Test
    void aRejectionWithCode3RefreshesOnceAndRetries() throws Exception {
        netatmo.honour("current-access-a4", "current-refresh-r4");
        writeToken("{\"access_token\":\"current-access-a4\",\"refresh_token\":\"current-refresh-r4\","
                + "\"expiry\":\"2026-01-15T12:00:00Z\"}");
        netatmo.nextDataResponse(403, "{\"error\":{\"code\":3,\"message\":\"Access token expired\"}}");

        start();

        String metrics = page("/metrics");
        assertTrue(metrics.contains("netatmo_up 1.0"), metrics);
        assertTrue(metrics.contains("netatmo_api_requests_total{status=\"403\"} 1.0"), metrics);
        assertTrue(metrics.contains("netatmo_api_requests_total{status=\"200\"} 1.0"), metrics);
        assertTrue(metrics.contains("netatmo_exporter_token_refresh_total{result=\"success\"} 1.0"), metrics);
        assertEquals("issued-refresh-1-y7", tokenOnDisk().get("refresh_token").asText());
    }

    @Test
    void aFailedDataRefreshKeepsTheOldDataAndCountsTheError() throws Exception {
        netatmo.honour("current-access-a5", "current-refresh-r5");
        writeToken("{\"access_token\":\"current-access-a5\",\"refresh_token\":\"current-refresh-r5\","
                + "\"expiry\":\"2026-01-15T12:00:00Z\"}");
        start();
        netatmo.nextDataResponse(503, "{\"error\":{\"code\":500,\"message\":\"Internal Server Error\"}}");

        exporter.refreshData().get(20, TimeUnit.SECONDS);

        String metrics = page("/metrics");
        assertTrue(metrics.contains("netatmo_up 0.0"), metrics);
        assertTrue(metrics.contains("netatmo_api_requests_total{status=\"503\"} 1.0"), metrics);
        assertTrue(metrics.contains("netatmo_sensor_co2_ppm{home=\"House\",module=\"Indoor\",station=\"Home\"} 612.0"),
                "the old readings stay: " + metrics);
        assertTrue(page("/").contains("HTTP 503"), "the status page says what failed");
    }

    @Test
    void homeCoachesAreReadAndTheirFailureKeepsTheStations() throws Exception {
        netatmo.honour("current-access-b1", "current-refresh-b1");
        writeToken("{\"access_token\":\"current-access-b1\",\"refresh_token\":\"current-refresh-b1\","
                + "\"expiry\":\"2026-01-15T12:00:00Z\"}");
        netatmo.serve("gethomecoachsdata", "{\"body\":{\"devices\":[{\"_id\":\"70:ee:50:00:00:99\",\"type\":\"NHC\","
                + "\"name\":\"Bedroom\",\"dashboard_data\":{\"time_utc\":" + (clock.instant().getEpochSecond() - 60)
                + ",\"CO2\":1200,\"health_idx\":3}}]},\"status\":\"ok\"}");
        start(true, true);
        assertTrue(page("/metrics").contains(
                "netatmo_sensor_health_index{home=\"\",module=\"Bedroom\",station=\"Bedroom\"} 3.0"));

        netatmo.serve("gethomecoachsdata", "{\"error\":{\"code\":13,\"message\":\"Application does not have the"
                + " good scope rights\"}}");
        netatmo.nextDataResponse(200, FakeNetatmo.STATIONS.formatted(clock.instant().getEpochSecond() - 30));
        netatmo.nextDataResponse(403, "{\"error\":{\"code\":13,\"message\":\"Application does not have the good"
                + " scope rights\"}}");
        exporter.refreshData().get(20, TimeUnit.SECONDS);

        String metrics = page("/metrics");
        assertTrue(metrics.contains("netatmo_up 0.0"), metrics);
        assertTrue(metrics.contains("netatmo_sensor_updated{home=\"House\",module=\"Indoor\",station=\"Home\"} "
                + (double) (clock.instant().getEpochSecond() - 30)), "the new station data is used: " + metrics);
        assertTrue(page("/").contains("Home Coach data: NetAtmo API call GET"), "the status page says why");
        assertEquals(0, netatmo.count("/oauth2/token"), "code 13 never triggers a refresh");
    }

    @Test
    void authorizeCallbackAndMetrics() throws Exception {
        start();

        HttpResponse<String> authorize = browser.get("/auth/authorize");
        assertEquals(302, authorize.statusCode());
        URI location = URI.create(authorize.headers().firstValue("Location").orElseThrow());
        Map<String, String> query = Reply.decode(location.getRawQuery());
        assertEquals(netatmo.url().resolve("/oauth2/authorize").getPath(), location.getPath());
        assertEquals(FakeNetatmo.CLIENT_ID, query.get("client_id"));
        assertEquals("read_station", query.get("scope"));
        assertEquals("code", query.get("response_type"));
        assertEquals("http://127.0.0.1:" + exporter.port() + "/auth/callback", query.get("redirect_uri"));
        String state = query.get("state");
        assertTrue(state.length() >= 32, "the state is long and random");

        HttpResponse<String> callback = browser.get("/auth/callback?code=good-code&state=" + state);
        assertEquals(303, callback.statusCode());
        assertEquals("../?notice=authorized", callback.headers().firstValue("Location").orElseThrow());
        exporter.refreshData().get(20, TimeUnit.SECONDS);

        assertEquals("issued-access-1-x9", tokenOnDisk().get("access_token").asText());
        String metrics = page("/metrics");
        assertTrue(metrics.contains("netatmo_up 1.0"), metrics);
        assertTrue(metrics.contains("netatmo_exporter_token_valid 1.0"), metrics);
        assertTrue(metrics.contains("netatmo_sensor_co2_ppm{home=\"House\",module=\"Indoor\",station=\"Home\"} 612.0"));
        assertTrue(page("/").contains("Authorized"));

        HttpResponse<String> reused = browser.get("/auth/callback?code=good-code&state=" + state);
        assertEquals(400, reused.statusCode());
        assertTrue(reused.body().contains("already used"), reused.body());
        assertEquals(1, netatmo.count("/oauth2/token"), "a reused state never reaches NetAtmo");
    }

    @Test
    void aCallbackWithoutOrWithAnUnknownStateIsRefused() throws Exception {
        start();

        HttpResponse<String> missing = browser.get("/auth/callback?code=good-code");
        HttpResponse<String> unknown = browser.get("/auth/callback?code=good-code&state=made-up");

        assertEquals(400, missing.statusCode());
        assertTrue(missing.body().contains("no state"), missing.body());
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("Unknown or already used authorization"), unknown.body());
        assertEquals(0, netatmo.count("/oauth2/token"));
    }

    @Test
    void aDeclinedAuthorizationChangesNothing() throws Exception {
        start();
        String state = Reply.decode(URI.create(browser.get("/auth/authorize").headers().firstValue("Location")
                .orElseThrow()).getRawQuery()).get("state");

        HttpResponse<String> declined = browser.get("/auth/callback?error=access_denied&state=" + state);

        assertEquals(403, declined.statusCode());
        assertTrue(declined.body().contains("You declined access"), declined.body());
        assertEquals(State.NOT_AUTHENTICATED, exporter.tokens().status().state());
    }

    @Test
    void aPastedRefreshTokenIsUsedAndGetIsRefused() throws Exception {
        netatmo.honour(null, "pasted-refresh-r6");
        start();

        assertEquals(400, browser.get("/auth/settoken").statusCode(), "a script's GET without a token");
        HttpResponse<String> empty = browser.postForm("/auth/settoken", "refresh_token=");
        assertEquals(400, empty.statusCode());
        HttpResponse<String> pasted = browser.postForm("/auth/settoken", "refresh_token=pasted-refresh-r6");
        assertEquals(200, pasted.statusCode(), pasted.body());
        exporter.refreshData().get(20, TimeUnit.SECONDS);

        assertEquals(State.VALID, exporter.tokens().status().state());
        assertEquals("issued-refresh-1-y7", tokenOnDisk().get("refresh_token").asText());
        assertTrue(page("/metrics").contains("netatmo_up 1.0"));
    }

    @Test
    void shutdownSavesTheCurrentToken() throws Exception {
        netatmo.honour("current-access-a7", "current-refresh-r7");
        writeToken("{\"access_token\":\"current-access-a7\",\"refresh_token\":\"current-refresh-r7\","
                + "\"expiry\":\"2026-01-15T12:00:00Z\"}");
        start();
        Files.delete(tokenFile);

        exporter.close();
        exporter = null;

        assertEquals("current-refresh-r7", tokenOnDisk().get("refresh_token").asText());
        assertEquals(Instant.parse("2026-01-15T12:00:00Z"), Instant.parse(tokenOnDisk().get("expiry").asText()));
    }

    @Test
    void withoutTokenFileOrStoreItDoesNotStart() {
        // ConfigParser refuses this with a message for the user; a Config built in code is a programming error.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> start(false));
        assertTrue(e.getMessage().startsWith("A token file or a token store is needed"), e.getMessage());
        assertNull(exporter);
    }

    @Test
    void debugHandlersShowDataAndTokenStateButNoTokenValue() throws Exception {
        netatmo.honour("current-access-a8", "current-refresh-r8");
        writeToken("{\"access_token\":\"current-access-a8\",\"refresh_token\":\"current-refresh-r8\","
                + "\"expiry\":\"2026-01-15T12:00:00Z\"}");
        start();

        JsonNode token = MAPPER.readTree(page("/debug/token"));
        assertTrue(token.get("valid").asBoolean());
        assertTrue(token.get("hasRefreshToken").asBoolean());
        assertEquals("2026-01-15T12:00:00Z", token.get("expiry").asText());
        assertTrue(page("/debug/data").contains("\"station_name\":\"Home\""));
        assertEquals("netatmo-exporter", MAPPER.readTree(page("/version")).get("name").asText());
        assertEquals(404, browser.get("/nope").statusCode());
    }

    @Test
    void metricsHonourTheAcceptHeader() throws Exception {
        start();

        HttpResponse<String> openMetrics = browser.get("/metrics",
                "application/openmetrics-text; version=1.0.0; charset=utf-8");
        HttpResponse<String> text = browser.get("/metrics", "text/plain");

        assertTrue(openMetrics.headers().firstValue("Content-Type").orElseThrow()
                .startsWith("application/openmetrics-text"));
        assertTrue(openMetrics.body().endsWith("# EOF\n"));
        assertTrue(text.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
    }

    @Test
    void noLogLinePageOrMetricContainsATokenOrTheClientSecret() throws Exception {
        netatmo.honour("secret-access-a9", "secret-refresh-r9");
        writeToken("{\"access_token\":\"secret-access-a9\",\"refresh_token\":\"secret-refresh-r9\","
                + "\"expiry\":\"2026-01-15T09:00:00Z\"}");
        start();
        netatmo.nextDataResponse(403, "{\"error\":{\"code\":3,\"message\":\"Access token expired\"}}");
        exporter.refreshData().get(20, TimeUnit.SECONDS);
        String state = Reply.decode(URI.create(browser.get("/auth/authorize").headers().firstValue("Location")
                .orElseThrow()).getRawQuery()).get("state");
        browser.get("/auth/callback?code=good-code&state=" + state);
        browser.postForm("/auth/settoken", "refresh_token=" + "issued-refresh-2-y7");
        exporter.refreshData().get(20, TimeUnit.SECONDS);
        for (String path : List.of("/", "/metrics", "/version", "/debug/token")) {
            page(path);
        }
        exporter.close();
        exporter = null;

        assertTrue(netatmo.secrets().size() >= 6, "tokens were issued: " + netatmo.secrets().size());
        List<String> texts = new ArrayList<>(pagesSeen);
        CapturedLogs.since(logMark).forEach(line -> texts.add(line.fullText()));
        for (String secret : netatmo.secrets()) {
            for (String text : texts) {
                assertFalse(text.contains(secret), () -> "found a secret in: " + text);
            }
        }
        assertNotNull(tokenOnDisk().get("refresh_token"));
    }
}
