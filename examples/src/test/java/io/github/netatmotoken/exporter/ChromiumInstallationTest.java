package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether a missing browser skips the browser tests or fails them, and what the message tells a developer. */
class ChromiumInstallationTest {
    @TempDir
    Path dir;

    private static ChromiumInstallation with(Map<String, String> properties, Map<String, String> env) {
        return ChromiumInstallation.of(properties::get, env);
    }

    @Test
    void debiansPackagesAreTheDefault() {
        ChromiumInstallation installation = with(Map.of(), Map.of());

        assertEquals(Path.of("/usr/bin/chromium"), installation.browser());
        assertEquals(Path.of("/usr/bin/chromedriver"), installation.driver());
    }

    @Test
    void onALaptopAMissingBrowserSkipsTheTestsAndSaysHowToInstallIt() {
        ChromiumInstallation installation = with(Map.of("chromium.binary", dir.resolve("chromium").toString(),
                "webdriver.chrome.driver", dir.resolve("chromedriver").toString()), Map.of());

        assertFalse(installation.required());
        assertEquals(List.of("no Chromium at " + dir.resolve("chromium"),
                "no chromedriver at " + dir.resolve("chromedriver")), installation.missing());
        String reason = installation.notRunReason();
        assertTrue(reason.startsWith("Browser tests not run: no Chromium at " + dir.resolve("chromium")
                + " and no chromedriver at " + dir.resolve("chromedriver")), reason);
        assertTrue(reason.contains("sudo apt-get install chromium chromium-driver"), reason);
        assertTrue(reason.contains("Skipped"), reason);
    }

    @Test
    void onCiAMissingBrowserFailsTheTests() {
        ChromiumInstallation installation = with(Map.of("chromium.binary", dir.resolve("chromium").toString()),
                Map.of("CI", "true"));

        assertTrue(installation.required());
        assertTrue(installation.notRunReason().contains("required here (the environment variable CI is set), so"
                + " this fails the build"), installation.notRunReason());
    }

    @Test
    void thePropertyDecidesOverTheEnvironment() {
        assertTrue(with(Map.of("browser.tests.required", "true"), Map.of()).required());
        assertFalse(with(Map.of("browser.tests.required", "false"), Map.of("CI", "true")).required());
        assertFalse(with(Map.of(), Map.of("CI", "false")).required());
        assertFalse(with(Map.of(), Map.of("CI", "")).required());
    }

    @Test
    void executablesThatAreThereAreNotMissing() throws Exception {
        Path browser = Files.createFile(dir.resolve("chromium"));
        Path driver = Files.createFile(dir.resolve("chromedriver"));
        assertTrue(browser.toFile().setExecutable(true) && driver.toFile().setExecutable(true));

        ChromiumInstallation installation = with(Map.of("chromium.binary", browser.toString(),
                "webdriver.chrome.driver", driver.toString()), Map.of());

        assertEquals(List.of(), installation.missing());
    }
}
