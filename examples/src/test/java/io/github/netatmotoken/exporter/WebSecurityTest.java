package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netatmotoken.core.CapturedLogs;
import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.RefreshingTokenSource.State;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * The web side as an attacker on the same network tries it: forged and cross-site requests, rebinding host
 * names, evicting a user's pending authorization, garbage tokens, forged log lines. The exporter runs in-process on
 * 127.0.0.1 port 0 against MockWebServer as NetAtmo, with a working token in a real token file.
 */
class WebSecurityTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final String WORKING = "{\"access_token\":\"current-access-a1\",\"refresh_token\":"
            + "\"current-refresh-r1\",\"expiry\":\"2026-01-15T12:00:00Z\"}";

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private FakeNetatmo netatmo;
    private Exporter exporter;
    private Browser browser;
    private Path tokenFile;
    private String origin;

    @BeforeEach
    void start() throws Exception {
        netatmo = new FakeNetatmo();
        netatmo.serve("getstationsdata", FakeNetatmo.STATIONS.formatted(clock.instant().getEpochSecond() - 300));
        netatmo.honour("current-access-a1", "current-refresh-r1");
        tokenFile = dir.resolve("token.json");
        Files.writeString(tokenFile, WORKING);
        Config config = new Config("127.0.0.1", 0, null, tokenFile, false, "info", Duration.ofHours(1),
                Duration.ofHours(2), FakeNetatmo.CLIENT_ID, FakeNetatmo.CLIENT_SECRET, netatmo.url(), false, false);
        exporter = Exporter.start(config, clock);
        exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
        browser = new Browser(exporter.port());
        origin = "http://127.0.0.1:" + exporter.port();
    }

    @AfterEach
    void stop() {
        exporter.close();
        netatmo.close();
    }

    private String refreshTokenOnDisk() throws Exception {
        return MAPPER.readTree(Files.readString(tokenFile)).get("refresh_token").asText();
    }

    private void assertTokenUnchanged() throws Exception {
        assertEquals(State.VALID, exporter.tokens().status().state());
        assertEquals("current-refresh-r1", refreshTokenOnDisk());
        assertEquals(0, netatmo.count("/oauth2/token"), "nothing reached NetAtmo's token endpoint");
    }

    /** The status page as this browser sees it, and the csrf field it carries. */
    private String csrfField() {
        HttpResponse<String> page = browser.send("GET", "/", null, "Sec-Fetch-Site", "none");
        Matcher m = CSRF_FIELD.matcher(page.body());
        assertTrue(m.find(), page.body());
        return m.group(1);
    }

    @Test
    void aGarbageTokenFromAScriptIsRefusedAndTheWorkingOneStays() throws Exception {
        HttpResponse<String> reply = browser.postForm("/auth/settoken", "refresh_token=garbage");

        assertEquals(400, reply.statusCode());
        assertTrue(reply.body().contains("NetAtmo refused the pasted refresh token"), reply.body());
        assertTrue(reply.body().contains("keeps its current token"), reply.body());
        assertEquals(State.VALID, exporter.tokens().status().state());
        assertEquals("current-refresh-r1", refreshTokenOnDisk());
        assertEquals(1, netatmo.count("/oauth2/token"), "tried once with NetAtmo");
        assertTrue(browser.get("/metrics").body().contains("netatmo_exporter_token_valid 1.0"));
    }

    @Test
    void aTokenThatCannotBeCheckedIsNotUsedEither() throws Exception {
        netatmo.close();

        HttpResponse<String> reply = browser.postForm("/auth/settoken", "refresh_token=maybe-good");

        assertEquals(502, reply.statusCode());
        assertTrue(reply.body().contains("could not be checked"), reply.body());
        assertEquals("current-refresh-r1", refreshTokenOnDisk());
        assertEquals(State.VALID, exporter.tokens().status().state());
    }

    @Test
    void goStyleScriptFormsWorkWhenTheTokenWorks() throws Exception {
        netatmo.honour(null, "from-query-q1");
        netatmo.honour(null, "from-post-query-q2");

        HttpResponse<String> get = browser.get("/auth/settoken?refresh_token=from-query-q1");
        assertEquals(200, get.statusCode(), get.body());
        String afterGet = refreshTokenOnDisk();
        assertTrue(afterGet.startsWith("issued-refresh-"), "the renewed token is kept: " + afterGet);

        HttpResponse<String> post = browser.send("POST", "/auth/settoken?refresh_token=from-post-query-q2", "");
        assertEquals(200, post.statusCode(), post.body());
        assertTrue(refreshTokenOnDisk().startsWith("issued-refresh-"));
        assertFalse(refreshTokenOnDisk().equals(afterGet));
        assertEquals(State.VALID, exporter.tokens().status().state());
    }

    @Test
    void theStatusPageFormWorksWithItsCsrfField() throws Exception {
        netatmo.honour(null, "pasted-p1");
        String csrf = csrfField();

        HttpResponse<String> reply = browser.send("POST", "/auth/settoken", "csrf=" + csrf
                + "&refresh_token=pasted-p1", "Origin", origin, "Sec-Fetch-Site", "same-origin");

        assertEquals(303, reply.statusCode(), reply.body());
        assertEquals("../?notice=token-accepted", reply.headers().firstValue("Location").orElseThrow());
        assertTrue(refreshTokenOnDisk().startsWith("issued-refresh-"));
        String page = browser.get("/?notice=token-accepted").body();
        assertTrue(page.contains("id=\"notice\""), page);
    }

    @Test
    void aRefusedPastedTokenIsReportedOnceOnTheStatusPage() throws Exception {
        String csrf = csrfField();

        HttpResponse<String> reply = browser.send("POST", "/auth/settoken", "csrf=" + csrf
                + "&refresh_token=wrong-w1", "Origin", origin, "Sec-Fetch-Site", "same-origin");

        assertEquals("../?notice=token-refused", reply.headers().firstValue("Location").orElseThrow());
        String page = browser.get("/?notice=token-refused").body();
        assertEquals(1, count(page, "refused the pasted refresh token"), page);
        assertTrue(page.contains("id=\"problem\""), page);
        assertEquals("current-refresh-r1", refreshTokenOnDisk());
    }

    @Test
    void aFormWithoutTheCsrfFieldChangesNothing() throws Exception {
        netatmo.honour(null, "valid-other-v1");
        csrfField();

        HttpResponse<String> reply = browser.send("POST", "/auth/settoken", "refresh_token=valid-other-v1",
                "Origin", origin, "Sec-Fetch-Site", "same-origin");
        HttpResponse<String> forged = browser.send("POST", "/auth/settoken", "csrf=made-up&refresh_token="
                + "valid-other-v1", "Origin", origin, "Sec-Fetch-Site", "same-origin");

        assertEquals("../?notice=form-expired", reply.headers().firstValue("Location").orElseThrow());
        assertEquals("../?notice=form-expired", forged.headers().firstValue("Location").orElseThrow());
        assertTokenUnchanged();
    }

    @Test
    void crossSiteFormsAreRefusedEvenWithAValidToken() throws Exception {
        netatmo.honour(null, "valid-other-v2");
        String csrf = csrfField();
        String other = "http://127.0.0.1:" + (exporter.port() == 1 ? 2 : exporter.port() - 1);

        HttpResponse<String> sameSite = browser.send("POST", "/auth/settoken", "csrf=" + csrf
                + "&refresh_token=valid-other-v2", "Origin", other, "Sec-Fetch-Site", "same-site");
        HttpResponse<String> crossSite = browser.send("POST", "/auth/settoken", "refresh_token=valid-other-v2",
                "Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site");
        HttpResponse<String> oldBrowser = browser.send("POST", "/auth/settoken", "refresh_token=valid-other-v2",
                "Origin", "http://evil.example");
        HttpResponse<String> opaque = browser.send("POST", "/auth/settoken", "refresh_token=valid-other-v2",
                "Origin", "null");
        HttpResponse<String> browserGet = browser.send("GET", "/auth/settoken?refresh_token=valid-other-v2", null,
                "Sec-Fetch-Site", "cross-site");

        for (HttpResponse<String> r : java.util.List.of(sameSite, crossSite, oldBrowser, opaque, browserGet)) {
            assertEquals(403, r.statusCode(), r.body());
            assertTrue(r.body().contains("<h1>Refused"), r.body());
        }
        assertTokenUnchanged();
    }

    @Test
    void aRefusedCrossSitePostIsAnsweredWithoutReadingItsBody() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), exporter.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /auth/settoken HTTP/1.1\r\nHost: 127.0.0.1:" + exporter.port() + "\r\n"
                    + "Origin: http://evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 10485760\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1024]);
            out.flush();

            String status = new String(readLine(socket.getInputStream()), StandardCharsets.US_ASCII);

            assertEquals("HTTP/1.1 403 Forbidden", status, "answered with 1 KB of 10 MB sent");
        }
        assertTokenUnchanged();
    }

    @Test
    void aRebindingHostNameIsRefusedEvenWhenOriginMatches() throws Exception {
        netatmo.honour(null, "valid-other-v3");

        String rebind = "rebind.example:" + exporter.port();

        String page = raw("GET / HTTP/1.1\r\nHost: " + rebind + "\r\nSec-Fetch-Site: same-origin\r\n"
                + "Connection: close\r\n\r\n");
        String body = "refresh_token=valid-other-v3";
        String post = raw("POST /auth/settoken HTTP/1.1\r\nHost: " + rebind + "\r\nOrigin: http://" + rebind
                + "\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);

        assertTrue(page.startsWith("HTTP/1.1 403 "), page);
        assertTrue(page.contains("Refused: unknown host name"), page);
        assertTrue(page.contains("--external-url"), "says how to allow a real name: " + page);
        assertTrue(post.startsWith("HTTP/1.1 403 "), post);
        assertTokenUnchanged();
        for (String host : new String[] {"localhost:" + exporter.port(), "127.0.0.1:" + exporter.port(),
                "[::1]:" + exporter.port(), "192.168.1.20:9210"}) {
            String ok = raw("GET / HTTP/1.1\r\nHost: " + host + "\r\nSec-Fetch-Site: none\r\n"
                    + "Connection: close\r\n\r\n");
            assertTrue(ok.startsWith("HTTP/1.1 200 "), host + ": " + ok);
        }
        String script = raw("GET /metrics HTTP/1.1\r\nHost: " + rebind + "\r\nConnection: close\r\n\r\n");
        assertTrue(script.startsWith("HTTP/1.1 200 "), "scripts such as Prometheus are not checked: " + script);
    }

    @Test
    void everyHtmlPageCarriesTheSecurityHeaders() {
        for (HttpResponse<String> r : java.util.List.of(browser.get("/"), browser.get("/auth/callback?state=x"),
                browser.send("POST", "/auth/settoken", "", "Origin", "http://evil.example"))) {
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("frame-ancestors 'none'") && csp.contains("base-uri 'none'")
                    && csp.contains("script-src 'self'") && !csp.contains("unsafe"), csp);
            assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""));
            assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(""));
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        }
        String cookie = new Browser(exporter.port()).get("/").headers().allValues("Set-Cookie").toString();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
    }

    @Test
    void authorizationsFromElsewhereCannotEvictTheUsersPendingOne() throws Exception {
        String userState = state(browser);
        for (int i = 0; i < 100; i++) {
            state(new Browser(exporter.port()));
        }

        HttpResponse<String> callback = browser.get("/auth/callback?code=good-code&state=" + userState);

        assertEquals(303, callback.statusCode(), callback.body());
        assertEquals("issued-refresh-1-y7", refreshTokenOnDisk());
    }

    @Test
    void anotherBrowsersStateIsRefused() throws Exception {
        String userState = state(browser);
        Browser attacker = new Browser(exporter.port());
        state(attacker);

        HttpResponse<String> callback = attacker.get("/auth/callback?code=good-code&state=" + userState);
        HttpResponse<String> noCookie = new Browser(exporter.port()).get("/auth/callback?code=good-code&state="
                + userState);

        assertEquals(400, callback.statusCode());
        assertTrue(callback.body().contains("not started in this browser"), callback.body());
        assertEquals(400, noCookie.statusCode());
        assertTrue(noCookie.body().contains("no cookie"), noCookie.body());
        assertTokenUnchanged();
    }

    @Test
    void aRefusedCodeIsCalledACode() throws Exception {
        HttpResponse<String> callback = browser.get("/auth/callback?code=bad-code&state=" + state(browser));

        assertEquals(400, callback.statusCode());
        assertTrue(callback.body().contains("refused the authorization code"), callback.body());
        assertFalse(callback.body().contains("refresh token"), callback.body());
        assertEquals("current-refresh-r1", refreshTokenOnDisk());
    }

    @Test
    void requestValuesCannotForgeLogLines() {
        int mark = CapturedLogs.mark();

        browser.get("/auth/callback?state=" + state(browser) + "&error=x%0D%0A2026-01-01+INFO+forged"
                + "&error_description=%1B%5B2Jcleared");

        String line = CapturedLogs.messages(mark, Level.WARN).stream().filter(m -> m.contains("reported error"))
                .findFirst().orElseThrow();
        assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\u001b"), line);
        assertTrue(line.contains("x\\r\\n2026-01-01 INFO forged") && line.contains("\\u001b[2Jcleared"), line);
    }

    @Test
    void anAuthorizationStartedUnderAnotherNameMovesToTheCallbacksHostFirst() throws Exception {
        String moved = raw("GET /auth/authorize HTTP/1.1\r\nHost: localhost:" + exporter.port() + "\r\n"
                + "Sec-Fetch-Site: same-origin\r\nConnection: close\r\n\r\n");
        String again = raw("GET /auth/authorize?moved=1 HTTP/1.1\r\nHost: localhost:" + exporter.port() + "\r\n"
                + "Sec-Fetch-Site: same-origin\r\nConnection: close\r\n\r\n");

        assertTrue(moved.startsWith("HTTP/1.1 302 "), moved);
        assertTrue(moved.contains("Location: " + origin + "/auth/authorize?moved=1\r\n"), "where the cookie will be"
                + " sent back: " + moved);
        assertTrue(again.contains("Location: " + netatmo.url()), "never a loop: " + again);
    }

    @Test
    void behindAReverseProxyThePrefixIsInTheRedirectUriAndTheCookiePaths() throws Exception {
        Config config = new Config("127.0.0.1", 0, URI.create("https://proxy.example/netatmo/"), dir.resolve("p.json"),
                false, "info", Duration.ofHours(1), Duration.ofHours(2), FakeNetatmo.CLIENT_ID,
                FakeNetatmo.CLIENT_SECRET, netatmo.url(), false, false);
        try (Exporter proxied = Exporter.start(config, clock)) {
            Browser b = new Browser(proxied.port());
            HttpResponse<String> authorize = b.get("/auth/authorize");
            HttpResponse<String> page = b.get("/");

            Map<String, String> query = Reply.decode(URI.create(authorize.headers().firstValue("Location")
                    .orElseThrow()).getRawQuery());
            assertEquals("https://proxy.example/netatmo/auth/callback", query.get("redirect_uri"));
            assertTrue(authorize.headers().firstValue("Set-Cookie").orElseThrow().contains("Path=/netatmo/auth/;"));
            assertTrue(page.headers().firstValue("Set-Cookie").orElseThrow().contains("Path=/netatmo/;"));
            assertTrue(page.body().contains("href=\"auth/authorize\"") && page.body().contains("src=\"status.js\""),
                    page.body());
        }
    }

    private static String state(Browser b) {
        HttpResponse<String> authorize = b.get("/auth/authorize");
        assertEquals(302, authorize.statusCode());
        Map<String, String> query = Reply.decode(URI.create(authorize.headers().firstValue("Location")
                .orElseThrow()).getRawQuery());
        return query.get("state");
    }

    /** Sends {@code request} as it is (a Host of our choice) and reads the whole answer. */
    private String raw(String request) throws java.io.IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), exporter.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static byte[] readLine(InputStream in) throws java.io.IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toByteArray();
    }
}
