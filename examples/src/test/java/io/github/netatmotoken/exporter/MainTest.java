package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.FakeClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees on the command line: exit codes and one clear line for bad configuration. */
class MainTest {
    private static final Map<String, String> CLIENT = Map.of("NETATMO_CLIENT_ID", "id",
            "NETATMO_CLIENT_SECRET", "secret");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Main.Launch launch(Map<String, String> env, String... args) {
        Main.Launch launch = Main.launch(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new FakeClock());
        if (launch.exporter() != null) {
            launch.exporter().close();
        }
        return launch;
    }

    private String errLine() {
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), "exactly one line: " + text);
        return text.strip();
    }

    @Test
    void aMissingClientIdWithoutDemoSaysWhereToGetOne() {
        Main.Launch launch = launch(Map.of(), "--addr", "127.0.0.1:0");

        assertEquals(1, launch.exitCode());
        assertNull(launch.exporter());
        assertEquals("netatmo-exporter: Missing NetAtmo client id: pass -i/--client-id or set NETATMO_CLIENT_ID"
                + " (create an app at https://dev.netatmo.com/apps), or try --demo", errLine());
    }

    @Test
    void aBadDurationNamesTheFlagAndTheSyntax() {
        assertEquals(1, launch(CLIENT, "--refresh-interval", "8 minutes").exitCode());
        assertEquals("netatmo-exporter: --refresh-interval: \"8 minutes\" is not a duration; use Go syntax such as"
                + " 90s, 8m, 1h30m or 1.5h", errLine());
    }

    @Test
    void aStaleAgeBelowTheRefreshIntervalIsRefused() {
        assertEquals(1, launch(CLIENT, "--refresh-interval=10m", "--age-stale=5m").exitCode());
        assertTrue(errLine().contains("--age-stale (5m0s) must not be shorter than --refresh-interval (10m0s)"));
    }

    @Test
    void anUnknownFlagIsNamed() {
        assertEquals(1, launch(CLIENT, "--token", "x").exitCode());
        assertEquals("netatmo-exporter: Unknown flag --token; see --help for the flags", errLine());
    }

    @Test
    void withoutATokenFileItRefusesToStartAsTheGoExporterDoes() {
        Main.Launch launch = launch(CLIENT, "--addr", "127.0.0.1:0");

        assertEquals(1, launch.exitCode());
        assertNull(launch.exporter());
        String line = errLine();
        assertTrue(line.startsWith("netatmo-exporter: Missing --token-file: "), line);
        assertTrue(line.contains("set NETATMO_EXPORTER_TOKEN_FILE"), line);
    }

    @Test
    void theDemoNeedsNoTokenFile() {
        Main.Launch launch = launch(Map.of(), "--addr", "127.0.0.1:0", "--demo");

        assertEquals(0, launch.exitCode());
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aHostThatIsNotThisMachinesSaysSoAndNotThatAProgramUsesThePort() {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine has it. A .invalid name never resolves (RFC 6761).
        for (String host : List.of("192.0.2.1", "no-such-host.invalid")) {
            err.reset();
            Main.Launch launch = launch(CLIENT, "--addr", host + ":9210", "--token-file",
                    dir.resolve("t.json").toString());

            assertEquals(1, launch.exitCode());
            String line = errLine();
            assertTrue(line.startsWith("netatmo-exporter: Cannot listen on " + host + ":9210: "), line);
            assertTrue(line.contains("not an address of this machine"), line);
            assertTrue(line.contains("--addr :9210"), "says what to do: " + line);
            assertFalse(line.contains("stop the program using it"), line);
        }
    }

    @Test
    void aPortInUseSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Main.Launch launch = launch(CLIENT, "--addr", "127.0.0.1:" + taken.getLocalPort(), "--token-file",
                    dir.resolve("t.json").toString());

            assertEquals(1, launch.exitCode());
            String line = errLine();
            assertTrue(line.startsWith("netatmo-exporter: Cannot listen on 127.0.0.1:" + taken.getLocalPort()), line);
            assertTrue(line.contains("choose another address with --addr"), line);
        }
    }

    @Test
    void aCorruptTokenFileIsReportedAndLeftUntouched() throws Exception {
        Path file = dir.resolve("token.json");
        Files.writeString(file, "{\"access_token\":\"abc\",\"refresh_token\":");

        Main.Launch launch = launch(CLIENT, "--addr", "127.0.0.1:0", "--token-file", file.toString());

        assertEquals(1, launch.exitCode());
        String line = errLine();
        assertTrue(line.startsWith("netatmo-exporter: Token file " + file), line);
        assertTrue(line.contains("left untouched"), line);
        assertEquals("{\"access_token\":\"abc\",\"refresh_token\":", Files.readString(file));
    }

    @Test
    void aTokenFileThatIsADirectoryIsReported() {
        Main.Launch launch = launch(CLIENT, "--addr", "127.0.0.1:0", "--token-file", dir.toString());

        assertEquals(1, launch.exitCode());
        assertTrue(errLine().contains("is a directory"));
    }

    @Test
    void helpListsEveryFlagWithItsEnvironmentVariableAndDefault() {
        assertEquals(0, launch(Map.of(), "--help").exitCode());

        String help = out.toString(StandardCharsets.UTF_8);
        for (ConfigParser.Option option : ConfigParser.OPTIONS) {
            assertTrue(help.contains("--" + option.longName()), option.longName());
            if (option.env() != null) {
                assertTrue(help.contains("env " + option.env()), option.env());
            }
        }
        assertTrue(help.contains("-a, --addr <value>"));
        assertTrue(help.contains("default :9210"));
        assertTrue(help.contains("default 8m"));
        assertTrue(help.contains("default 60m"));
    }

    @Test
    void aGoodConfigurationStarts() {
        Main.Launch launch = launch(CLIENT, "--addr", "127.0.0.1:0", "--token-file",
                dir.resolve("t.json").toString());

        assertEquals(0, launch.exitCode());
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }
}
