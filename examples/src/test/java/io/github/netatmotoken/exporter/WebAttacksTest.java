package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.RefreshingTokenSource.State;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks from the review of the web side (review11), each with the request that showed the fault, sent as the
 * browser or script in question really sends it. The header sets marked "Chromium" were recorded from Debian's
 * Chromium 150: over plain HTTP to a name or a LAN address (not "potentially trustworthy") it sends no
 * {@code Sec-Fetch-*} headers, a same-origin {@code fetch} GET has no {@code Origin}, and under the status page's
 * {@code Referrer-Policy: no-referrer} a same-origin form POST carries {@code Origin: null}.
 */
class WebAttacksTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final Pattern CSRF_COOKIE = Pattern.compile("netatmo_exporter_csrf=([A-Za-z0-9_-]+)");
    private static final String WORKING = "{\"access_token\":\"current-access-a1\",\"refresh_token\":"
            + "\"current-refresh-r1\",\"expiry\":\"2026-01-15T12:00:00Z\"}";
    /** What Chromium sends with a page's {@code fetch()} GET to a plain-HTTP origin: no Origin, no Sec-Fetch-*. */
    private static final String CHROMIUM_FETCH_OVER_HTTP = "User-Agent: Mozilla/5.0 (X11; Linux x86_64)"
            + " AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/150.0.0.0 Safari/537.36\r\n"
            + "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nAccept-Language: en-US,en;q=0.9\r\n";
    /** What Chromium sends on a top-level navigation to a plain-HTTP origin. */
    private static final String CHROMIUM_NAVIGATION_OVER_HTTP = "Upgrade-Insecure-Requests: 1\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " HeadlessChrome/150.0.0.0 Safari/537.36\r\nAccept: text/html,application/xhtml+xml,application/xml;"
            + "q=0.9,*/*;q=0.8\r\nAccept-Encoding: gzip, deflate\r\nAccept-Language: en-US,en;q=0.9\r\n";

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private FakeNetatmo netatmo;
    private Exporter exporter;
    private Path tokenFile;

    private void start(URI externalUrl, int port, boolean debugHandlers) throws Exception {
        start(externalUrl, port, debugHandlers, null);
    }

    private void start(URI externalUrl, int port, boolean debugHandlers, URI apiUrl) throws Exception {
        netatmo = new FakeNetatmo();
        closing.add(netatmo);
        netatmo.serve("getstationsdata", FakeNetatmo.STATIONS.formatted(clock.instant().getEpochSecond() - 300));
        netatmo.honour("current-access-a1", "current-refresh-r1");
        tokenFile = dir.resolve("token.json");
        Files.writeString(tokenFile, WORKING);
        Config config = new Config("127.0.0.1", port, externalUrl, tokenFile, debugHandlers, "info",
                Duration.ofHours(1), Duration.ofHours(2), FakeNetatmo.CLIENT_ID, FakeNetatmo.CLIENT_SECRET,
                apiUrl == null ? netatmo.url() : apiUrl, false, false);
        exporter = Exporter.start(config, clock);
        closing.add(exporter);
        if (apiUrl == null) {
            exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private String refreshTokenOnDisk() throws Exception {
        return MAPPER.readTree(Files.readString(tokenFile)).get("refresh_token").asText();
    }

    /** The csrf cookie and field a browser gets with the status page, as {@code {cookie, field}}. */
    private String[] csrf() throws IOException {
        String page = raw("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + exporter.port() + "\r\nSec-Fetch-Site: none\r\n"
                + "Connection: close\r\n\r\n");
        Matcher cookie = CSRF_COOKIE.matcher(page);
        Matcher field = CSRF_FIELD.matcher(page);
        assertTrue(cookie.find() && field.find(), page);
        return new String[] {cookie.group(1), field.group(1)};
    }

    private String post(String host, String headers, String cookie, String body) throws IOException {
        return raw("POST /auth/settoken HTTP/1.1\r\nHost: " + host + "\r\n" + headers
                + (cookie == null ? "" : "Cookie: netatmo_exporter_csrf=" + cookie + "\r\n")
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body);
    }

    /**
     * The status page's own form, as Chromium submits it: the page's {@code Referrer-Policy: no-referrer} makes the
     * form's {@code Origin} {@code null}. On 127.0.0.1 and localhost it also sends {@code Sec-Fetch-Site:
     * same-origin}; on a LAN address or name (plain HTTP, not trustworthy) it sends no {@code Sec-Fetch-*} at all.
     * Both were refused as cross-site: no browser could ever use the paste form.
     */
    @Test
    void theStatusPagesOwnFormIsAcceptedWithTheOriginNullThatChromiumSends() throws Exception {
        start(null, 0, false);
        netatmo.honour(null, "pasted-loopback-p1");
        netatmo.honour(null, "pasted-lan-p2");
        String[] csrf = csrf();
        String loopback = "127.0.0.1:" + exporter.port();

        String onLoopback = post(loopback, "Origin: null\r\nSec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: navigate"
                + "\r\n" + CHROMIUM_NAVIGATION_OVER_HTTP, csrf[0], "csrf=" + csrf[1]
                + "&refresh_token=pasted-loopback-p1");
        assertTrue(onLoopback.startsWith("HTTP/1.1 303 "), onLoopback);
        assertTrue(onLoopback.contains("Location: ../?notice=token-accepted\r\n"), onLoopback);
        String afterLoopback = refreshTokenOnDisk();
        assertTrue(afterLoopback.startsWith("issued-refresh-"), afterLoopback);

        String onLan = post("192.0.2.10:" + exporter.port(), "Origin: null\r\n" + CHROMIUM_NAVIGATION_OVER_HTTP,
                csrf[0], "csrf=" + csrf[1] + "&refresh_token=pasted-lan-p2");
        assertTrue(onLan.contains("Location: ../?notice=token-accepted\r\n"), onLan);
        assertFalse(refreshTokenOnDisk().equals(afterLoopback), "the LAN paste was used too");
        assertEquals(State.VALID, exporter.tokens().status().state());
    }

    /** {@code Origin: null} is what sandboxed frames and data: URLs send too: without the csrf field it is refused. */
    @Test
    void anOpaqueOriginWithoutTheCsrfFieldIsStillRefused() throws Exception {
        start(null, 0, false);
        netatmo.honour(null, "valid-other-v1");
        String[] csrf = csrf();
        String host = "192.0.2.10:" + exporter.port();

        String noField = post(host, "Origin: null\r\n" + CHROMIUM_NAVIGATION_OVER_HTTP, csrf[0],
                "refresh_token=valid-other-v1");
        String noCookie = post(host, "Origin: null\r\n" + CHROMIUM_NAVIGATION_OVER_HTTP, null, "csrf=" + csrf[1]
                + "&refresh_token=valid-other-v1");
        String crossSite = post("127.0.0.1:" + exporter.port(), "Origin: null\r\nSec-Fetch-Site: cross-site\r\n",
                csrf[0], "csrf=" + csrf[1] + "&refresh_token=valid-other-v1");

        for (String reply : List.of(noField, noCookie, crossSite)) {
            assertTrue(reply.startsWith("HTTP/1.1 403 "), reply);
            assertTrue(reply.contains("<h1>Refused"), reply);
        }
        assertEquals("current-refresh-r1", refreshTokenOnDisk());
        assertEquals(0, netatmo.count("/oauth2/token"), "nothing reached NetAtmo's token endpoint");
    }

    /**
     * DNS rebinding, as it happens: the attacker's page on {@code http://rebind.example:<port>} (plain HTTP, so no
     * {@code Sec-Fetch-*}) reads the exporter with same-origin {@code fetch} GETs, which carry no {@code Origin}.
     * The exporter took them for scripts and skipped its Host check: the page read the status page, the raw API
     * data and the token state.
     */
    @Test
    void aDnsRebindingPageCannotReadTheExporterOverPlainHttp() throws Exception {
        start(null, 0, true);
        String rebind = "rebind.example:" + exporter.port();

        for (String path : List.of("/", "/debug/data", "/debug/token", "/status.js", "/metrics",
                "/auth/authorize")) {
            String reply = raw("GET " + path + " HTTP/1.1\r\nHost: " + rebind + "\r\n" + CHROMIUM_FETCH_OVER_HTTP
                    + "Connection: close\r\n\r\n");
            assertTrue(reply.startsWith("HTTP/1.1 403 "), path + ": " + reply);
            assertTrue(reply.contains("Refused: unknown host name"), path + ": " + reply);
        }
        String curl = raw("GET /metrics HTTP/1.1\r\nHost: " + rebind + "\r\nUser-Agent: curl/7.88.1\r\n"
                + "Accept: */*\r\nConnection: close\r\n\r\n");
        String prometheus = raw("GET /metrics HTTP/1.1\r\nHost: " + rebind + "\r\nUser-Agent: Prometheus/2.53.0\r\n"
                + "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5\r\n"
                + "Connection: close\r\n\r\n");
        assertTrue(curl.startsWith("HTTP/1.1 200 "), "scripts keep working under any name: " + curl);
        assertTrue(prometheus.startsWith("HTTP/1.1 200 "), "Prometheus keeps working under any name: " + prometheus);
    }

    /**
     * A user on the LAN opens {@code http://192.168.1.10:9210/} while the redirect URI names another host. Over
     * plain HTTP Chromium's navigation has no {@code Sec-Fetch-*}, so the exporter did not move the authorization
     * to the callback's host first: the binding cookie went to the IP address, and NetAtmo's redirect back to the
     * callback's host arrived without it ("no cookie").
     */
    @Test
    void anAuthorizationStartedOverPlainHttpUnderAnotherNameMovesToTheCallbacksHostFirst() throws Exception {
        int port = freePort();
        start(URI.create("http://exporter.test:" + port), port, false);

        String moved = raw("GET /auth/authorize HTTP/1.1\r\nHost: 192.0.2.10:" + port + "\r\n"
                + CHROMIUM_NAVIGATION_OVER_HTTP + "Connection: close\r\n\r\n");
        String script = raw("GET /auth/authorize HTTP/1.1\r\nHost: 192.0.2.10:" + port + "\r\n"
                + "User-Agent: curl/7.88.1\r\nConnection: close\r\n\r\n");

        assertTrue(moved.startsWith("HTTP/1.1 302 "), moved);
        assertTrue(moved.contains("Location: http://exporter.test:" + port + "/auth/authorize?moved=1\r\n"), moved);
        assertTrue(script.contains("Location: " + netatmo.url() + "/oauth2/authorize?"),
                "a script still goes straight to NetAtmo: " + script);
    }

    /**
     * Every pasted or posted refresh token is checked with NetAtmo on a server thread, and anyone on the network may
     * post one. With NetAtmo slow, a few dozen posts held that many threads for the token request's whole deadline
     * (30 s), queued behind OkHttp's five calls per host, in front of the exporter's own token refresh. Now a few are
     * checked at a time and the rest are answered at once.
     */
    @Test
    void manyPostedTokensAreCheckedWithNetatmoAFewAtATimeAndTheRestAnsweredAtOnce() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        HttpServer slow = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService slowThreads = Executors.newCachedThreadPool();
        slow.setExecutor(slowThreads);
        slow.createContext("/", exchange -> {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (!form.contains("garbage-")) {
                // the exporter's own data and token calls: not what this test counts
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            received.incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                release.await(20, TimeUnit.SECONDS);
                byte[] body = "{\"error\":\"invalid_grant\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(400, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
                exchange.close();
            }
        });
        slow.start();
        closing.add(() -> {
            release.countDown();
            slow.stop(0);
            slowThreads.shutdownNow();
        });
        start(null, 0, false, URI.create("http://127.0.0.1:" + slow.getAddress().getPort()));
        HttpClient http = HttpClient.newBuilder().executor(Executors.newCachedThreadPool()).build();
        URI settoken = URI.create("http://127.0.0.1:" + exporter.port() + "/auth/settoken");

        List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            posts.add(http.sendAsync(HttpRequest.newBuilder(settoken).timeout(Duration.ofSeconds(25))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("refresh_token=garbage-" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int answered = 0;
        while (System.nanoTime() < deadline) {
            answered = (int) posts.stream().filter(CompletableFuture::isDone).count();
            if (answered >= 28) {
                break;
            }
            Thread.sleep(50);
        }
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + exporter.port() + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        int checking = maxInFlight.get();
        release.countDown();

        assertTrue(answered >= 28, answered + " of 30 posts answered while NetAtmo was slow; " + checking
                + " token requests reached NetAtmo at once");
        assertTrue(checking <= AuthFlow.MAX_CHECKS, checking + " token requests at once");
        long busy = posts.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join)
                .filter(r -> r.statusCode() == 503).count();
        assertTrue(busy >= 28, busy + " posts answered 503");
        HttpResponse<String> one = posts.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join)
                .filter(r -> r.statusCode() == 503).findFirst().orElseThrow();
        assertTrue(one.body().contains("Nothing was changed"), one.body());
        assertTrue(one.headers().firstValue("Retry-After").isPresent(), one.headers().toString());
        assertEquals(200, metrics.statusCode());
        assertEquals("current-refresh-r1", refreshTokenOnDisk());
    }

    /**
     * Found in review11, not fixed (a design decision): the exporter has no notion of who may authorize it, so a
     * script on the network replaces a working authorization with one of its own NetAtmo account, through the
     * authorization flow (any NetAtmo user may consent to any app; the script brings the code back with its own
     * binding cookie) or by posting a refresh token of that authorization. Verify-before-replace stops garbage
     * only. From then on the exporter reads the attacker's stations, and the user's token is gone. The Go exporter
     * behaves the same. Possible fixes: keep a working token unless the request comes from loopback or from an
     * address given with a flag, or require a secret (a flag or file) for replacing a valid token.
     */
    @org.junit.jupiter.api.Disabled("review11: not fixed; a design decision, see the comment")
    @Test
    void aScriptOnTheNetworkCannotReplaceAWorkingAuthorizationWithItsOwnAccount() throws Exception {
        start(null, 0, false);
        netatmo.honour(null, "attackers-own-refresh-token");
        Browser attacker = new Browser(exporter.port());
        HttpResponse<String> authorize = attacker.get("/auth/authorize");
        String state = Reply.decode(URI.create(authorize.headers().firstValue("Location").orElseThrow())
                .getRawQuery()).get("state");

        HttpResponse<String> callback = attacker.get("/auth/callback?code=good-code&state=" + state);
        HttpResponse<String> posted = attacker.postForm("/auth/settoken", "refresh_token=attackers-own-refresh-token");

        assertEquals("current-refresh-r1", refreshTokenOnDisk(), "callback " + callback.statusCode() + ", settoken "
                + posted.statusCode());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Sends {@code request} as it is and reads the whole answer. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), exporter.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
