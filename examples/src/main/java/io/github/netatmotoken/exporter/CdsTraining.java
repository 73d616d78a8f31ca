package io.github.netatmotoken.exporter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The training run for the exporter's class-data sharing archive, run by the build in the {@code package} phase
 * (and by the Containerfile with the image's runtime): it starts the exporter in {@code --demo} mode on a token
 * whose access token has expired, so that the start refreshes it, saves the token file and fetches data as a real
 * start does; scrapes {@code /metrics} until the data is there, asks for the status page, and stops. The JVM runs it
 * with {@code -XX:DumpLoadedClassList}, and the classes it loaded become the archive that the README's run command
 * maps with {@code -XX:SharedArchiveFile} (see BENCHMARKS.md, section 5a).
 *
 * <p>Usage: {@code java -XX:DumpLoadedClassList=<list> -cp netatmo-exporter.jar
 * io.github.netatmotoken.exporter.CdsTraining <work directory>}. Exits 0 when every request was answered with 200,
 * else 1 with the reason.
 */
final class CdsTraining {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** The longest a training run may take in all, its start and stop included; then it exits 1. */
    private static final Duration TIME_LIMIT = Duration.ofSeconds(90);

    private CdsTraining() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: CdsTraining <work directory>");
            System.exit(2);
        }
        // Whatever hangs (a start, a stop, a thread that keeps the JVM alive), the run ends.
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TIME_LIMIT.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("CdsTraining: not done within " + TIME_LIMIT + "; giving up");
            Runtime.getRuntime().halt(1);
        }, "cds-training-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        int status;
        try {
            status = train(Path.of(args[0]));
        } catch (Exception e) {
            // Without this, an exception would leave the JVM running as long as a non-daemon thread does.
            System.err.println("CdsTraining: " + e);
            status = 1;
        }
        System.exit(status);
    }

    private static int train(Path work) throws IOException, InterruptedException {
        Path tokenFile = Files.createDirectories(work).resolve("token.json");
        // The Go exporter's format; the demo's simulated NetAtmo takes a demo-rt- refresh token found at its start.
        Files.writeString(tokenFile, "{\"access_token\":\"training-access\",\"token_type\":\"Bearer\","
                + "\"refresh_token\":\"demo-rt-training\",\"expiry\":\"2020-01-01T00:00:00Z\"}\n");
        // Main's own start path, so that its classes are in the archive too.
        Main.Launch launch = Main.launch(new String[] {"--demo", "--addr", "127.0.0.1:0", "--token-file",
            tokenFile.toString(), "--log-level", "warn"}, Map.of(), System.out, System.err, Clock.systemUTC());
        if (launch.exporter() == null) {
            return 1;
        }
        int status = 0;
        try (Exporter exporter = launch.exporter()) {
            Instant deadline = Instant.now().plus(DEADLINE);
            String metrics = get(exporter.port(), "/metrics");
            while (!metrics.contains("\nnetatmo_up 1") && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
                metrics = get(exporter.port(), "/metrics");
            }
            if (!metrics.contains("\nnetatmo_up 1")) {
                System.err.println("CdsTraining: no sensor data in /metrics within " + DEADLINE);
                status = 1;
            }
            get(exporter.port(), "/");
            get(exporter.port(), "/version");
        } catch (IOException e) {
            System.err.println("CdsTraining: " + e.getMessage());
            status = 1;
        }
        return status;
    }

    /** A GET over a plain socket (no HTTP client library: its classes would only bloat the archive). */
    private static String get(int port, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!response.startsWith("HTTP/1.1 200")) {
                throw new IOException(path + " answered " + response.lines().findFirst().orElse("nothing"));
            }
            return response;
        }
    }
}
