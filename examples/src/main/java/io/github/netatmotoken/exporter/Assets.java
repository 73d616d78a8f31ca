package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The status page's style sheet and script, read once from the jar. Immutable. */
final class Assets {
    static final Assets STYLE = new Assets("style.css", "text/css; charset=utf-8");
    static final Assets SCRIPT = new Assets("status.js", "text/javascript; charset=utf-8");

    private final byte[] body;
    private final String contentType;

    private Assets(String resource, String contentType) {
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The exporter's jar lacks " + resource + "; rebuild it");
            }
            this.body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource + " from the exporter's jar", e);
        }
        this.contentType = contentType;
    }

    void handle(HttpExchange exchange) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            Reply.methodNotAllowed(exchange, "GET");
            return;
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        Reply.send(exchange, 200, contentType, body);
    }
}
