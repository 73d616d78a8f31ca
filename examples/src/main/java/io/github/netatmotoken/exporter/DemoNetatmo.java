package io.github.netatmotoken.exporter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated NetAtmo API on a loopback port, for {@code --demo}: an authorize page asking for consent, a token
 * endpoint issuing short-lived tokens and rotating refresh tokens strictly (a used one gets {@code invalid_grant}),
 * and getstationsdata / gethomecoachsdata with readings that drift over time. Thread-safe.
 */
final class DemoNetatmo implements AutoCloseable {
    static final Duration TOKEN_LIFETIME = Duration.ofMinutes(2);
    private static final Logger log = LoggerFactory.getLogger(DemoNetatmo.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final Clock clock;
    private final String clientId;
    private final String clientSecret;
    private final SecureRandom random = new SecureRandom();
    private volatile URI allowedRedirect;
    private final Map<String, String> codes = new ConcurrentHashMap<>();
    private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, Boolean> refreshTokens = new ConcurrentHashMap<>();

    private DemoNetatmo(HttpServer server, ExecutorService executor, Clock clock, String clientId,
            String clientSecret) {
        this.server = server;
        this.executor = executor;
        this.clock = clock;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
    }

    /**
     * Starts the simulation on a free loopback port.
     *
     * @param carriedOver a refresh token this simulation issued in an earlier run (read from the token file), so
     *     that a restarted demo keeps its authorization, or {@code null}
     */
    static DemoNetatmo start(Clock clock, String clientId, String clientSecret, String carriedOver)
            throws IOException {
        HttpServer server = WebServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "demo-netatmo-api");
            t.setDaemon(true);
            return t;
        });
        DemoNetatmo demo = new DemoNetatmo(server, executor, clock, clientId, clientSecret);
        if (carriedOver != null && carriedOver.startsWith("demo-rt-")) {
            demo.refreshTokens.put(carriedOver, Boolean.TRUE);
        }
        server.createContext("/oauth2/authorize", demo.guard(demo::authorize));
        server.createContext("/oauth2/token", demo.guard(demo::token));
        server.createContext("/style.css", demo.guard(Assets.STYLE::handle));
        server.createContext("/api/getstationsdata", demo.guard(e -> demo.data(e, false)));
        server.createContext("/api/gethomecoachsdata", demo.guard(e -> demo.data(e, true)));
        server.setExecutor(executor);
        server.start();
        log.info("Demo mode: simulated NetAtmo API at {} (tokens live {} minutes)", demo.url(),
                TOKEN_LIFETIME.toMinutes());
        return demo;
    }

    /** The base URL to use as {@code --api-url}. */
    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private com.sun.net.httpserver.HttpHandler guard(Handler handler) {
        return exchange -> {
            try {
                handler.handle(exchange);
            } catch (IOException | RuntimeException e) {
                log.warn("Demo API failed to answer {}: {}", LogSafe.escape(exchange.getRequestURI().getRawPath()),
                        LogSafe.escape(e.toString()));
                exchange.close();
            }
        };
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> q = Reply.query(exchange);
        String redirect = q.get("redirect_uri");
        String state = q.getOrDefault("state", "");
        if (!clientId.equals(q.get("client_id")) || redirect == null) {
            Reply.html(exchange, 400, "Demo NetAtmo: bad request", "<h1>Bad authorize request</h1><p>Unknown client"
                    + " id or missing redirect_uri.</p>");
            return;
        }
        URI allowed = allowedRedirect;
        if (allowed == null || !redirect.equals(allowed.toString())) {
            // As NetAtmo does: the browser goes back only to the redirect URI registered for the app.
            log.warn("Demo API: refused an authorize request whose redirect_uri {} is not the exporter's callback",
                    LogSafe.escape(redirect));
            Reply.html(exchange, 400, "Demo NetAtmo: bad request", "<h1>Bad authorize request</h1><p>This"
                    + " redirect_uri is not the exporter's callback " + Html.escape(allowed) + "; the simulation"
                    + " sends browsers back to that address only.</p>");
            return;
        }
        if (q.containsKey("decision")) {
            String sep = redirect.contains("?") ? "&" : "?";
            String target;
            if (q.get("decision").equals("allow")) {
                String code = "demo-code-" + randomHex(12);
                codes.put(code, redirect);
                target = redirect + sep + "code=" + encode(code) + "&state=" + encode(state);
            } else {
                target = redirect + sep + "error=access_denied&state=" + encode(state);
            }
            exchange.getResponseHeaders().set("Location", target);
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
            return;
        }
        String hidden = "<input type=\"hidden\" name=\"client_id\" value=\"" + Html.escape(clientId) + "\">"
                + "<input type=\"hidden\" name=\"redirect_uri\" value=\"" + Html.escape(redirect) + "\">"
                + "<input type=\"hidden\" name=\"scope\" value=\"" + Html.escape(q.getOrDefault("scope", "")) + "\">"
                + "<input type=\"hidden\" name=\"state\" value=\"" + Html.escape(state) + "\">";
        // The consent form's answer redirects to the exporter's callback: allow that one target besides 'self'.
        URI target = URI.create(redirect);
        exchange.getResponseHeaders().set("Content-Security-Policy", Reply.CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'", "form-action 'self' " + target.getScheme() + "://" + target.getRawAuthority()));
        Reply.send(exchange, 200, "text/html; charset=utf-8", Html.page("Demo NetAtmo: authorize",
                "<h1>Simulated NetAtmo</h1><p class=\"box warn\">This is the exporter's demo mode, not NetAtmo.</p>"
                + "<p>The app <b>" + Html.escape(clientId) + "</b> asks for access to your weather station data"
                + " (scope <code>" + Html.escape(q.getOrDefault("scope", "")) + "</code>).</p>"
                + "<form class=\"inline\" method=\"get\" action=\"/oauth2/authorize\">" + hidden
                + "<button id=\"allow\" name=\"decision\" value=\"allow\">Yes, I accept</button></form> "
                + "<form class=\"inline\" method=\"get\" action=\"/oauth2/authorize\">" + hidden
                + "<button id=\"deny\" class=\"secondary\" name=\"decision\" value=\"deny\">No</button>"
                + "</form>", Reply.root(exchange)).getBytes(StandardCharsets.UTF_8));
    }

    /** The only redirect URI the simulated consent page sends browsers back to: the exporter's callback. */
    void allowRedirect(URI callback) {
        this.allowedRedirect = callback;
    }

    private void token(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            Reply.methodNotAllowed(exchange, "POST");
            return;
        }
        Map<String, String> form = Reply.form(exchange);
        if (!clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
            Reply.json(exchange, 400, "{\"error\":\"invalid_client\"}");
            return;
        }
        switch (form.getOrDefault("grant_type", "")) {
            case "authorization_code" -> {
                String redirect = codes.remove(form.getOrDefault("code", ""));
                if (redirect == null || !redirect.equals(form.get("redirect_uri"))) {
                    Reply.json(exchange, 400, "{\"error\":\"invalid_grant\"}");
                    return;
                }
                issue(exchange);
            }
            case "refresh_token" -> {
                if (refreshTokens.remove(form.getOrDefault("refresh_token", "")) == null) {
                    log.warn("Demo API: refused a refresh token that was already used or never issued"
                            + " (invalid_grant)");
                    Reply.json(exchange, 400, "{\"error\":\"invalid_grant\"}");
                    return;
                }
                issue(exchange);
            }
            default -> Reply.json(exchange, 400, "{\"error\":\"unsupported_grant_type\"}");
        }
    }

    private void issue(HttpExchange exchange) throws IOException {
        String access = "demo-at-" + randomHex(16);
        String refresh = "demo-rt-" + randomHex(16);
        accessTokens.put(access, clock.instant().plus(TOKEN_LIFETIME));
        refreshTokens.put(refresh, Boolean.TRUE);
        long seconds = TOKEN_LIFETIME.toSeconds();
        Reply.json(exchange, 200, JsonText.compact(json -> {
            json.writeStartObject();
            json.writeStringField("access_token", access);
            json.writeStringField("refresh_token", refresh);
            json.writeArrayFieldStart("scope");
            json.writeString("read_station");
            json.writeString("read_homecoach");
            json.writeEndArray();
            json.writeNumberField("expires_in", seconds);
            json.writeNumberField("expire_in", seconds);
            json.writeEndObject();
        }));
    }

    private void data(HttpExchange exchange, boolean homeCoach) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            Reply.json(exchange, 403, "{\"error\":{\"code\":1,\"message\":\"Access token is missing\"}}");
            return;
        }
        Instant expiry = accessTokens.get(auth.substring(7));
        if (expiry == null) {
            Reply.json(exchange, 403, "{\"error\":{\"code\":2,\"message\":\"Invalid access token\"}}");
            return;
        }
        if (!clock.instant().isBefore(expiry)) {
            Reply.json(exchange, 403, "{\"error\":{\"code\":3,\"message\":\"Access token expired\"}}");
            return;
        }
        long now = clock.instant().getEpochSecond();
        Reply.json(exchange, 200, JsonText.compact(json -> {
            json.writeStartObject();
            json.writeObjectFieldStart("body");
            json.writeArrayFieldStart("devices");
            if (homeCoach) {
                homeCoach(json, now);
            } else {
                station(json, now);
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeStringField("status", "ok");
            json.writeNumberField("time_exec", 0.01);
            json.writeNumberField("time_server", now);
            json.writeEndObject();
        }));
    }

    /** A reading that swings by {@code amplitude} around {@code mean} over {@code periodMinutes}. */
    private static double drift(long now, double mean, double amplitude, double periodMinutes, double phase) {
        double value = mean + amplitude * Math.sin(2 * Math.PI * now / (periodMinutes * 60) + phase);
        return Math.round(value * 10) / 10.0;
    }

    /** A station with an indoor, an outdoor, a wind and a rain module, as one element of {@code devices}. */
    private static void station(JsonGenerator d, long now) throws IOException {
        long measured = now - now % 60;
        d.writeStartObject();
        d.writeStringField("_id", "70:ee:50:00:00:01");
        d.writeStringField("type", "NAMain");
        d.writeStringField("station_name", "Demo Station");
        d.writeStringField("module_name", "Living Room");
        d.writeStringField("home_id", "demo-home");
        d.writeStringField("home_name", "Demo Home");
        d.writeBooleanField("reachable", true);
        d.writeNumberField("wifi_status", 55);
        d.writeNumberField("firmware", 202);
        d.writeArrayFieldStart("data_type");
        for (String type : new String[] {"Temperature", "CO2", "Humidity", "Noise", "Pressure"}) {
            d.writeString(type);
        }
        d.writeEndArray();
        d.writeObjectFieldStart("dashboard_data");
        d.writeNumberField("time_utc", measured);
        d.writeNumberField("Temperature", drift(now, 21.5, 1.2, 47, 0));
        d.writeNumberField("Humidity", Math.round(drift(now, 48, 6, 61, 1)));
        d.writeNumberField("CO2", Math.round(drift(now, 700, 250, 37, 2)));
        d.writeNumberField("Noise", Math.round(drift(now, 40, 6, 13, 0)));
        d.writeNumberField("Pressure", drift(now, 1015, 4, 180, 0));
        d.writeNumberField("AbsolutePressure", drift(now, 985, 4, 180, 0));
        d.writeEndObject();
        d.writeArrayFieldStart("modules");
        module(d, "02:00:00:00:00:01", "NAModule1", "Garden", measured, 68, 5600, 82);
        d.writeNumberField("Temperature", drift(now, 9, 4, 53, 1));
        d.writeNumberField("Humidity", Math.round(drift(now, 75, 12, 71, 2)));
        endModule(d);
        module(d, "06:00:00:00:00:01", "NAModule2", "Wind", measured, 72, 5300, 64);
        d.writeNumberField("WindStrength", Math.max(0, Math.round(drift(now, 12, 10, 17, 0))));
        d.writeNumberField("WindAngle", Math.floorMod(Math.round(drift(now, 220, 90, 29, 1)), 360));
        d.writeNumberField("GustStrength", Math.max(0, Math.round(drift(now, 20, 12, 17, 0))));
        d.writeNumberField("GustAngle", Math.floorMod(Math.round(drift(now, 230, 90, 29, 1)), 360));
        endModule(d);
        module(d, "05:00:00:00:00:01", "NAModule3", "Rain", measured, 80, 4900, 35);
        d.writeNumberField("Rain", Math.max(0, drift(now, 0.2, 0.6, 23, 0)));
        d.writeNumberField("sum_rain_1", 0.4);
        d.writeNumberField("sum_rain_24", 3.1);
        endModule(d);
        d.writeEndArray();
        d.writeEndObject();
    }

    /** Opens a module and its {@code dashboard_data}, which the caller fills and {@link #endModule} closes. */
    private static void module(JsonGenerator d, String id, String type, String name, long measured, int rfStatus,
            int batteryVp, int batteryPercent) throws IOException {
        d.writeStartObject();
        d.writeStringField("_id", id);
        d.writeStringField("type", type);
        d.writeStringField("module_name", name);
        d.writeBooleanField("reachable", true);
        d.writeNumberField("last_seen", measured);
        d.writeNumberField("rf_status", rfStatus);
        d.writeNumberField("battery_vp", batteryVp);
        d.writeNumberField("battery_percent", batteryPercent);
        d.writeObjectFieldStart("dashboard_data");
        d.writeNumberField("time_utc", measured);
    }

    private static void endModule(JsonGenerator d) throws IOException {
        d.writeEndObject();
        d.writeEndObject();
    }

    /** A Healthy Home Coach, as one element of {@code devices}. */
    private static void homeCoach(JsonGenerator d, long now) throws IOException {
        long measured = now - now % 60;
        d.writeStartObject();
        d.writeStringField("_id", "70:ee:50:00:00:99");
        d.writeStringField("type", "NHC");
        d.writeStringField("name", "Bedroom");
        d.writeBooleanField("reachable", true);
        d.writeNumberField("wifi_status", 60);
        d.writeObjectFieldStart("dashboard_data");
        d.writeNumberField("time_utc", measured);
        d.writeNumberField("Temperature", drift(now, 19.5, 1, 41, 2));
        d.writeNumberField("Humidity", Math.round(drift(now, 52, 5, 59, 0)));
        d.writeNumberField("CO2", Math.round(drift(now, 900, 400, 33, 1)));
        d.writeNumberField("Noise", Math.round(drift(now, 35, 4, 11, 0)));
        d.writeNumberField("Pressure", drift(now, 1015, 4, 180, 0));
        d.writeNumberField("AbsolutePressure", drift(now, 985, 4, 180, 0));
        d.writeNumberField("health_idx", Math.floorMod(Math.round(drift(now, 1.5, 1.5, 31, 0)), 5));
        d.writeEndObject();
        d.writeEndObject();
    }

    private String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
