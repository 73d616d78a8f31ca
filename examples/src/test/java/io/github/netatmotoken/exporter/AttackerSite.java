package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Another site's pages, on a loopback port of its own: for the browser it is another origin than the exporter
 * (though the same site, {@code 127.0.0.1}, so that cookies with {@code SameSite} would still be sent), as a page
 * an attacker lures the exporter's user to. It serves the HTML it is given, without any security header.
 * Thread-safe.
 */
final class AttackerSite implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, String> pages = new ConcurrentHashMap<>();

    private AttackerSite(HttpServer server) {
        this.server = server;
    }

    static AttackerSite start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AttackerSite site = new AttackerSite(server);
        server.createContext("/", exchange -> {
            String html = site.pages.get(exchange.getRequestURI().getPath());
            byte[] body = (html == null ? "Not found" : html).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", html == null ? "text/plain" : "text/html; charset=utf-8");
            exchange.sendResponseHeaders(html == null ? 404 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return site;
    }

    /** Serves {@code html} at {@code path} and returns the page's address. */
    URI serve(String path, String html) {
        pages.put(path, html);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
