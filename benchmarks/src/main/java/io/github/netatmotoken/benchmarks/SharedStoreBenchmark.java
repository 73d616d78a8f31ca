package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.FileTokenStore;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark 7c: {@link RefreshingTokenSource#token()} on a fresh token, on a {@code JdbcTokenStore} and on a
 * {@code RedisTokenStore} against the same on a {@link FileTokenStore}. The hot path reads the source's snapshot and
 * never the store, so the three should take the same time; the engines run all along (started in the trial's setup,
 * or named by {@code NETATMO_TEST_JDBC_URL} / {@code NETATMO_TEST_REDIS_URL}), with the store subscribed to their
 * notifications, as in production.
 *
 * <p>Run it through {@code benchmarks/run.sh shared}, which adds {@code -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class SharedStoreBenchmark {
    @Param({"file", StoreServer.JDBC, StoreServer.REDIS})
    public String store;

    private Path work;
    private StoreServer server;
    private TokenStore tokenStore;
    private RefreshingTokenSource source;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        work = Files.createTempDirectory("shared-store-benchmark-");
        Token token = new Token("access-token", "refresh-token", Instant.now().plus(Duration.ofDays(365)));
        if (store.equals("file")) {
            tokenStore = new FileTokenStore(work.resolve("token.json"));
            tokenStore.save(token);
        } else {
            server = StoreServer.start(store, work);
            SharedTokenStore shared = StoreServer.open(store, server.url(), "jmh-" + ProcessHandle.current().pid(),
                    true, Duration.ofSeconds(5));
            shared.save(token);
            tokenStore = shared;
        }
        source = RefreshingTokenSource.builder().store(tokenStore).client(new UnreachableTokenClient()).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        source.close();
        if (tokenStore instanceof SharedTokenStore shared) {
            shared.close();
        }
        if (server != null) {
            server.close();
        }
        try (var paths = Files.walk(work)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public Token token() throws Exception {
        return source.token();
    }
}
