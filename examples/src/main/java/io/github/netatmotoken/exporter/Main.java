package io.github.netatmotoken.exporter;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * The command line: {@code java -jar netatmo-exporter.jar [flags]}. Exit codes, as the Go exporter's: 0 after a
 * shutdown by SIGTERM or SIGINT or after {@code --help}, 1 when the exporter cannot start: bad flags or environment,
 * a port in use, a bad token file, an unreachable token store.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Launch launch = launch(args, System.getenv(), System.out, System.err, Clock.systemUTC());
        if (launch.exporter() == null) {
            System.exit(launch.exitCode());
        }
        Exporter exporter = launch.exporter();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            exporter.close();
            // A clean stop on SIGTERM or SIGINT exits 0, as the Go exporter does, not the JVM's 143 or 130.
            Runtime.getRuntime().halt(0);
        }, "shutdown"));
        // The HTTP server's dispatcher thread keeps the JVM alive until SIGTERM or SIGINT runs the hook.
    }

    /** The outcome of {@link #launch}: a running exporter, or an exit code. */
    record Launch(int exitCode, Exporter exporter) {
    }

    /** Parses the configuration and starts the exporter; on failure prints one line to {@code err}. */
    static Launch launch(String[] args, Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        Config config;
        try {
            config = ConfigParser.parse(args, env);
        } catch (ConfigParser.HelpRequested e) {
            out.print(ConfigParser.help());
            return new Launch(0, null);
        } catch (ConfigException e) {
            err.println("netatmo-exporter: " + e.getMessage());
            return new Launch(1, null);
        }
        configureLogging(config.logLevel());
        try {
            return new Launch(0, Exporter.start(config, clock));
        } catch (StartupException e) {
            err.println("netatmo-exporter: " + e.getMessage());
            return new Launch(1, null);
        }
    }

    /** slf4j-simple reads its level once, when the first logger is made: before any logging. */
    private static void configureLogging(String level) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        }
    }
}
