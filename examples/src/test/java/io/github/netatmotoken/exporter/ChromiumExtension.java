package io.github.netatmotoken.exporter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Runs a test class in headless Chromium: checks once that Chromium and chromedriver are there, opens browsers for a
 * test on request, saves a failure report of each open browser when the test fails (before its {@code @AfterEach}
 * methods stop the servers the page talks to), and quits every browser after each test, failed or not.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ChromiumExtension chromium = new ChromiumExtension();
 *
 * @Test
 * void statusPageOpens() throws Exception {
 *     ChromiumBrowser browser = chromium.open();
 *     browser.open(exporter.url().resolve("/"));
 *     browser.screenshot("status-page");
 * }
 * }</pre>
 *
 * <p>Without Chromium or chromedriver (a developer's laptop) the class's tests are skipped with a message that says
 * what is missing and how to install it, also printed to stderr; where the tests are required (on CI, see
 * {@link ChromiumInstallation}) they fail with that message instead. Files go to {@code -Dbrowser.screenshots}
 * ({@code target/browser-screenshots} by default).
 *
 * <p>Not thread-safe: the tests of a class run one at a time.
 */
final class ChromiumExtension
        implements BeforeAllCallback, BeforeEachCallback, TestExecutionExceptionHandler, AfterEachCallback {
    static final String SCREENSHOTS_PROPERTY = "browser.screenshots";

    private final List<ChromiumBrowser> open = new ArrayList<>();
    private ChromiumInstallation installation;
    private Path output;
    private String testName;

    @Override
    public void beforeAll(ExtensionContext context) {
        installation = ChromiumInstallation.fromEnvironment();
        output = Path.of(System.getProperty(SCREENSHOTS_PROPERTY, "target/browser-screenshots"));
        if (installation.missing().isEmpty()) {
            return;
        }
        if (installation.required()) {
            Assertions.fail(installation.notRunReason());
        }
        System.err.println("[" + context.getDisplayName() + "] " + installation.notRunReason());
    }

    /** Skips each test on its own, so that the build's summary counts them as skipped (not as absent). */
    @Override
    public void beforeEach(ExtensionContext context) {
        Assumptions.assumeTrue(installation.missing().isEmpty(), installation::notRunReason);
        testName = context.getRequiredTestMethod().getName();
    }

    /** A browser with a desktop window of 1280 × 1000, quit after the test. */
    ChromiumBrowser open() throws IOException {
        return open(ChromiumBrowser.Screen.desktop(1280, 1000));
    }

    /** A browser that shows pages on {@code screen}, quit after the test. */
    ChromiumBrowser open(ChromiumBrowser.Screen screen) throws IOException {
        return open(screen, List.of());
    }

    /** A browser that shows pages on {@code screen}, with {@code arguments} on Chromium's command line. */
    ChromiumBrowser open(ChromiumBrowser.Screen screen, List<String> arguments) throws IOException {
        if (testName == null) {
            throw new IllegalStateException("open() is for test methods of a class that registers this extension");
        }
        String name = open.isEmpty() ? testName : testName + "-browser" + (open.size() + 1);
        ChromiumBrowser browser = ChromiumBrowser.start(installation, screen, output, name, arguments);
        open.add(browser);
        return browser;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        for (ChromiumBrowser browser : open) {
            browser.saveFailureReport(failure);
        }
        throw failure;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        RuntimeException quitFailure = null;
        for (ChromiumBrowser browser : open) {
            try {
                browser.close();
            } catch (RuntimeException e) {
                if (quitFailure == null) {
                    quitFailure = e;
                } else {
                    quitFailure.addSuppressed(e);
                }
            }
        }
        open.clear();
        testName = null;
        if (quitFailure != null) {
            throw quitFailure;
        }
    }
}
