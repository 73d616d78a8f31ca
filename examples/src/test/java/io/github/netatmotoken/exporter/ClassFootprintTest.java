package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up work the exporter leaves out (issue 13, item 9; BENCHMARKS.md 5a): a demo start, which talks plain
 * HTTP to its simulated NetAtmo, sets up no TLS, and no start loads Jackson databind. Checked on the classes a real
 * child JVM loaded, not on timings.
 */
class ClassFootprintTest {
    private static final List<String> TLS_SETUP = List.of("sun.security.ssl.SSLContextImpl",
            "sun.security.ssl.TrustStoreManager", "java.security.KeyStore", "sun.security.x509.X509CertImpl");

    @TempDir
    Path dir;

    @Test
    void aDemoStartLoadsNeitherTlsNorDatabindClasses() throws Exception {
        Path classes = dir.resolve("classes.log");
        // A demo refresh token, as a demo run leaves it: the start refreshes it and fetches data, as a real one does.
        Path token = Files.writeString(dir.resolve("token.json"), "{\"access_token\":\"a\",\"token_type\":\"Bearer\","
                + "\"refresh_token\":\"demo-rt-footprint\",\"expiry\":\"2020-01-01T00:00:00Z\"}\n");
        try (ExporterChild child = ExporterChild.start(dir.resolve("exporter.log"),
                List.of("-Xlog:class+load=info:file=" + classes),
                List.of("--demo", "--token-file", token.toString()))) {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
            while (!child.get("/metrics").contains("\nnetatmo_up 1") && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            assertEquals(1.0, child.metric("netatmo_up"), "no data from the demo API");
            child.get("/");
            assertEquals(0, child.stop());
        }
        List<String> loaded = Files.readAllLines(classes);
        // The log works: the exporter's own classes are in it.
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" " + MetricsHandler.class.getName() + " ")),
                "no class log in " + classes);
        // OkHttp's eager TLS set-up: an SSL context, the platform trust store and its certificates. (Exception and
        // interface types OkHttp's classes name, and the JSSE provider's registration, are cheap and may load.)
        List<String> tls = loaded.stream().filter(l -> TLS_SETUP.stream().anyMatch(c -> l.contains(" " + c + " ")))
                .collect(Collectors.toList());
        assertEquals(List.of(), tls, "TLS set-up classes loaded by a demo start");
        // JSON goes through jackson-core's streaming API only: databind's start-up costs ~640 classes and ~250 ms.
        List<String> databind = loaded.stream().filter(l -> l.contains(" com.fasterxml.jackson.databind."))
                .collect(Collectors.toList());
        assertEquals(List.of(), databind, "Jackson databind classes loaded by a demo start");
    }

    @Test
    void plainHttpApiGetsACleartextOnlyClientAndHttpsTheUsualTls() {
        OkHttpClient plain = Exporter.httpClient(URI.create("http://127.0.0.1:8080"));
        assertEquals(List.of(ConnectionSpec.CLEARTEXT), plain.connectionSpecs());
        assertNull(plain.x509TrustManager());
        OkHttpClient tls = Exporter.httpClient(URI.create("https://api.netatmo.com"));
        assertTrue(tls.connectionSpecs().stream().anyMatch(ConnectionSpec::isTls), tls.connectionSpecs().toString());
        assertNotNull(tls.x509TrustManager());
        assertEquals(Duration.ofSeconds(60).toMillis(), tls.callTimeoutMillis());
    }
}
