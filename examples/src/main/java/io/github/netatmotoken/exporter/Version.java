package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The exporter's version and git revision, from the build, and {@code /version}.
 *
 * <p>{@code /version} answers {@code {"name":"netatmo-exporter","version":"0.1.0","revision":"<40 hex digits>",
 * "java":"17.0.15"}}; the revision ends in {@code -dirty} for a build from a checkout with uncommitted changes and
 * is {@code unknown} for a build outside git.
 */
final class Version {
    private static final Properties BUILD = load();
    static final String VERSION = property(BUILD, "version");
    static final String REVISION = revision(BUILD);

    private Version() {
    }

    static void handle(HttpExchange exchange) throws IOException {
        Reply.json(exchange, 200, JsonText.compact(json -> {
            json.writeStartObject();
            json.writeStringField("name", "netatmo-exporter");
            json.writeStringField("version", VERSION);
            json.writeStringField("revision", REVISION);
            json.writeStringField("java", System.getProperty("java.version"));
            json.writeEndObject();
        }) + "\n");
    }

    /** The git revision in the build's properties: the commit, {@code -dirty} after it if the tree was. */
    static String revision(Properties build) {
        String commit = property(build, "revision");
        return !commit.equals("unknown") && "true".equals(build.getProperty("dirty")) ? commit + "-dirty" : commit;
    }

    /** A build property; "unknown" where the build had none (Maven leaves an unknown {@code ${…}} as it is). */
    private static String property(Properties build, String name) {
        String value = build.getProperty(name, "");
        return value.isBlank() || value.startsWith("${") ? "unknown" : value;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("exporter.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // No build properties: every value is "unknown".
        }
        return p;
    }
}
