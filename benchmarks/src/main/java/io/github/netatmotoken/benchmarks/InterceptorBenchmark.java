package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import io.github.netatmotoken.okhttp.NetatmoAuthInterceptor;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
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

/**
 * Benchmark 2 without the network: a whole OkHttp call through {@link NetatmoAuthInterceptor}, or through a
 * trivial interceptor that adds a constant header, answered in process by a last interceptor. The difference is the
 * interceptor's own cost in nanoseconds and bytes, which the loopback GETs of {@link InterceptorOverhead} bury in
 * the noise of a 150 µs round trip.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class InterceptorBenchmark {
    private static final MediaType JSON = MediaType.get("application/json");

    private RefreshingTokenSource tokens;
    private OkHttpClient trivial;
    private OkHttpClient netatmo;
    private Request request;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        TokenStore store = TokenStore.inMemory();
        store.save(new Token("access-token", "refresh-token", Instant.now().plus(Duration.ofDays(365))));
        tokens = RefreshingTokenSource.builder()
                .store(store)
                .client(new UnreachableTokenClient())
                .build();
        Interceptor answer = chain -> {
            if (!"Bearer access-token".equals(chain.request().header("Authorization"))) {
                throw new IllegalStateException("no bearer token on " + chain.request());
            }
            return new Response.Builder()
                    .request(chain.request())
                    .protocol(Protocol.HTTP_1_1)
                    .code(200)
                    .message("OK")
                    .body(ResponseBody.create("{\"status\":\"ok\"}", JSON))
                    .build();
        };
        OkHttpClient base = new OkHttpClient.Builder().build();
        trivial = base.newBuilder()
                .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                        .header("Authorization", "Bearer access-token").build()))
                .addInterceptor(answer)
                .build();
        netatmo = base.newBuilder().addInterceptor(new NetatmoAuthInterceptor(tokens)).addInterceptor(answer).build();
        request = new Request.Builder().url("https://api.netatmo.com/api/getstationsdata").build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tokens.close();
    }

    @Benchmark
    public int trivialInterceptor() throws IOException {
        try (Response response = trivial.newCall(request).execute()) {
            return response.code();
        }
    }

    @Benchmark
    public int netatmoAuthInterceptor() throws IOException {
        try (Response response = netatmo.newCall(request).execute()) {
            return response.code();
        }
    }
}
