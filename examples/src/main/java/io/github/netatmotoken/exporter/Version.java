package io.github.netatmotoken.exporter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The exporter's version, from the build, and {@code /version}. */
final class Version {
    static final String VERSION = load();

    private Version() {
    }

    static void handle(HttpExchange exchange) throws IOException {
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("name", "netatmo-exporter");
        json.put("version", VERSION);
        json.put("java", System.getProperty("java.version"));
        Reply.json(exchange, 200, json + "\n");
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("exporter.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
