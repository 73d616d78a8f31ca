package io.github.netatmotoken.exporter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * NetAtmo on MockWebServer: a token endpoint that rotates refresh tokens strictly (a used one gets
 * invalid_grant), accepts the code {@code good-code}, and a data API that serves a given body to a current access
 * token. Tests can queue one-off data responses. Records every request and every token value it issued.
 */
final class FakeNetatmo implements AutoCloseable {
    static final String CLIENT_ID = "test-client-id";
    static final String CLIENT_SECRET = "test-client-secret-s3cr3t";
    static final String STATIONS = """
            {"body":{"devices":[{"_id":"70:ee:50:00:00:01","type":"NAMain","station_name":"Home","module_name":"Indoor",
            "home_name":"House","wifi_status":56,"dashboard_data":{"time_utc":%d,"Temperature":21.5,"CO2":612}}]},
            "status":"ok"}""";

    private final MockWebServer server = new MockWebServer();
    private final AtomicInteger counter = new AtomicInteger();
    private final Set<String> validAccess = ConcurrentHashMap.newKeySet();
    private final Set<String> validRefresh = ConcurrentHashMap.newKeySet();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final Deque<MockResponse> dataOverrides = new ArrayDeque<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> bodies = new ConcurrentHashMap<>();

    FakeNetatmo() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                requests.add(request);
                return FakeNetatmo.this.dispatch(request);
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getPort());
    }

    /** The body getstationsdata (or gethomecoachsdata) answers with. */
    void serve(String endpoint, String body) {
        bodies.put(endpoint, body);
    }

    /** Makes {@code access} and {@code refresh} tokens this fake honours, as if it had issued them. */
    void honour(String access, String refresh) {
        if (access != null) {
            validAccess.add(access);
            issued.add(access);
        }
        if (refresh != null) {
            validRefresh.add(refresh);
            issued.add(refresh);
        }
    }

    /** The next data call gets this instead. */
    synchronized void nextDataResponse(int status, String body) {
        dataOverrides.add(new MockResponse.Builder().code(status).body(body).build());
    }

    List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    long count(String path) {
        return requests.stream().filter(r -> r.getTarget().startsWith(path)).count();
    }

    /** Every token value this fake issued or honoured. */
    Set<String> secrets() {
        Set<String> all = new java.util.HashSet<>(issued);
        all.add(CLIENT_SECRET);
        return all;
    }

    private MockResponse dispatch(RecordedRequest request) {
        String path = request.getTarget();
        if (path.startsWith("/oauth2/token")) {
            return token(Reply.decode(request.getBody() == null ? "" : request.getBody().utf8()));
        }
        if (path.startsWith("/api/")) {
            synchronized (this) {
                if (!dataOverrides.isEmpty()) {
                    return dataOverrides.poll();
                }
            }
            String auth = request.getHeaders().get("Authorization");
            if (auth == null || !validAccess.contains(auth.substring("Bearer ".length()))) {
                return json(403, "{\"error\":{\"code\":2,\"message\":\"Invalid access token\"}}");
            }
            String endpoint = path.substring("/api/".length()).split("\\?")[0];
            String body = bodies.get(endpoint);
            return body == null ? json(404, "{\"error\":{\"code\":404,\"message\":\"no fixture\"}}") : json(200, body);
        }
        return json(404, "{}");
    }

    private MockResponse token(Map<String, String> form) {
        if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            return json(400, "{\"error\":\"invalid_client\"}");
        }
        boolean ok = switch (form.getOrDefault("grant_type", "")) {
            case "refresh_token" -> validRefresh.remove(form.getOrDefault("refresh_token", ""));
            case "authorization_code" -> "good-code".equals(form.get("code"));
            default -> false;
        };
        if (!ok) {
            return json(400, "{\"error\":\"invalid_grant\"}");
        }
        int n = counter.incrementAndGet();
        String access = "issued-access-" + n + "-x9";
        String refresh = "issued-refresh-" + n + "-y7";
        honour(access, refresh);
        return json(200, "{\"access_token\":\"" + access + "\",\"refresh_token\":\"" + refresh
                + "\",\"scope\":[\"read_station\"],\"expires_in\":10800,\"expire_in\":10800}");
    }

    private static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body)
                .build();
    }

    @Override
    public void close() {
        server.close();
    }
}
