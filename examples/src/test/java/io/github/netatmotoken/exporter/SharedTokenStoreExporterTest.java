package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.CapturedLogs;
import io.github.netatmotoken.core.FakeClock;
import io.github.netatmotoken.core.InMemorySharedTokenStore;
import io.github.netatmotoken.core.RefreshingTokenSource.State;
import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter in-process with {@code --token-store}, on the in-memory reference store instead of PostgreSQL or
 * Redis: the seeding rule, the metrics, the status page, no password anywhere, the order of shutdown.
 */
class SharedTokenStoreExporterTest {
    private static final String PASSWORD = "pg-pa55word-q4";
    private static final String URL = "jdbc:postgresql://db.example.org:5432/netatmo?user=exporter&password="
            + PASSWORD;

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private final InMemorySharedTokenStore.Backend backend = new InMemorySharedTokenStore.Backend();
    private final List<Exporter> exporters = new ArrayList<>();
    private final List<String> pages = new ArrayList<>();
    private final List<String> closeOrder = new ArrayList<>();
    private FakeNetatmo netatmo;
    private Path tokenFile;
    private int logMark;

    @BeforeEach
    void startNetatmo() throws Exception {
        netatmo = new FakeNetatmo();
        netatmo.serve("getstationsdata", FakeNetatmo.STATIONS.formatted(clock.instant().getEpochSecond() - 300));
        tokenFile = dir.resolve("token.json");
        logMark = CapturedLogs.mark();
    }

    @AfterEach
    void stop() {
        exporters.forEach(Exporter::close);
        netatmo.close();
    }

    private Config config(boolean withTokenFile) {
        return new Config("127.0.0.1", 0, null, withTokenFile ? tokenFile : null, true, "info", Duration.ofHours(1),
                Duration.ofHours(2), FakeNetatmo.CLIENT_ID, FakeNetatmo.CLIENT_SECRET, netatmo.url(), false, false,
                TokenStoreUrl.parse(URL), FakeNetatmo.CLIENT_ID);
    }

    /** An exporter on its own store of the shared backend, as a replica on another host would have. */
    private Exporter start(boolean withTokenFile, InMemorySharedTokenStore store) throws Exception {
        AtomicReference<Exporter> self = new AtomicReference<>();
        SharedTokenStore recording = new ClosingRecorder(store, () -> closeOrder.add("store closed, source "
                + self.get().tokens().status().state()));
        Exporter exporter = Exporter.start(config(withTokenFile), clock, (url, key) -> {
            assertEquals(URL, url.url(), "the opener gets the URL with its password");
            assertEquals(FakeNetatmo.CLIENT_ID, key);
            return recording;
        });
        self.set(exporter);
        exporters.add(exporter);
        exporter.firstDataRefresh().get(20, TimeUnit.SECONDS);
        return exporter;
    }

    private InMemorySharedTokenStore newStore(String holder) {
        return new InMemorySharedTokenStore(backend, holder, Duration.ofSeconds(15));
    }

    private String page(Exporter exporter, String path) {
        String body = new Browser(exporter.port()).get(path).body();
        pages.add(body);
        return body;
    }

    private List<String> logs() {
        return CapturedLogs.since(logMark).stream().map(CapturedLogs.Line::fullText).toList();
    }

    private void writeTokenFile(String access, String refresh) throws IOException {
        Files.writeString(tokenFile, "{\"access_token\":\"" + access + "\",\"refresh_token\":\"" + refresh
                + "\",\"expiry\":\"" + clock.instant().plus(Duration.ofHours(3)) + "\"}");
    }

    @Test
    void aTokenFileSeedsAnEmptyStoreAndTheLogSaysSo() throws Exception {
        netatmo.honour("file-access-a1", "file-refresh-r1");
        writeTokenFile("file-access-a1", "file-refresh-r1");

        Exporter exporter = start(true, newStore("a"));

        assertEquals("file-refresh-r1", backend.token().refreshToken());
        assertEquals(State.VALID, exporter.tokens().status().state());
        assertTrue(logs().stream().anyMatch(l -> l.contains("Seeded the empty token store")
                && l.contains("password=***") && l.contains(tokenFile.toString())), () -> String.join("\n", logs()));
    }

    @Test
    void aTokenFileNeverOverwritesAStoreThatHoldsAToken() throws Exception {
        netatmo.honour("store-access-a2", "store-refresh-r2");
        InMemorySharedTokenStore store = newStore("a");
        store.save(new Token("store-access-a2", "store-refresh-r2", clock.instant().plus(Duration.ofHours(3))));
        writeTokenFile("stale-access-a0", "stale-refresh-r0");
        String fileBefore = Files.readString(tokenFile);

        start(true, store);

        assertEquals("store-refresh-r2", backend.token().refreshToken());
        assertEquals(fileBefore, Files.readString(tokenFile), "the file is left as it was");
        assertTrue(logs().stream().anyMatch(l -> l.contains("already holds a token: kept")),
                () -> String.join("\n", logs()));
    }

    @Test
    void withoutATokenFileTheStoreIsUsedAsItIs() throws Exception {
        Exporter exporter = start(false, newStore("a"));

        assertEquals(State.NOT_AUTHENTICATED, exporter.tokens().status().state());
        assertNull(backend.token());
        assertTrue(logs().stream().anyMatch(l -> l.contains("no --token-file given to seed it")));
    }

    @Test
    void theStoreUpGaugeFollowsTheStoresProblem() throws Exception {
        netatmo.honour("store-access-a3", "store-refresh-r3");
        InMemorySharedTokenStore store = newStore("a");
        store.save(new Token("store-access-a3", "store-refresh-r3", clock.instant().plus(Duration.ofHours(3))));
        Exporter exporter = start(false, store);
        assertTrue(page(exporter, "/metrics").contains("netatmo_exporter_token_store_up 1.0"));

        store.down(true);
        assertThrows(IOException.class, store::load); // an operation that fails, as a poll would

        assertTrue(page(exporter, "/metrics").contains("netatmo_exporter_token_store_up 0.0"));
        String status = page(exporter, "/");
        assertTrue(status.contains("id=\"token-store-problem\" class=\"bad\">in-memory engine is down"), status);
        assertTrue(page(exporter, "/debug/token").contains("\"storeProblem\" : \"in-memory engine is down\""));

        store.down(false);
        store.load();
        assertTrue(page(exporter, "/metrics").contains("netatmo_exporter_token_store_up 1.0"));
        assertFalse(page(exporter, "/").contains("token-store-problem"));
    }

    @Test
    void theStatusPageNamesTheStoreWithoutItsPassword() throws Exception {
        Exporter exporter = start(false, newStore("a"));

        String status = page(exporter, "/");

        assertTrue(status.contains("<td id=\"token-store\">PostgreSQL jdbc:postgresql://db.example.org:5432/netatmo"
                + "?user=exporter&amp;password=*** (key " + FakeNetatmo.CLIENT_ID + ")"), status);
    }

    @Test
    void aRefreshCountsOnlyWhereItHappenedAndTheOtherReplicaCountsAnAdoption() throws Exception {
        netatmo.honour("expired-access-a4", "good-refresh-r4");
        InMemorySharedTokenStore storeA = newStore("a");
        storeA.save(new Token("expired-access-a4", "good-refresh-r4", clock.instant().minusSeconds(60)));
        Exporter a = start(false, storeA); // refreshes at once: the token has expired
        Exporter b = start(false, newStore("b")); // finds the refreshed token in the store

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String metricsB = page(b, "/metrics");
        while (!metricsB.contains("netatmo_exporter_token_adoptions_total 1.0") && System.nanoTime() < deadline) {
            b.tokens().token(); // the source adopts the store's token on its notification; this waits for it
            metricsB = page(b, "/metrics");
        }

        String metricsA = page(a, "/metrics");
        assertTrue(metricsA.contains("netatmo_exporter_token_refresh_total{result=\"success\"} 1.0"), metricsA);
        assertTrue(metricsB.contains("netatmo_exporter_token_refresh_total{result=\"success\"} 0.0"), metricsB);
        assertEquals(1, netatmo.requests().stream().filter(r -> r.getTarget().startsWith("/oauth2/token")).count());
    }

    @Test
    void theStoreIsClosedAfterTheTokenSource() throws Exception {
        Exporter exporter = start(false, newStore("a"));

        exporter.close();
        exporters.remove(exporter);

        assertEquals(List.of("store closed, source CLOSED"), closeOrder);
    }

    @Test
    void noLogLinePageOrDebugHandlerContainsTheStorePassword() throws Exception {
        netatmo.honour("file-access-a5", "file-refresh-r5");
        writeTokenFile("file-access-a5", "file-refresh-r5");
        InMemorySharedTokenStore store = newStore("a");
        Exporter exporter = start(true, store);
        store.down(true);
        assertThrows(IOException.class, store::load);
        for (String path : List.of("/", "/metrics", "/version", "/debug/token", "/debug/data")) {
            page(exporter, path);
        }
        exporter.close();
        exporters.remove(exporter);

        List<String> texts = new ArrayList<>(pages);
        texts.addAll(logs());
        texts.add(config(true).toString());
        assertTrue(texts.stream().anyMatch(t -> t.contains("password=***")), "the store is named somewhere");
        for (String text : texts) {
            assertFalse(text.contains(PASSWORD), () -> "found the store's password in: " + text);
        }
    }

    @Test
    void aStoreThatCannotBeReachedStopsTheStartWithoutThePassword() {
        StartupException e = assertThrows(StartupException.class, () -> Exporter.start(config(false), clock,
                (url, key) -> {
                    throw new IOException("connection to " + url.url() + " refused");
                }));

        assertTrue(e.getMessage().startsWith("Cannot open the token store jdbc:postgresql://db.example.org:5432/"
                + "netatmo?user=exporter&password=***: connection to jdbc:postgresql:"), e.getMessage());
        assertTrue(e.getMessage().endsWith("check that PostgreSQL runs there and that --token-store is right"));
        assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    }

    /** A store that records when it is closed. */
    private static final class ClosingRecorder implements SharedTokenStore {
        private final SharedTokenStore store;
        private final Runnable onClose;

        ClosingRecorder(SharedTokenStore store, Runnable onClose) {
            this.store = store;
            this.onClose = onClose;
        }

        @Override
        public Optional<Token> load() throws IOException {
            return store.load();
        }

        @Override
        public void save(Token token) throws IOException {
            store.save(token);
        }

        @Override
        public TokenStore.Lock lock(Duration timeout) throws IOException {
            return store.lock(timeout);
        }

        @Override
        public TokenStore.Lock lock() throws IOException {
            return store.lock();
        }

        @Override
        public boolean saveRefreshed(Token spent, Token fresh) throws IOException {
            return store.saveRefreshed(spent, fresh);
        }

        @Override
        public boolean saveIfAbsent(Token token) throws IOException {
            return store.saveIfAbsent(token);
        }

        @Override
        public void refreshing(Token spent) throws IOException {
            store.refreshing(spent);
        }

        @Override
        public Optional<Token> awaitNewer(Token spent, Duration timeout) throws IOException {
            return store.awaitNewer(spent, timeout);
        }

        @Override
        public Optional<String> lossExplanation(Token spent) {
            return store.lossExplanation(spent);
        }

        @Override
        public Subscription subscribe(Runnable onChange) {
            return store.subscribe(onChange);
        }

        @Override
        public Optional<String> problem() {
            return store.problem();
        }

        @Override
        public void close() {
            onClose.run();
            store.close();
        }
    }
}
