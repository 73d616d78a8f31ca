package io.github.netatmotoken.benchmarks;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.OAuth2Credentials;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.utils.cache.CachedSupplier;
import software.amazon.awssdk.utils.cache.RefreshResult;

/**
 * Benchmark 1, the hot path: getting a fresh token, which happens on every API call.
 *
 * <p>{@link #netatmoToken()} is {@link RefreshingTokenSource#token()}; the floors are the least any cached token
 * can cost (a volatile read of an immutable token plus a clock read and a compare), and the alternatives are what a
 * user would otherwise pick: google-auth-library's {@code OAuth2Credentials} and the AWS SDK's
 * {@code CachedSupplier}, each holding a value that expires in a year. Every contender reads shared state that
 * nobody writes, so running it on 2 threads shows whether it scales or contends.
 *
 * <p>Run it through {@code benchmarks/run.sh}, which adds {@code -prof gc} for the allocation per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class HotPathBenchmark {
    private static final Duration YEAR = Duration.ofDays(365);

    /** What the floors read: a token with its deadline precomputed in each unit, like the source's snapshot. */
    static final class Fresh {
        final String accessToken;
        final Instant freshUntil;
        final long freshUntilMillis;
        final long freshUntilNanos;

        Fresh(String accessToken, Instant freshUntil, long freshUntilNanos) {
            this.accessToken = accessToken;
            this.freshUntil = freshUntil;
            this.freshUntilMillis = freshUntil.toEpochMilli();
            this.freshUntilNanos = freshUntilNanos;
        }
    }

    private volatile Fresh fresh;
    // Not final and not static, like the source's injected clock, so that the JIT cannot fold it away.
    private Clock clock;
    private RefreshingTokenSource source;
    private OAuth2Credentials google;
    private CachedSupplier<String> aws;
    private URI uri;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        clock = Clock.systemUTC();
        Instant expiry = clock.instant().plus(YEAR);
        fresh = new Fresh("access-token", expiry, System.nanoTime() + YEAR.toNanos());

        TokenStore store = TokenStore.inMemory();
        store.save(new Token("access-token", "refresh-token", expiry));
        source = RefreshingTokenSource.builder()
                .store(store)
                .client(new UnreachableTokenClient())
                .build();
        google = OAuth2Credentials.create(new AccessToken("access-token", Date.from(expiry)));
        aws = CachedSupplier.builder(() -> RefreshResult.builder("access-token")
                        .staleTime(expiry)
                        .prefetchTime(expiry.minus(Duration.ofMinutes(5)))
                        .build())
                .cachedValueName("benchmark-token")
                .build();
        uri = URI.create("https://api.netatmo.com/api/getstationsdata");

        // Fail at setup, not silently in the numbers, if any contender would take its slow path.
        if (!"access-token".equals(netatmoToken().accessToken()) || !"access-token".equals(awsCachedSupplier())
                || !googleAuth().containsKey("Authorization") || floorAInstant() == null
                || floorAMillis() == null || floorBNanoTime() == null) {
            throw new IllegalStateException("a contender did not return its fresh token");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        source.close();
        aws.close();
    }

    /** Not a floor but a ceiling of what skipping the clock could gain: the volatile read alone. */
    @Benchmark
    public String volatileReadOnly() {
        return fresh.accessToken;
    }

    /** Floor A: volatile read, {@code Clock.systemUTC().instant()} and a compare. */
    @Benchmark
    public String floorAInstant() {
        Fresh f = fresh;
        return clock.instant().isBefore(f.freshUntil) ? f.accessToken : null;
    }

    /** Floor A in milliseconds, the exact shape of {@code RefreshingTokenSource.token()}. */
    @Benchmark
    public String floorAMillis() {
        Fresh f = fresh;
        return clock.millis() < f.freshUntilMillis ? f.accessToken : null;
    }

    /** Floor B: volatile read, {@code System.nanoTime()} and a compare. */
    @Benchmark
    public String floorBNanoTime() {
        Fresh f = fresh;
        return System.nanoTime() - f.freshUntilNanos < 0 ? f.accessToken : null;
    }

    @Benchmark
    public Token netatmoToken() throws IOException {
        return source.token();
    }

    @Benchmark
    public Map<String, List<String>> googleAuth() throws IOException {
        return google.getRequestMetadata(uri);
    }

    @Benchmark
    public String awsCachedSupplier() {
        return aws.get();
    }
}
