package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.FileTokenStore;
import io.github.netatmotoken.core.RefreshingTokenSource.State;
import io.github.netatmotoken.core.Token;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Attacks and user paths from the review of the web side (review11), in a real headless Chromium against the demo:
 * pasting a working refresh token into the status page (on loopback, and over plain HTTP under a LAN name, where
 * Chromium sends no {@code Sec-Fetch-*} headers), and a DNS rebinding page that reads the exporter same-origin.
 * Names other than localhost reach loopback through Chromium's {@code --host-resolver-rules}.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BrowserAttacksTest {
    @RegisterExtension
    static final ChromiumExtension chromium = new ChromiumExtension();

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private Path tokenFile;
    private Exporter exporter;
    private RebindingSite rebinding;

    /** A demo exporter whose saved token the demo no longer accepts: it asks to authorize again. */
    private void startExporter(URI externalUrl, int port, boolean debugHandlers) throws Exception {
        tokenFile = dir.resolve("token.json");
        new FileTokenStore(tokenFile, clock).save(new Token("old-access-token", "old-refresh-token",
                clock.instant().minusSeconds(60)));
        exporter = Exporter.start(new Config("127.0.0.1", port, externalUrl, tokenFile, debugHandlers, "info",
                Duration.ofMinutes(8), Duration.ofMinutes(60), Config.DEMO_CLIENT_ID, Config.DEMO_CLIENT_SECRET,
                Config.DEFAULT_API_URL, true, true), clock);
        exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
        assertEquals(State.REAUTHORIZATION_REQUIRED, exporter.tokens().status().state());
    }

    @AfterEach
    void stop() {
        if (rebinding != null) {
            rebinding.close();
        }
        if (exporter != null) {
            exporter.close();
        }
    }

    /** Pastes {@code refreshToken} into the page's form and waits for the page that answers it. */
    private static void paste(ChromiumBrowser browser, String refreshToken) {
        WebElement field = browser.find("#settoken-form input#refresh_token");
        field.sendKeys(refreshToken);
        browser.screenshot("pasted");
        browser.find("#settoken-form button#settoken-submit").click();
        browser.await("the answer to the pasted token", d -> !d.findElements(By.cssSelector("#notice, #problem"))
                .isEmpty());
        browser.screenshot("answer");
    }

    private void assertPastedTokenUsed(ChromiumBrowser browser, byte[] storedBefore) throws Exception {
        List<WebElement> problem = browser.driver().findElements(By.id("problem"));
        assertTrue(problem.isEmpty(), "the working token was refused: "
                + (problem.isEmpty() ? "" : problem.get(0).getText()));
        assertTrue(browser.find("#notice").getText().contains("works"), browser.find("#notice").getText());
        assertEquals(State.VALID, exporter.tokens().status().state());
        assertFalse(java.util.Arrays.equals(storedBefore, Files.readAllBytes(tokenFile)), "the new token is saved");
    }

    /**
     * The status page's own form, on 127.0.0.1. Under the page's {@code Referrer-Policy: no-referrer} Chromium
     * sends the form's POST with {@code Origin: null}, which the exporter refused as cross-site; the existing test
     * of a refused token passed only because the refusal page also says "refused".
     */
    @Test
    void aWorkingRefreshTokenPastedIntoTheStatusPageIsUsed() throws Exception {
        startExporter(null, 0, false);
        Token pasted = DemoTokens.of(exporter, clock).issue();
        byte[] storedBefore = Files.readAllBytes(tokenFile);
        ChromiumBrowser browser = chromium.open();

        browser.open(exporter.url().resolve("/"));
        paste(browser, pasted.refreshToken());

        assertPastedTokenUsed(browser, storedBefore);
    }

    /** As a home network user: plain HTTP under a name given with --external-url, no Sec-Fetch-* headers. */
    @Test
    void aWorkingRefreshTokenPastedOverPlainHttpUnderALanNameIsUsed() throws Exception {
        int port = freePort();
        URI external = URI.create("http://exporter.test:" + port);
        startExporter(external, port, false);
        Token pasted = DemoTokens.of(exporter, clock).issue();
        byte[] storedBefore = Files.readAllBytes(tokenFile);
        ChromiumBrowser browser = chromium.open(ChromiumBrowser.Screen.desktop(1280, 1000),
                List.of("--host-resolver-rules=MAP exporter.test 127.0.0.1"));

        browser.open(external.resolve("/"));
        paste(browser, pasted.refreshToken());

        assertPastedTokenUsed(browser, storedBefore);
    }

    /**
     * The attacker's page on {@code http://rebind.test:<port>} rebinds its name to the exporter and reads it with
     * same-origin {@code fetch}: over plain HTTP these carry neither {@code Origin} nor {@code Sec-Fetch-*}, and the
     * exporter, taking them for scripts, answered them.
     */
    @Test
    void aDnsRebindingPageCannotReadTheExporter() throws Exception {
        startExporter(null, 0, true);
        String script = "<script>"
                + "Promise.all(['/', '/debug/token', '/debug/data', '/status.js']"
                + ".map(p => fetch(p, {cache: 'no-store'})"
                + ".then(r => r.text().then(t => p + ' ' + r.status + ' ' + (t.includes('Refused: unknown host name')"
                + " ? 'refused' : 'READ')), e => p + ' failed ' + e)))"
                + ".then(all => { document.getElementById('result').textContent = all.join('; '); });"
                + "</script>";
        rebinding = RebindingSite.start(exporter.port(), "<!DOCTYPE html><title>Free weather</title>"
                + "<p id=\"result\"></p>" + script);
        ChromiumBrowser browser = chromium.open(ChromiumBrowser.Screen.desktop(1280, 1000),
                List.of("--host-resolver-rules=MAP rebind.test 127.0.0.1"));

        browser.open(URI.create("http://rebind.test:" + rebinding.port() + RebindingSite.PAGE));
        String result = browser.await("the rebinding page's reads", d -> {
            String text = d.findElement(By.id("result")).getText();
            return text.isEmpty() ? null : text;
        });
        browser.screenshot("rebinding-result");

        assertEquals("/ 403 refused; /debug/token 403 refused; /debug/data 403 refused; /status.js 403 refused",
                result);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
