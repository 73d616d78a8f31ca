package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.github.netatmotoken.core.FileTokenStore;
import io.github.netatmotoken.core.ReauthorizationRequiredException;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Ticker;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenFileException;
import io.github.netatmotoken.core.TokenListener;
import io.github.netatmotoken.core.TokenStore;
import io.github.netatmotoken.okhttp.NetatmoAuthInterceptor;
import io.github.netatmotoken.okhttp.OkHttpTokenClient;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running exporter: the token source on its token file, the background data refresh, and the HTTP server with
 * the Go exporter's endpoints. {@link #start} builds and starts it all; {@link #close} saves the token and stops.
 * Thread-safe.
 */
final class Exporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Exporter.class);
    private static final AtomicLong nextHostWarning = new AtomicLong(System.nanoTime());

    private final HttpServer server;
    private final ExecutorService serverThreads;
    private final RefreshingTokenSource tokens;
    private final SharedTokenStore sharedStore;
    private final DataPoller poller;
    private final DemoNetatmo demo;
    private final ExporterMetrics metrics;
    private final URI url;

    private Exporter(HttpServer server, ExecutorService serverThreads, RefreshingTokenSource tokens,
            SharedTokenStore sharedStore, DataPoller poller, DemoNetatmo demo, ExporterMetrics metrics, URI url) {
        this.server = server;
        this.serverThreads = serverThreads;
        this.tokens = tokens;
        this.sharedStore = sharedStore;
        this.poller = poller;
        this.demo = demo;
        this.metrics = metrics;
        this.url = url;
    }

    /**
     * Starts everything: the token file is loaded, the port bound, the first data refresh begun.
     *
     * @throws StartupException with one line saying what to fix: a corrupt or unreadable token file (left
     *     untouched), a port in use, a token store that cannot be reached
     */
    static Exporter start(Config config, Clock clock) throws StartupException {
        return start(config, clock, SharedStores::open);
    }

    /** As {@link #start(Config, Clock)}, with the shared token store (if configured) from {@code stores}. */
    static Exporter start(Config config, Clock clock, SharedStores.Opener stores) throws StartupException {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            return start(config, clock, stores, opened);
        } catch (StartupException | RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static Exporter start(Config config, Clock clock, SharedStores.Opener stores, List<AutoCloseable> opened)
            throws StartupException {
        if (config.tokenFile() == null && config.tokenStore() == null && !config.demo()) {
            throw new IllegalArgumentException("A token file or a token store is needed (ConfigParser requires one): "
                    + config);
        }
        DemoNetatmo demo = null;
        if (config.demo()) {
            if (config.tokenFile() == null) {
                config = config.withTokenFile(Path.of(System.getProperty("java.io.tmpdir"), "netatmo-exporter-demo",
                        "token.json"));
                log.info("Demo mode: keeping the demo token in {} (pass --token-file to choose another)",
                        config.tokenFile());
            }
            try {
                demo = DemoNetatmo.start(clock, config.clientId(), config.clientSecret(),
                        new FileTokenStore(config.tokenFile(), clock).load().map(Token::refreshToken).orElse(null));
            } catch (IOException e) {
                throw new StartupException(e instanceof TokenFileException ? e.getMessage() + "; fix or delete it"
                        : "Cannot start the demo API: " + e.getMessage(), e);
            }
            opened.add(demo);
            config = config.withApiUrl(demo.url());
        }

        HttpServer server;
        InetSocketAddress listen = config.host() == null ? new InetSocketAddress(config.port())
                : new InetSocketAddress(config.host(), config.port());
        String allInterfaces = "; use one of its addresses or names, or an empty host for all interfaces (--addr :"
                + config.port() + ")";
        if (listen.isUnresolved()) {
            throw new StartupException("Cannot listen on " + addr(config) + ": " + config.host() + " is not an"
                    + " address of this machine, nor a name that resolves" + allInterfaces,
                    new UnknownHostException(config.host()));
        }
        try {
            server = WebServer.create(listen, 64);
        } catch (BindException e) {
            // EADDRNOTAVAIL ("Cannot assign requested address"): the address is another machine's.
            boolean notOurs = e.getMessage() != null && e.getMessage().contains("assign");
            throw new StartupException("Cannot listen on " + addr(config) + ": " + e.getMessage() + (notOurs
                    ? ": " + config.host() + " is not an address of this machine" + allInterfaces
                    : "; stop the program using it or choose another address with --addr"), e);
        } catch (IOException e) {
            throw new StartupException("Cannot listen on " + addr(config) + ": " + e, e);
        }
        opened.add(() -> server.stop(0));
        int port = server.getAddress().getPort();
        URI external = externalUrl(config, port);
        URI redirectUri = URI.create(external + "/auth/callback");

        TokenStore store;
        SharedTokenStore shared = null;
        UnaryOperator<String> redact = UnaryOperator.identity();
        if (config.tokenStore() != null) {
            TokenStoreUrl url = config.tokenStore();
            redact = url::redact;
            shared = openShared(config, stores);
            opened.add(shared);
            seed(shared, config, clock);
            store = shared;
        } else {
            // ConfigParser requires a token file without a store; --demo chose one above.
            store = new FileTokenStore(config.tokenFile(), clock);
            if (Files.isRegularFile(config.tokenFile()) && !Files.isWritable(config.tokenFile())) {
                log.warn("Token file {} is not writable: refreshed tokens cannot be saved, and NetAtmo's rotating"
                        + " refresh tokens will be lost on restart; give this user write access", config.tokenFile());
            }
        }

        OkHttpClient http = httpClient(config.apiUrl());
        OkHttpTokenClient tokenClient = OkHttpTokenClient.builder().httpClient(http).clientId(config.clientId())
                .clientSecret(config.clientSecret()).baseUrl(config.apiUrl()).clock(clock).build();
        // The metrics exist before the source: its first refresh, at build time, is counted too.
        AtomicReference<RefreshingTokenSource> tokensRef = new AtomicReference<>();
        UnaryOperator<String> redactor = redact;
        AtomicReference<DataPoller> pollerRef = new AtomicReference<>();
        ExporterMetrics metrics = ExporterMetrics.withJvmMetrics(() -> pollerRef.get().snapshot(),
                () -> tokensRef.get().status(), config.refreshInterval(), config.ageStale(), clock, shared != null);
        RefreshingTokenSource tokens;
        try {
            tokens = RefreshingTokenSource.builder().store(store).client(tokenClient).clock(clock)
                    // A test's clock that also counts elapsed time moves the source's backoff and schedule with it.
                    .ticker(clock instanceof Ticker ticker ? ticker : Ticker.systemTicker())
                    .listener(new TokenListener() {
                        @Override
                        public void refreshed(Token token) {
                            metrics.tokenRefresh("success");
                        }

                        @Override
                        public void adopted(Token token) {
                            metrics.tokenAdopted();
                        }

                        @Override
                        public void refreshFailed(IOException error, Instant nextAttempt) {
                            metrics.tokenRefresh("transient_error");
                        }

                        @Override
                        public void reauthorizationRequired(ReauthorizationRequiredException error) {
                            metrics.tokenRefresh("reauthorization_required");
                            log.error("Open {}/ and authorize again: {}", external,
                                    redactor.apply(error.getMessage()));
                        }
                    })
                    .build();
        } catch (TokenFileException e) {
            throw new StartupException(e.getMessage() + "; it is left untouched: fix it, or move it away to"
                    + " authorize again", e);
        } catch (IOException e) {
            throw new StartupException("Cannot load the token from " + describe(config) + ": "
                    + redact.apply(e.getMessage()), e);
        }
        opened.add(tokens);
        tokensRef.set(tokens);

        OkHttpClient dataHttp = http.newBuilder().addInterceptor(new NetatmoAuthInterceptor(tokens)).build();
        DataPoller poller = new DataPoller(new NetatmoApi(dataHttp, config.apiUrl(), metrics),
                config.homeCoach() || config.demo(),
                config.refreshInterval(), clock);
        pollerRef.set(poller);
        opened.add(poller);

        boolean homeCoach = config.homeCoach() || config.demo();
        List<String> scopes = homeCoach ? List.of("read_station", "read_homecoach") : List.of("read_station");
        Hmac hmac = new Hmac(new SecureRandom());
        String cookiePath = external.getRawPath() == null || external.getRawPath().isEmpty() ? "/"
                : external.getRawPath() + "/";
        Csrf csrf = new Csrf(hmac, cookiePath);
        AuthFlow auth = new AuthFlow(new AuthFlow.Settings(config.apiUrl(), config.clientId(), scopes, redirectUri,
                external, cookiePath), tokenClient, tokens, new AuthStates(hmac, clock), csrf, poller::refreshSoon);
        StatusPage status = new StatusPage(tokens::status, poller::snapshot, clock, new StatusPage.Setup(
                describe(config), redirectUri, config.apiUrl(), homeCoach, config.demo(),
                config.debugHandlers()), csrf, redact);
        HostCheck hosts = new HostCheck(hostNames(config, external));
        MetricsHandler metricsHandler = new MetricsHandler(metrics.registry());
        server.createContext("/", guard(hosts, status::handle));
        server.createContext("/status.js", guard(hosts, Assets.SCRIPT::handle));
        server.createContext("/style.css", guard(hosts, Assets.STYLE::handle));
        server.createContext("/metrics", guard(hosts, metricsHandler::handle));
        server.createContext("/version", guard(hosts, Version::handle));
        server.createContext("/auth/authorize", guard(hosts, auth::authorize));
        server.createContext("/auth/callback", guard(hosts, auth::callback));
        server.createContext("/auth/settoken", guard(hosts, auth::setToken));
        if (config.debugHandlers()) {
            DebugHandlers debug = new DebugHandlers(poller::snapshot, tokens::status,
                    config.tokenStore() == null ? null : config.tokenStore().kind(), redact);
            server.createContext("/debug/data", guard(hosts, debug::data));
            server.createContext("/debug/token", guard(hosts, debug::token));
        }
        if (demo != null) {
            demo.allowRedirect(redirectUri);
        }
        ExecutorService serverThreads = WebServer.threads(WebServer.MAX_THREADS);
        server.setExecutor(serverThreads);
        server.start();
        poller.start();
        log.info("NetAtmo exporter {} listening on {}: status page {}/, metrics {}/metrics (API {}, token {},"
                + " refresh every {})", Version.VERSION, addr(config, port), external, external, config.apiUrl(),
                shared != null ? describe(config) : store, GoDuration.format(config.refreshInterval()));
        if (config.refreshInterval().compareTo(Duration.ofMinutes(1)) < 0) {
            log.warn("--refresh-interval {} is short: NetAtmo stations upload about every 10 minutes, and NetAtmo"
                    + " limits each user to 500 requests an hour", GoDuration.format(config.refreshInterval()));
        }
        return new Exporter(server, serverThreads, tokens, shared, poller, demo, metrics, external);
    }

    private static SharedTokenStore openShared(Config config, SharedStores.Opener stores) throws StartupException {
        TokenStoreUrl url = config.tokenStore();
        try {
            return stores.open(url, config.tokenStoreKey());
        } catch (IOException | RuntimeException e) {
            throw new StartupException("Cannot open the token store " + url + ": " + url.redact(e.getMessage())
                    + "; check that " + url.kind().displayName + " runs there and that --token-store is right",
                    e instanceof IOException ? e : new IOException(url.redact(e.toString())));
        }
    }

    /**
     * With {@code --token-file} too: the file's token goes into the shared store only if the store holds none. The
     * file is not written after that; the store keeps the token.
     */
    private static void seed(SharedTokenStore shared, Config config, Clock clock) throws StartupException {
        TokenStoreUrl url = config.tokenStore();
        Path file = config.tokenFile();
        if (file == null) {
            log.info("Token store {} (key {}): no --token-file given to seed it", url, config.tokenStoreKey());
            return;
        }
        Token token;
        try {
            token = new FileTokenStore(file, clock).load().orElse(null);
        } catch (TokenFileException e) {
            throw new StartupException(e.getMessage() + "; it only seeds the token store, and is left untouched: fix"
                    + " it, or drop --token-file", e);
        } catch (IOException e) {
            throw new StartupException("Cannot read the token file " + file + " to seed the token store: "
                    + e.getMessage(), e);
        }
        if (token == null) {
            log.info("Token file {} holds no token: nothing to seed the token store {} (key {}) with", file, url,
                    config.tokenStoreKey());
            return;
        }
        boolean seeded;
        try {
            seeded = shared.saveIfAbsent(token);
        } catch (IOException | RuntimeException e) {
            throw new StartupException("Cannot seed the token store " + url + " from " + file + ": "
                    + url.redact(e.getMessage()) + "; check that " + url.kind().displayName + " runs there", e);
        }
        if (seeded) {
            log.info("Seeded the empty token store {} (key {}) with the token from {}; from now on the store keeps"
                    + " the token and the file is no longer written", url, config.tokenStoreKey(), file);
        } else {
            log.info("Token store {} (key {}) already holds a token: kept, and the token in {} is not used (a token"
                    + " file only seeds an empty store)", url, config.tokenStoreKey(), file);
        }
    }

    /** The port the server listens on. */
    int port() {
        return server.getAddress().getPort();
    }

    /** The URL browsers reach the exporter at. */
    URI url() {
        return url;
    }

    RefreshingTokenSource tokens() {
        return tokens;
    }

    ExporterMetrics metrics() {
        return metrics;
    }

    /** Completes when the first data refresh after start is done. */
    CompletableFuture<DataSnapshot> firstDataRefresh() {
        return poller.firstRefresh();
    }

    /** Refreshes the NetAtmo data now, after any refresh in progress. */
    CompletableFuture<DataSnapshot> refreshData() {
        return poller.refreshNow();
    }

    /** Stops the data refresh and the server, saves the current token, stops the demo API. */
    @Override
    public void close() {
        log.info("Shutting down");
        poller.close();
        server.stop(0);
        serverThreads.shutdownNow();
        tokens.close();
        if (sharedStore != null) {
            sharedStore.close(); // after the source, which may still save its newest token into it
        }
        if (demo != null) {
            demo.close();
        }
        try {
            serverThreads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Every handler's wrapper: refuses requests that may come from a browser ({@link BrowserRequest#mayBeBrowser})
     * for host names that are not this exporter's (DNS rebinding), and answers 500 with a log line when a handler
     * fails. Request values are escaped in the log.
     */
    private static HttpHandler guard(HostCheck hosts, HttpHandler handler) {
        return exchange -> {
            try {
                String host = exchange.getRequestHeaders().getFirst("Host");
                if (BrowserRequest.mayBeBrowser(exchange) && !hosts.allows(host)) {
                    refuseHost(exchange, host);
                    return;
                }
                handler.handle(exchange);
            } catch (IOException | RuntimeException e) {
                log.warn("Failed to answer {} {}: {}", LogSafe.escape(exchange.getRequestMethod()),
                        LogSafe.escape(exchange.getRequestURI().getRawPath()), LogSafe.escape(e.toString()));
                try {
                    Reply.text(exchange, 500, "Internal error; see the exporter's log\n");
                } catch (IOException | RuntimeException ignored) {
                    exchange.close();
                }
            }
        };
    }

    private static void refuseHost(HttpExchange exchange, String host) throws IOException {
        long now = System.nanoTime();
        long next = nextHostWarning.get();
        if (now - next >= 0 && nextHostWarning.compareAndSet(next, now + TimeUnit.MINUTES.toNanos(1))) {
            log.warn("Refused a browser request for {} that names this exporter {}: not one of its names (DNS"
                    + " rebinding?); if it is, start the exporter with --external-url naming it. Further refusals"
                    + " are not logged for a minute", LogSafe.escape(exchange.getRequestURI().getRawPath()),
                    LogSafe.escape(host));
        }
        Reply.html(exchange, 403, "Refused: unknown host name", "<h1>Refused: unknown host name</h1><p id=\"problem\">"
                + "This exporter does not answer browsers that reach it as <code>" + Html.escape(host) + "</code>:"
                + " that is not one of its names, and a page on another site can make any name lead here (DNS"
                + " rebinding). Use its address or <code>localhost</code>, or, if this is its name, start it with"
                + " <code>--external-url http://" + Html.escape(host) + "</code>.</p>");
    }

    /**
     * The client for NetAtmo's API. For a plain-HTTP API ({@code --demo}, a local test double) it speaks cleartext
     * only: OkHttp then skips loading the platform's trust store and TLS classes at construction (about 350 classes
     * and 100 ms of a cold start), which an HTTPS API needs anyway at its first call. Such a client does not follow
     * a redirect to an https:// URL: without TLS, OkHttp would send that request in cleartext to the HTTPS port;
     * the redirect's answer (a 3xx) is the answer instead, and the exporter reports it.
     */
    static OkHttpClient httpClient(URI apiUrl) {
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(30))
                .callTimeout(Duration.ofSeconds(60));
        if ("http".equalsIgnoreCase(apiUrl.getScheme())) {
            b.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT)).followSslRedirects(false);
        }
        return b.build();
    }

    /** The URL browsers reach the exporter at, without a trailing slash: {@code --external-url} or Go's default. */
    static URI externalUrl(Config config, int port) {
        if (config.externalUrl() != null) {
            return URI.create(config.externalUrl().toString().replaceAll("/+$", ""));
        }
        // As the Go exporter: an empty host (all interfaces) gives http://127.0.0.1:<port>, any other host (0.0.0.0
        // too) http://<host>:<port>, which the NetAtmo apps registered for it name as their redirect URI. For "::" Go
        // writes http://:::<port>, which no app can have registered: 127.0.0.1 is a URL that works.
        return URI.create("http://" + (config.host() == null || config.host().equals("::") ? "127.0.0.1"
                : hostForUrl(config.host())) + ":" + port);
    }

    /** The host names browsers may use besides addresses and localhost: see {@link HostCheck}. */
    private static Set<String> hostNames(Config config, URI external) {
        Set<String> names = new HashSet<>();
        if (external.getHost() != null) {
            names.add(external.getHost());
        }
        if (config.host() != null) {
            names.add(config.host());
        }
        try {
            Path hostname = Path.of("/proc/sys/kernel/hostname");
            String name = Files.isReadable(hostname) ? Files.readString(hostname).trim() : "";
            if (!name.isEmpty()) {
                names.add(name);
                names.add(name + ".local");
            }
        } catch (IOException e) {
            log.debug("Cannot read this machine's host name: {}", e.toString());
        }
        return names;
    }

    /** Where the token is kept, in words, for the status page and the log; no password. */
    private static String describe(Config config) {
        if (config.tokenStore() != null) {
            return config.tokenStore().kind().displayName + " " + config.tokenStore() + " (key "
                    + config.tokenStoreKey() + "), shared with the other exporters on it";
        }
        return "token file " + config.tokenFile().toAbsolutePath();
    }

    private static String addr(Config config) {
        return addr(config, config.port());
    }

    private static String addr(Config config, int port) {
        return (config.host() == null ? "" : hostForUrl(config.host())) + ":" + port;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
