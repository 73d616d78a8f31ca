package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.netatmotoken.core.ModulePathCheck;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar is the module {@code io.github.netatmotoken.okhttp} on the module path, next to OkHttp's own
 * module, and signs a real request there.
 */
class ModulePathIT {

    @Test
    void theOkHttpJarWorksAsANamedModule(@TempDir Path work) throws Exception {
        String output = ModulePathCheck.compileAndRun(work, Path.of(System.getProperty("netatmo.it.jar")),
                List.of("netatmo-token-core-0", "okhttp-jvm-", "okio-jvm-", "kotlin-stdlib-", "jackson-core-",
                        "slf4j-api-"),
                """
                module check {
                    requires io.github.netatmotoken.okhttp;
                    requires jdk.httpserver;
                }
                """,
                """
                package check;

                import com.sun.net.httpserver.HttpServer;
                import io.github.netatmotoken.core.Token;
                import io.github.netatmotoken.core.TokenSource;
                import io.github.netatmotoken.okhttp.NetatmoAuthInterceptor;
                import java.net.InetAddress;
                import java.net.InetSocketAddress;
                import java.nio.charset.StandardCharsets;
                import okhttp3.OkHttpClient;
                import okhttp3.Request;
                import okhttp3.Response;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        HttpServer server = HttpServer.create(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                        server.createContext("/", exchange -> {
                            byte[] body = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"))
                                    .getBytes(StandardCharsets.UTF_8);
                            exchange.sendResponseHeaders(200, body.length);
                            exchange.getResponseBody().write(body);
                            exchange.close();
                        });
                        server.start();
                        Token token = new Token("module-path-token", "r", null);
                        TokenSource source = new TokenSource() {
                            public Token token() { return token; }
                            public void invalidate(Token rejected) { }
                        };
                        OkHttpClient http = new OkHttpClient.Builder()
                                .addInterceptor(new NetatmoAuthInterceptor(source)).build();
                        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/getstationsdata";
                        try (Response response = http.newCall(new Request.Builder().url(url).build()).execute()) {
                            System.out.println(response.body().string());
                        }
                        server.stop(0);
                        http.dispatcher().executorService().shutdown();
                        http.connectionPool().evictAll();
                        System.out.print(NetatmoAuthInterceptor.class.getModule().getName() + " "
                                + OkHttpClient.class.getModule().getName());
                    }
                }
                """);
        List<String> lines = output.lines().toList();
        assertEquals("Bearer module-path-token", lines.get(lines.size() - 2), output);
        assertEquals("io.github.netatmotoken.okhttp okhttp3", lines.get(lines.size() - 1), output);
    }
}
