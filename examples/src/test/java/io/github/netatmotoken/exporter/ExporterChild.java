package io.github.netatmotoken.exporter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exporter's {@link Main} in a JVM of its own, on the test class path with slf4j-simple in front (the tests
 * themselves record log lines instead), listening on a free loopback port that it reads from the exporter's start
 * line. Its log goes to a file and stays in memory for assertions. Closing it sends SIGTERM and waits.
 */
final class ExporterChild implements AutoCloseable {
    /** Where surefire says slf4j-simple's jar is: the exporter's log output, as in the fat jar. */
    static final String SLF4J_SIMPLE = "netatmo.slf4j.simple";
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final List<String> log = new ArrayList<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final Thread reader;

    private ExporterChild(Process process, Path logFile) throws IOException {
        this.process = process;
        PrintStream file = new PrintStream(Files.newOutputStream(logFile), true, StandardCharsets.UTF_8);
        this.reader = new Thread(() -> {
            try (file; BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    file.println(line);
                    synchronized (log) {
                        log.add(line);
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IOException("the exporter ended before it listened; see " + logFile));
        }, "exporter-child-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the exporter with {@code args} (plus {@code --addr 127.0.0.1:0}) and waits until it listens. */
    static ExporterChild start(Path logFile, List<String> args) throws Exception {
        return start(logFile, List.of(), args);
    }

    /** As {@link #start(Path, List)}, with extra JVM options such as {@code -Xlog:class+load}. */
    static ExporterChild start(Path logFile, List<String> jvmOptions, List<String> args) throws Exception {
        String simple = System.getProperty(SLF4J_SIMPLE);
        if (simple == null || !Files.isRegularFile(Path.of(simple))) {
            throw new IllegalStateException("system property " + SLF4J_SIMPLE + " must name slf4j-simple's jar"
                    + " (set by the examples pom), but is " + simple);
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx96m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider",
                "-cp", simple + java.io.File.pathSeparator + System.getProperty("java.class.path"),
                Main.class.getName(), "--addr", "127.0.0.1:0"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ExporterChild child = new ExporterChild(process, logFile);
        try {
            child.port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            child.close();
            throw new IllegalStateException("the exporter did not start within " + START_TIMEOUT + "; see "
                    + logFile, e);
        }
        return child;
    }

    /** GETs {@code path} and returns the body; fails on a status other than 200. */
    String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + port.join() + path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** The value of an unlabelled or labelled sample in {@code /metrics}, such as {@code name{result="success"}}. */
    double metric(String sample) throws IOException, InterruptedException {
        for (String line : get("/metrics").split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        throw new IOException("no sample " + sample + " in /metrics");
    }

    /** The log lines so far. */
    List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** Sends SIGTERM, waits for the end (10 s, then kills) and returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        reader.join(2000);
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
