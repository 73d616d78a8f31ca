package io.github.netatmotoken.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The child JVMs of a load program: each runs a main class of this module on the same class path, reads commands
 * from its stdin and answers on its stdout, one line each; a reader thread per child puts the answers on one
 * queue. Their stderr (logs) goes to one file. Each child is a process of its own with connections of its own, as
 * the replicas of a deployment are; all of them and the parent share {@link System#nanoTime()}, which on one Linux
 * host is {@code CLOCK_MONOTONIC}. Not thread-safe, except for the queue.
 */
final class ChildJvms implements AutoCloseable {
    /** Flags of every child: small heaps, the serial collector, so that 8 of them fit beside the engine on 2 cores. */
    private static final List<String> FLAGS = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx96m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    /** An answer of child {@code child} (from 0). */
    record Line(int child, String text) {
    }

    private final List<Process> processes = new ArrayList<>();
    private final List<PrintWriter> inputs = new ArrayList<>();
    private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();

    private ChildJvms() {
    }

    /**
     * Starts {@code count} JVMs running {@code main} with {@code args}.
     *
     * @param environment added to the parent's environment: for a URL with a password, which the command line
     *     would show to every user of the machine
     */
    static ChildJvms start(int count, Class<?> main, List<String> args, Map<String, String> environment, Path log)
            throws IOException {
        ChildJvms children = new ChildJvms();
        for (int i = 0; i < count; i++) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(FLAGS);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(
                    log.toFile()));
            builder.environment().putAll(environment);
            Process process = builder.start();
            children.processes.add(process);
            children.inputs.add(new PrintWriter(new OutputStreamWriter(process.getOutputStream(),
                    StandardCharsets.UTF_8), true));
            int child = i;
            Thread reader = new Thread(() -> children.read(child, process), "child-" + i + "-stdout");
            reader.setDaemon(true);
            reader.start();
        }
        return children;
    }

    private void read(int child, Process process) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(new Line(child, line));
            }
        } catch (IOException e) {
            lines.add(new Line(child, "failed: " + e));
        }
        lines.add(new Line(child, "exited"));
    }

    int count() {
        return processes.size();
    }

    /** Sends {@code command} to every child. */
    void sendAll(String command) {
        for (PrintWriter in : inputs) {
            in.println(command);
        }
    }

    /** {@return the next answer of any child} */
    Line take(Duration timeout) throws InterruptedException {
        Line line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (line == null) {
            throw new IllegalStateException("no child answered within " + timeout.toMillis() + " ms");
        }
        if (line.text().equals("exited") || line.text().startsWith("failed")) {
            throw new IllegalStateException("child " + line.child() + " " + line.text() + "; see the children's log");
        }
        return line;
    }

    /** Waits for one answer starting with {@code prefix} from every child; {@return their texts, by child} */
    String[] awaitAll(String prefix, Duration timeout) throws InterruptedException {
        String[] answers = new String[processes.size()];
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int missing = answers.length; missing > 0; ) {
            Line line = take(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (line.text().startsWith(prefix) && answers[line.child()] == null) {
                answers[line.child()] = line.text();
                missing--;
            }
        }
        return answers;
    }

    /** Asks the children to quit (stdin closes), and kills those still running after 10 s. */
    @Override
    public void close() throws InterruptedException {
        inputs.forEach(PrintWriter::close);
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
