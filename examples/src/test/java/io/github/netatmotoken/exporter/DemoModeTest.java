package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --demo}: a user clicks through the simulated consent page and gets metrics, including a Home Coach's
 * without {@code --home-coach}, without NetAtmo.
 */
class DemoModeTest {
    @TempDir
    Path dir;

    private static final Pattern HIDDEN = Pattern.compile("name=\"(\\w+)\" value=\"([^\"]*)\"");

    private final FakeClock clock = new FakeClock();

    private Config config() {
        return new Config("127.0.0.1", 0, null, dir.resolve("demo-token.json"), false, "info",
                Duration.ofMinutes(8), Duration.ofMinutes(60), Config.DEMO_CLIENT_ID, Config.DEMO_CLIENT_SECRET,
                Config.DEFAULT_API_URL, true, false);
    }

    @Test
    void theConsentPageSendsBrowsersOnlyToTheExportersOwnCallback() throws Exception {
        try (Exporter exporter = Exporter.start(config(), clock)) {
            Browser browser = new Browser(exporter.port());
            URI consent = URI.create(browser.get("/auth/authorize").headers().firstValue("Location").orElseThrow());
            String elsewhere = consent.toString().replaceAll("redirect_uri=[^&]+",
                    "redirect_uri=http%3A%2F%2Fevil.example%2Fsteal");

            HttpResponse<String> page = browser.getAbsolute(elsewhere);
            HttpResponse<String> allowed = browser.getAbsolute(elsewhere + "&decision=allow");

            assertEquals(400, page.statusCode());
            assertTrue(page.body().contains("not the exporter's callback"), page.body());
            assertEquals(400, allowed.statusCode(), "no code is sent anywhere else");
            assertTrue(allowed.headers().firstValue("Location").isEmpty());
            assertEquals(200, browser.getAbsolute(consent.toString()).statusCode(), "its own callback works");
        }
    }

    @Test
    void demoModeServesMetricsAfterTheAuthorizeFlow() throws Exception {
        authorizeOnce();
    }

    @Test
    void aRestartedDemoKeepsItsAuthorizationAndKeepsRefreshing() throws Exception {
        authorizeOnce();

        try (Exporter exporter = Exporter.start(config(), clock)) {
            exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
            Browser browser = new Browser(exporter.port());
            assertTrue(browser.get("/metrics").body().contains("netatmo_up 1.0"));
            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofMinutes(8));
                exporter.refreshData().get(20, TimeUnit.SECONDS);
                String metrics = browser.get("/metrics").body();
                assertTrue(metrics.contains("netatmo_up 1.0"), "refresh " + i + ": " + metrics);
            }
        }
    }

    private void authorizeOnce() throws Exception {
        try (Exporter exporter = Exporter.start(config(), clock)) {
            exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
            Browser browser = new Browser(exporter.port());
            assertTrue(browser.get("/").body().contains("Demo mode"));

            String consentUrl = browser.get("/auth/authorize").headers().firstValue("Location").orElseThrow();
            HttpResponse<String> consent = browser.getAbsolute(consentUrl);
            assertTrue(consent.body().contains("Yes, I accept"), consent.body());
            StringBuilder allow = new StringBuilder(consentUrl.substring(0, consentUrl.indexOf('?')))
                    .append("?decision=allow");
            Matcher m = HIDDEN.matcher(consent.body().substring(0, consent.body().indexOf("</form>")));
            while (m.find()) {
                allow.append('&').append(m.group(1)).append('=')
                        .append(java.net.URLEncoder.encode(m.group(2), java.nio.charset.StandardCharsets.UTF_8));
            }
            String callback = browser.getAbsolute(allow.toString()).headers().firstValue("Location").orElseThrow();
            Map<String, String> query = Reply.decode(URI.create(callback).getRawQuery());
            assertTrue(query.containsKey("code"));
            assertEquals(303, browser.getAbsolute(callback).statusCode());
            exporter.refreshData().get(20, TimeUnit.SECONDS);

            String metrics = browser.get("/metrics").body();
            assertTrue(metrics.contains("netatmo_up 1.0"), metrics);
            for (String module : new String[] {"Living Room", "Garden", "Wind", "Rain", "Bedroom"}) {
                assertTrue(metrics.contains("module=\"" + module + "\""), module + " in " + metrics);
            }
            assertTrue(metrics.contains("netatmo_sensor_wind_strength_kph{"));
            assertTrue(metrics.contains("netatmo_sensor_rain_amount_mm{"));
            assertTrue(metrics.contains("netatmo_sensor_health_index{home=\"\",module=\"Bedroom\""), metrics);

            clock.advance(Duration.ofMinutes(3));
            exporter.refreshData().get(20, TimeUnit.SECONDS);
            assertTrue(browser.get("/metrics").body().contains("netatmo_up 1.0"),
                    "the two-minute token is renewed with a rotated refresh token");
        }
    }
}
