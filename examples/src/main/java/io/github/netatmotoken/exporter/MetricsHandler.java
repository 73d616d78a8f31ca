package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code /metrics}: the registry in the format the scraper's {@code Accept} header asks for (Prometheus text or
 * OpenMetrics), gzipped when accepted. Reads cached data only.
 */
final class MetricsHandler {
    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();

    MetricsHandler(PrometheusRegistry registry) {
        this.registry = registry;
    }

    void handle(HttpExchange exchange) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            Reply.methodNotAllowed(exchange, "GET");
            return;
        }
        ExpositionFormatWriter writer = formats.findWriter(exchange.getRequestHeaders().getFirst("Accept"));
        if (!writer.isAvailable()) {
            writer = formats.getPrometheusTextFormatWriter();
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(8192);
        String encoding = exchange.getRequestHeaders().getFirst("Accept-Encoding");
        boolean gzip = encoding != null && encoding.contains("gzip");
        try (OutputStream out = gzip ? new GZIPOutputStream(buffer) : buffer) {
            writer.write(out, registry.scrape());
        }
        if (gzip) {
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        Reply.send(exchange, 200, writer.getContentType(), buffer.toByteArray());
    }
}
