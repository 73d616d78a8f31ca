package io.github.netatmotoken.exporter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the browser tests find Chromium and chromedriver, and whether a missing one skips them or fails them.
 *
 * <ul>
 *   <li>{@code -Dchromium.binary}: the browser; default {@code /usr/bin/chromium} (Debian's package
 *       {@code chromium})</li>
 *   <li>{@code -Dwebdriver.chrome.driver}: the driver; default {@code /usr/bin/chromedriver} (Debian's package
 *       {@code chromium-driver}). Always set, so Selenium Manager never looks for or downloads a driver.</li>
 *   <li>{@code -Dbrowser.tests.required=true|false}: whether a missing browser fails the tests instead of skipping
 *       them; when it is not given, they are required wherever the environment variable {@code CI} is set (and not
 *       {@code false}), as on CI services and in {@code .ci/run}</li>
 * </ul>
 *
 * @param browser the Chromium executable
 * @param driver the chromedriver executable
 * @param requiredBy why a missing browser fails the tests here ("the environment variable CI is set"), or
 *     {@code null} when it skips them
 */
record ChromiumInstallation(Path browser, Path driver, String requiredBy) {
    static final String BROWSER_PROPERTY = "chromium.binary";
    static final String DRIVER_PROPERTY = "webdriver.chrome.driver";
    static final String REQUIRED_PROPERTY = "browser.tests.required";
    static final String INSTALL_HINT = "install them with \"sudo apt-get install chromium chromium-driver\""
            + " (Debian, Ubuntu), or point -D" + BROWSER_PROPERTY + "=... and -D" + DRIVER_PROPERTY + "=... at a"
            + " Chromium or Chrome and the chromedriver of the same version";

    /** Reads the system properties and the environment of this JVM. */
    static ChromiumInstallation fromEnvironment() {
        return of(System.getProperties()::getProperty, System.getenv());
    }

    /**
     * @param properties the system properties
     * @param env the environment variables
     */
    static ChromiumInstallation of(Function<String, String> properties, Map<String, String> env) {
        Path browser = Path.of(Optional.ofNullable(properties.apply(BROWSER_PROPERTY)).orElse("/usr/bin/chromium"));
        Path driver = Path.of(Optional.ofNullable(properties.apply(DRIVER_PROPERTY)).orElse("/usr/bin/chromedriver"));
        String requiredProperty = properties.apply(REQUIRED_PROPERTY);
        String ci = env.get("CI");
        String requiredBy;
        if (requiredProperty != null) {
            requiredBy = Boolean.parseBoolean(requiredProperty) ? "-D" + REQUIRED_PROPERTY + "=true" : null;
        } else if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0")) {
            requiredBy = "the environment variable CI is set";
        } else {
            requiredBy = null;
        }
        return new ChromiumInstallation(browser, driver, requiredBy);
    }

    /** Whether a missing browser fails the tests; otherwise it skips them. */
    boolean required() {
        return requiredBy != null;
    }

    /** What is missing, one phrase each ("no Chromium at /usr/bin/chromium"); empty when both are there. */
    List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(browser)) {
            missing.add("no Chromium at " + browser);
        }
        if (!Files.isExecutable(driver)) {
            missing.add("no chromedriver at " + driver);
        }
        return missing;
    }

    /** Why the browser tests cannot run here, and how to make them run. */
    String notRunReason() {
        return "Browser tests not run: " + String.join(" and ", missing()) + "; " + INSTALL_HINT + "."
                + (required() ? " They are required here (" + requiredBy + "), so this fails the build."
                        : " Skipped: they are not required here (-D" + REQUIRED_PROPERTY + "=true or the"
                                + " environment variable CI makes a missing browser fail the build).");
    }
}
