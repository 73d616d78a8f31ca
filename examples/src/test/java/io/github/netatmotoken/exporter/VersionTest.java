package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netatmotoken.core.FakeClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /version} and {@code netatmo_exporter_build_info}: the version and the git revision of the build. */
class VersionTest {
    @TempDir
    Path dir;

    @Test
    void aBuildFromThisCheckoutNamesItsCommit() throws Exception {
        String head = git("rev-parse", "HEAD");
        assumeTrue(head != null, "not built from a git checkout");

        JsonNode version;
        String metrics;
        Config demo = new Config("127.0.0.1", 0, null, dir.resolve("token.json"), false, "info",
                Duration.ofMinutes(8), Duration.ofMinutes(60), Config.DEMO_CLIENT_ID, Config.DEMO_CLIENT_SECRET,
                Config.DEFAULT_API_URL, true, false);
        try (Exporter exporter = Exporter.start(demo, new FakeClock())) {
            exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
            Browser browser = new Browser(exporter.port());
            version = new ObjectMapper().readTree(browser.get("/version").body());
            metrics = browser.get("/metrics").body();
        }

        String revision = version.path("revision").asText();
        // The build read HEAD at its start; a commit made during the build would make this fail once.
        assertTrue(revision.equals(head) || revision.equals(head + "-dirty"), revision + ", HEAD " + head);
        assertEquals(Version.VERSION, version.path("version").asText());
        assertTrue(!Version.VERSION.equals("unknown"), "the version from the build");
        assertTrue(metrics.contains("revision=\"" + revision + "\""), metrics);
    }

    @Test
    void aBuildOutsideGitSaysUnknown() {
        Properties build = new Properties();
        build.setProperty("revision", "${git.commit.id}"); // Maven leaves a property it does not know as it is
        build.setProperty("dirty", "${git.dirty}");

        assertEquals("unknown", Version.revision(build));
        assertEquals("unknown", Version.revision(new Properties()));
    }

    @Test
    void uncommittedChangesMarkTheRevisionDirty() {
        Properties build = new Properties();
        build.setProperty("revision", "9c1f59cf62dc2e9d9e8895a494b0b9b6deddd0b0");
        build.setProperty("dirty", "true");
        assertEquals("9c1f59cf62dc2e9d9e8895a494b0b9b6deddd0b0-dirty", Version.revision(build));

        build.setProperty("dirty", "false");
        assertEquals("9c1f59cf62dc2e9d9e8895a494b0b9b6deddd0b0", Version.revision(build));
    }

    /** The output of a git command in this checkout, or {@code null} without git or outside a checkout. */
    private static String git(String... args) throws InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "git";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process git = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.waitFor() == 0 && out.matches("[0-9a-f]{40}") ? out : null;
        } catch (IOException e) {
            return null;
        }
    }
}
