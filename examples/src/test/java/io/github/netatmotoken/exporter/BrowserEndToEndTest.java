package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.FileTokenStore;
import io.github.netatmotoken.core.RefreshingTokenSource.State;
import io.github.netatmotoken.core.RefreshingTokenSource.Status;
import io.github.netatmotoken.core.Token;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The exporter's pages in a real, headless Chromium, in demo mode: what a user clicks and sees, the refusal of a
 * bad pasted token, cross-site requests that must not change the token, and the layout on a phone. Each step
 * leaves a screenshot in {@code target/browser-screenshots/}. Needs Chromium and chromedriver (see
 * {@link ChromiumExtension}: skipped without them, except on CI).
 *
 * <p>The exporter's clock stands still, so that no background token refresh changes the state a test compares;
 * the page's own timers run on the browser's clock. The attacker's pages are served from another port of
 * 127.0.0.1: another origin, but the same site, so the browser would send even {@code SameSite=Strict} cookies;
 * they carry a valid refresh token of another authorization, so only the cross-site protection can stop them.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BrowserEndToEndTest {
    @RegisterExtension
    static final ChromiumExtension chromium = new ChromiumExtension();

    private static final Pattern MODULE_COUNT = Pattern.compile("^\\s*(\\d+) modules?");
    /** The innermost elements that stick out to the right of arguments[0] pixels, to say what to fix. */
    private static final String WIDER_THAN = "return Array.from(document.querySelectorAll('body *'))"
            + ".filter(e => e.getBoundingClientRect().right > arguments[0] && e.children.length === 0)"
            + ".map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' \"' + e.textContent.trim()"
            + ".slice(0, 40) + '\" ' + Math.round(e.getBoundingClientRect().right) + ' px').slice(0, 5).join(', ')";

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private Path tokenFile;
    private Exporter exporter;
    private AttackerSite attacker;

    private void startExporter() throws Exception {
        tokenFile = dir.resolve("token.json");
        exporter = Exporter.start(new Config("127.0.0.1", 0, null, tokenFile, false, "info", Duration.ofMinutes(8),
                Duration.ofMinutes(60), Config.DEMO_CLIENT_ID, Config.DEMO_CLIENT_SECRET, Config.DEFAULT_API_URL,
                true, true), clock);
        exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        if (attacker != null) {
            attacker.close();
        }
        if (exporter != null) {
            exporter.close();
        }
    }

    private URI statusPage() {
        return exporter.url().resolve("/");
    }

    /** Authorizes the exporter behind the browser's back, as another tab would, and waits for the data. */
    private void authorizeOverHttp(DemoTokens demo) throws Exception {
        exporter.tokens().setToken(demo.issue());
        exporter.refreshData().get(20, TimeUnit.SECONDS);
    }

    @Test
    void theStatusPageOpensInDemoMode() throws Exception {
        startExporter();
        ChromiumBrowser browser = chromium.open();

        browser.open(statusPage());
        Path screenshot = browser.screenshot("status-page");

        assertTrue(browser.find("body").getText().contains("Demo mode"), browser.find("body").getText());
        byte[] png = Files.readAllBytes(screenshot);
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', screenshot + " is a PNG");
    }

    @Test
    void clickingThroughTheDemoConsentShowsTheValidTokenAndTheDataWithoutAReload() throws Exception {
        startExporter();
        ChromiumBrowser browser = chromium.open();

        browser.open(statusPage());
        browser.screenshot("not-authorized");
        assertEquals("NOT_AUTHENTICATED", browser.find("main#live").getDomAttribute("data-state"));
        browser.find("#authorize-box a#authorize").click();

        WebElement allow = browser.await("the demo's consent page with button#allow",
                d -> visible(d, "button#allow"));
        URI consent = URI.create(browser.driver().getCurrentUrl());
        assertNotEquals(exporter.port(), consent.getPort(), "the consent page is the simulated NetAtmo's");
        assertTrue(browser.find("button#deny").isDisplayed());
        browser.screenshot("consent");
        allow.click();

        browser.await("the status page again after the callback", d -> onStatusPage(d) && loaded(d));
        browser.script("window.__noReload = 1");
        browser.screenshot("back-on-the-status-page");

        browser.await("#live to show a valid token and at least one module", d -> {
            WebElement live = d.findElement(By.cssSelector("main#live"));
            return "VALID".equals(live.getDomAttribute("data-state"))
                    && live.findElement(By.id("token-state")).getText().contains("valid")
                    && moduleCount(live.findElement(By.id("data-modules")).getText()) >= 1;
        });
        browser.screenshot("authorized-with-data");
        assertEquals(1L, browser.script("return window.__noReload"),
                "the page updated in place; a reload would have dropped the marker");
        assertTrue(browser.find("#stations").getText().contains("Living Room"), browser.find("#stations").getText());
        assertEquals(State.VALID, exporter.tokens().status().state());
    }

    @Test
    void aPastedRefreshTokenThatNetatmoRefusesIsShownAsAProblemAndTheStoredTokenStays() throws Exception {
        // A token from an earlier run that the restarted demo no longer accepts: the exporter asks to authorize again.
        tokenFile = dir.resolve("token.json");
        new FileTokenStore(tokenFile, clock).save(new Token("old-access-token", "old-refresh-token",
                clock.instant().minusSeconds(60)));
        startExporter();
        assertEquals(State.REAUTHORIZATION_REQUIRED, exporter.tokens().status().state());
        byte[] storedBefore = Files.readAllBytes(tokenFile);
        ChromiumBrowser browser = chromium.open();

        browser.open(statusPage());
        browser.screenshot("authorize-again");
        assertTrue(browser.find("#authorize-box").isDisplayed());
        browser.find("#settoken-form label[for=refresh_token]").click();
        browser.driver().switchTo().activeElement().sendKeys("demo-rt-" + "0".repeat(32));
        assertEquals("refresh_token", browser.driver().switchTo().activeElement().getDomAttribute("id"),
                "the label is wired to the field");
        browser.screenshot("pasted");
        browser.find("#settoken-form button#settoken-submit").click();

        WebElement problem = browser.await("#problem with the refusal", d -> visible(d, "#problem"));
        browser.screenshot("refused");
        String message = problem.getText().toLowerCase(Locale.ROOT);
        // NetAtmo's refusal, not the exporter's cross-site refusal page, which says "refused" too.
        assertTrue(message.contains("netatmo refused the pasted refresh token"), problem.getText());
        assertEquals(State.REAUTHORIZATION_REQUIRED, exporter.tokens().status().state());
        assertArrayEquals(storedBefore, Files.readAllBytes(tokenFile), "the stored token is unchanged");
    }

    @Test
    void aFormOnAnotherSiteCannotSetTheToken() throws Exception {
        startExporter();
        DemoTokens demo = DemoTokens.of(exporter, clock);
        authorizeOverHttp(demo);
        Token stolen = demo.issue();
        attacker = AttackerSite.start();
        URI page = attacker.serve("/win-a-prize", "<!DOCTYPE html><title>You won!</title><h1>You won!</h1>"
                + "<form method=\"post\" action=\"" + exporter.url() + "/auth/settoken\">"
                + "<input name=\"refresh_token\" value=\"" + Html.escape(stolen.refreshToken()) + "\"></form>"
                + "<script>document.forms[0].submit()</script>");
        ChromiumBrowser browser = chromium.open();
        browser.open(statusPage());
        browser.screenshot("authorized");
        Token before = exporter.tokens().token();
        Status statusBefore = exporter.tokens().status();
        byte[] storedBefore = Files.readAllBytes(tokenFile);

        browser.open(page);
        browser.await("the exporter's answer to the forged form", d -> onExporter(d) && loaded(d));
        browser.screenshot("answer");

        String heading = browser.find("h1").getText();
        assertTrue(heading.startsWith("Refused"), "the exporter answered with the page \"" + heading + "\"");
        assertUnchanged(before, statusBefore, storedBefore, demo, stolen);
    }

    @Test
    void aFetchFromAnotherSiteCannotSetTheToken() throws Exception {
        startExporter();
        DemoTokens demo = DemoTokens.of(exporter, clock);
        authorizeOverHttp(demo);
        Token stolen = demo.issue();
        attacker = AttackerSite.start();
        URI page = attacker.serve("/cat-pictures", "<!DOCTYPE html><title>Cats</title><h1>Cats</h1>"
                + "<p id=\"result\"></p><input type=\"hidden\" id=\"token\" value=\""
                + Html.escape(stolen.refreshToken()) + "\"><script>"
                + "fetch('" + exporter.url() + "/auth/settoken', {method: 'POST', mode: 'no-cors',"
                + " credentials: 'include', body: new URLSearchParams({refresh_token:"
                + " document.getElementById('token').value, csrf: 'guessed'})})"
                + ".then(r => document.getElementById('result').textContent = 'answered: ' + r.type,"
                + " e => document.getElementById('result').textContent = 'failed: ' + e)"
                + "</script>");
        ChromiumBrowser browser = chromium.open();
        browser.open(statusPage());
        browser.screenshot("authorized");
        Token before = exporter.tokens().token();
        Status statusBefore = exporter.tokens().status();
        byte[] storedBefore = Files.readAllBytes(tokenFile);

        browser.open(page);
        String result = browser.await("the forged fetch to finish", d -> {
            String text = d.findElement(By.id("result")).getText();
            return text.isEmpty() ? null : text;
        });
        browser.screenshot("after-the-fetch");

        // An opaque answer: the request reached the exporter and came back, though the page may not read it.
        assertEquals("answered: opaque", result);
        assertUnchanged(before, statusBefore, storedBefore, demo, stolen);
    }

    /** The forged request changed nothing: the token in memory and on disk, and the stolen one is still unused. */
    private void assertUnchanged(Token before, Status statusBefore, byte[] storedBefore, DemoTokens demo,
            Token stolen) throws Exception {
        assertEquals(before, exporter.tokens().token(), "the token in memory");
        assertEquals(statusBefore, exporter.tokens().status(), "the token's status");
        assertArrayEquals(storedBefore, Files.readAllBytes(tokenFile), "the token file");
        assertTrue(demo.redeem(stolen.refreshToken()),
                "the forged refresh token was valid and unused: only the cross-site protection stopped it");
    }

    @Test
    void onAPhoneThePagesNeedNoHorizontalScrolling() throws Exception {
        startExporter();
        ChromiumBrowser browser = chromium.open(ChromiumBrowser.Screen.phone(390, 844));

        browser.open(statusPage());
        browser.screenshot("not-authorized");
        assertFitsTheWidth(browser, "the status page, not authorized");

        authorizeOverHttp(DemoTokens.of(exporter, clock));
        browser.open(statusPage());
        browser.await("the page to show the valid token",
                d -> d.findElement(By.tagName("body")).getText().contains("the access token is valid"));
        browser.screenshot("authorized");
        assertFitsTheWidth(browser, "the status page, authorized");

        browser.open(exporter.url().resolve("/auth/callback?state=made-up&code=made-up"));
        browser.screenshot("error-page");
        assertTrue(browser.find("h1").isDisplayed());
        assertFitsTheWidth(browser, "an error page");
    }

    /** No horizontal scrolling on a 390 px phone, and no zooming out to make the page fit. */
    private static void assertFitsTheWidth(ChromiumBrowser browser, String page) {
        long scrollWidth = browser.number("return document.documentElement.scrollWidth");
        long innerWidth = browser.number("return window.innerWidth");
        String tooWide = " too wide: " + browser.script(WIDER_THAN, 390);
        assertTrue(scrollWidth <= innerWidth, page + " is " + scrollWidth + " px wide in a " + innerWidth
                + " px window;" + tooWide);
        assertEquals(390, innerWidth, page + " is laid out " + innerWidth + " px wide instead of the phone's 390"
                + " (no <meta name=viewport>, or zoomed out to fit);" + tooWide);
    }

    private boolean onExporter(WebDriver driver) {
        return URI.create(driver.getCurrentUrl()).getPort() == exporter.port();
    }

    private boolean onStatusPage(WebDriver driver) {
        return onExporter(driver) && "/".equals(URI.create(driver.getCurrentUrl()).getPath());
    }

    private static boolean loaded(WebDriver driver) {
        return "complete".equals(((JavascriptExecutor) driver).executeScript("return document.readyState"));
    }

    private static WebElement visible(WebDriver driver, String cssSelector) {
        List<WebElement> found = driver.findElements(By.cssSelector(cssSelector));
        return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
    }

    /** "6 modules" → 6; -1 when the text does not start with a count. */
    private static int moduleCount(String text) {
        Matcher m = MODULE_COUNT.matcher(text);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
