package io.github.netatmotoken.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One child JVM of {@link ManyProcessesRun}: a {@link RefreshingTokenSource} on a store shared with the other
 * children, against a {@link StrictTokenEndpoint}, asking for a token every 20 ms until its stdin says
 * {@code STOP} (or ends). An engine's test has a small main class that opens its store and calls
 * {@link #run(String[], Opener)}.
 *
 * <p>It reports on stdout, one line each, a word first: {@code STARTED <pid>}, {@code HOLDING <access token>
 * <expiry>} when the token it is handed changes, {@code REFRESHED <access token>} and {@code ADOPTED <access
 * token>} (its listener), {@code INVALID_GRANT <message>} when it needs a new authorization, {@code FAILED
 * <message>} for a failed refresh, and at the end {@code FINAL <access token> <expiry> valid|expired}. The tokens are
 * the endpoint's test values. The library's log lines come on stderr.
 */
public final class ManyProcessesWorker {
    /** The arguments that {@link ManyProcessesRun} passes after the engine's own. */
    static final int ARGS = 4;

    /** Opens the engine's store for one process. */
    @FunctionalInterface
    public interface Opener {
        /**
         * Opens the store of this process.
         *
         * @param holder the name this process goes by in the store's lease and intent records
         */
        TokenStore open(String holder) throws Exception;
    }

    private ManyProcessesWorker() {
    }

    /**
     * Runs the worker until {@code STOP}; exits the JVM.
     *
     * @param args the worker's arguments as {@link ManyProcessesRun} passes them: tag, base URL, clock origin, speed
     * @param opener opens the store
     */
    public static void run(String[] args, Opener opener) throws Exception {
        String tag = args[0];
        URI baseUrl = URI.create(args[1]);
        ScaledClock clock = new ScaledClock(Long.parseLong(args[2]), Integer.parseInt(args[3]));
        TokenStore store = opener.open("worker " + tag);
        NetatmoOAuthClient client = NetatmoOAuthClient.builder().clientId("many-processes")
                .clientSecret("many-processes-secret").baseUrl(baseUrl).clock(clock).timeout(Duration.ofSeconds(5))
                .build();
        // On the scaled clock a 10-second token is refreshed after 5 seconds and used until its last second; the
        // ticker (real time) only bounds waits and spaces refreshes.
        RefreshingTokenSource source = RefreshingTokenSource.builder().store(store).client(client).clock(clock)
                .refreshMargin(Duration.ofSeconds(5)).expiryMargin(Duration.ofSeconds(1))
                .minRefreshInterval(Duration.ofMillis(20)).refreshTimeout(Duration.ofSeconds(10))
                .closeTimeout(Duration.ofSeconds(3)).listener(new Reporter()).build();
        report("STARTED " + ProcessHandle.current().pid());
        Thread stdin = new Thread(ManyProcessesWorker::awaitStop, "stop-on-stdin");
        stdin.setDaemon(true);
        stdin.start();

        String held = null;
        String problem = null;
        while (stdin.isAlive()) {
            try {
                Token token = source.token(Duration.ofSeconds(2));
                problem = null;
                if (!Objects.equals(held, token.accessToken())) {
                    held = token.accessToken();
                    report("HOLDING " + held + " " + token.expiry());
                }
            } catch (IOException e) {
                String now = e.getClass().getSimpleName() + ": " + e.getMessage();
                if (!now.equals(problem)) {
                    problem = now;
                    report("NO_TOKEN " + now);
                }
            }
            stdin.join(20);
        }

        report(finalToken(source, clock));
        source.close();
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
        System.exit(0);
    }

    /** The token at the end: a source that needs the person's new authorization adopts it within a few seconds. */
    private static String finalToken(RefreshingTokenSource source, ScaledClock clock) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        String last = "no attempt";
        while (System.nanoTime() - deadline < 0) {
            try {
                Token token = source.token(Duration.ofSeconds(2));
                Instant expiry = Objects.requireNonNull(token.expiry());
                return "FINAL " + token.accessToken() + " " + expiry + " "
                        + (expiry.isAfter(clock.instant()) ? "valid" : "expired");
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        return "FINAL none " + last;
    }

    private static void awaitStop() {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            for (String line = in.readLine(); line != null && !line.equals("STOP"); line = in.readLine()) {
                // Only STOP means something.
            }
        } catch (IOException e) {
            // The orchestrator is gone: stop too.
        }
    }

    private static synchronized void report(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static final class Reporter implements TokenListener {
        @Override
        public void refreshed(Token token) {
            report("REFRESHED " + token.accessToken());
        }

        @Override
        public void adopted(Token token) {
            report("ADOPTED " + token.accessToken());
        }

        @Override
        public void refreshFailed(IOException error, Instant nextAttempt) {
            report("FAILED " + error.getMessage());
        }

        @Override
        public void reauthorizationRequired(ReauthorizationRequiredException error) {
            report(("invalid_grant".equals(error.error()) ? "INVALID_GRANT " : "REAUTHORIZATION ")
                    + error.getMessage());
        }

        @Override
        public void persistFailed(IOException error) {
            report("UNSAVED " + error.getMessage());
        }
    }
}
