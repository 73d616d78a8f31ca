package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts {@link TokenFileChild} in a separate JVM with the test classpath: another process sharing a token file. */
final class ChildJvm {
    private ChildJvm() {
    }

    /** The command line that runs {@link TokenFileChild} with {@code args}; small and quick to start. */
    static List<String> command(String... args) {
        return commandWithClassPath(System.getProperty("java.class.path"), args);
    }

    /** As {@link #command}, with another class path (copies another user can read, for example). */
    static List<String> commandWithClassPath(String classPath, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", classPath,
                TokenFileChild.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Starts the child; its stderr goes to ours, its stdout is for the caller to read. */
    static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Runs the command to its end and returns what it printed on stdout and stderr (its log lines), trimmed. */
    static String runWithLog(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("child did not end: " + command);
        }
        return out;
    }

    /** Runs the command to its end and returns what it printed, trimmed. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Process process = start(command);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("child did not end: " + command);
        }
        return out;
    }
}
