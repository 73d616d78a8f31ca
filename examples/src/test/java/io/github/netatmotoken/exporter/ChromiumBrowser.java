package io.github.netatmotoken.exporter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.remote.http.ClientConfig;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium session for the browser tests, driven through chromedriver: a fresh profile, bounded
 * timeouts, waits that give up with a message, and screenshots named after the test and the step.
 *
 * <pre>{@code
 * ChromiumBrowser browser = ChromiumBrowser.start(installation, Screen.desktop(1280, 1000), dir, "statusPage");
 * browser.open(exporter.url().resolve("/"));
 * browser.await("the token to be valid", d -> d.findElement(By.id("token-state")).getText().contains("valid"));
 * browser.screenshot("authorized");  // dir/statusPage-01-authorized.png
 * browser.close();
 * }</pre>
 *
 * <p>Chromium starts with the flags of {@link #FLAGS} (no network of its own: no sync, no component updates, no
 * background requests), so a test sees only the requests it causes. Selenium Manager never runs: the driver's path
 * is given to Selenium explicitly.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class ChromiumBrowser implements AutoCloseable {
    /** How long {@link #await} waits before it fails. */
    static final Duration WAIT = Duration.ofSeconds(20);
    static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync");

    // Selenium 4.52 carries CDP bindings for Chromium 154 to 156 and warns at every start that it has none for
    // Debian's Chromium; these tests use WebDriver only, never CDP. The reference keeps the logger, and so its
    // level, from being garbage-collected.
    private static final Logger CDP_VERSION_LOG = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    static {
        CDP_VERSION_LOG.setLevel(Level.SEVERE);
    }

    /**
     * The size of the page's viewport, in CSS pixels.
     *
     * @param width the viewport's width
     * @param height the viewport's height
     * @param phone whether Chromium emulates a phone (a touch screen at three device pixels per CSS pixel, the
     *     page's {@code <meta name="viewport">} honoured) instead of sizing a desktop window, which cannot be
     *     narrower than 500 pixels
     */
    record Screen(int width, int height, boolean phone) {
        /** A desktop window. */
        static Screen desktop(int width, int height) {
            return new Screen(width, height, false);
        }

        /** A phone's screen, such as 390 × 844 (an iPhone 12 to 14). */
        static Screen phone(int width, int height) {
            return new Screen(width, height, true);
        }
    }

    private final ChromeDriver driver;
    private final Path profile;
    private final Path output;
    private final String name;
    private int step;

    private ChromiumBrowser(ChromeDriver driver, Path profile, Path output, String name) {
        this.driver = driver;
        this.profile = profile;
        this.output = output;
        this.name = name;
    }

    /**
     * Starts Chromium with a fresh profile, showing pages on {@code screen}.
     *
     * @param output where screenshots, failure reports and chromedriver's log go
     * @param name the first part of each file's name, usually the test's name
     * @throws org.openqa.selenium.SessionNotCreatedException if Chromium or chromedriver is there but cannot start
     *     (a version mismatch, a missing library): that is a failure, not a reason to skip
     */
    static ChromiumBrowser start(ChromiumInstallation installation, Screen screen, Path output, String name)
            throws IOException {
        return start(installation, screen, output, name, List.of());
    }

    /**
     * As {@link #start(ChromiumInstallation, Screen, Path, String)}, with {@code arguments} added to Chromium's
     * command line, such as {@code --host-resolver-rules=MAP rebind.test 127.0.0.1}, which lets a test reach a
     * loopback server under a name that is not {@code localhost} (for Chromium, plain HTTP to it is not
     * "potentially trustworthy", as on a home network).
     */
    static ChromiumBrowser start(ChromiumInstallation installation, Screen screen, Path output, String name,
            List<String> arguments) throws IOException {
        Files.createDirectories(output);
        Path profile = Files.createTempDirectory("netatmo-chromium-profile-");
        // Read by Selenium only if no service names the driver; set anyway, so that nothing looks elsewhere.
        System.setProperty(ChromiumInstallation.DRIVER_PROPERTY, installation.driver().toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(installation.driver().toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(20))
                .withLogFile(output.resolve(name + "-chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(installation.browser().toFile());
        options.addArguments(FLAGS);
        options.addArguments(arguments);
        options.addArguments("--user-data-dir=" + profile);
        if (screen.phone()) {
            options.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics", Map.of("width", screen.width(),
                    "height", screen.height(), "pixelRatio", 3.0, "touch", true, "mobile", true)));
        } else {
            options.addArguments("--window-size=" + screen.width() + "," + screen.height());
        }
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ClientConfig http = ClientConfig.defaultConfig().connectionTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(60));
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options, http);
        } catch (RuntimeException e) {
            service.stop();
            deleteRecursively(profile);
            throw e;
        }
        ChromiumBrowser browser = new ChromiumBrowser(driver, profile, output, name);
        try {
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
            driver.manage().timeouts().implicitlyWait(Duration.ZERO);
        } catch (RuntimeException e) {
            browser.close();
            throw e;
        }
        return browser;
    }

    /** The Selenium driver, for what this class does not wrap. */
    WebDriver driver() {
        return driver;
    }

    /** Loads {@code url} and waits until the page has loaded (at most 20 s). */
    void open(URI url) {
        driver.get(url.toString());
    }

    /** The first element matching a CSS selector, now; {@link org.openqa.selenium.NoSuchElementException} if none. */
    WebElement find(String cssSelector) {
        return driver.findElement(By.cssSelector(cssSelector));
    }

    /**
     * Waits at most {@link #WAIT} until {@code condition} returns neither {@code null} nor {@code false}, and returns
     * that value. Missing and replaced elements count as "not yet", as a page that swaps its parts in place needs.
     *
     * @param what what is awaited, for the message of the {@link org.openqa.selenium.TimeoutException}
     */
    <T> T await(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class)
                .withMessage("waited " + WAIT.toSeconds() + " s for " + what + " at " + driver.getCurrentUrl())
                .until(condition);
    }

    /** Runs JavaScript in the page ({@code return ...} to get a value back); at most 10 s. */
    Object script(String javascript, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(javascript, args);
    }

    /** The {@code long} a script returns, such as a length in CSS pixels. */
    long number(String javascript) {
        return ((Number) script(javascript)).longValue();
    }

    /** Saves what the window shows as {@code <name>-<NN>-<step>.png} and returns the file. */
    Path screenshot(String step) {
        Path file = output.resolve(String.format("%s-%02d-%s.png", name, ++this.step, step));
        try {
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save the screenshot " + file, e);
        }
        return file;
    }

    /**
     * Saves what a reviewer of a failed test needs: a screenshot, the page's HTML and the browser console, as
     * {@code <name>-failure.png}, {@code -failure.html} and {@code -console.txt}. Never throws: it runs while a
     * test is already failing.
     */
    void saveFailureReport(Throwable failure) {
        try {
            Files.write(output.resolve(name + "-failure.png"),
                    ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            Files.writeString(output.resolve(name + "-failure.html"), "<!-- " + driver.getCurrentUrl()
                    + " -->\n" + driver.getPageSource(), StandardCharsets.UTF_8);
            String console = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .map(entry -> entry.getLevel() + " " + entry.getMessage()).collect(Collectors.joining("\n"));
            Files.writeString(output.resolve(name + "-console.txt"), console + "\n", StandardCharsets.UTF_8);
        } catch (IOException | WebDriverException e) {
            failure.addSuppressed(e);
        }
    }

    /** Quits Chromium and chromedriver, then deletes the profile; safe to call twice. */
    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteRecursively(profile);
        }
    }

    /** Best effort: a profile left behind in the temp directory harms nothing. */
    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // ignored, see above
        }
    }
}
