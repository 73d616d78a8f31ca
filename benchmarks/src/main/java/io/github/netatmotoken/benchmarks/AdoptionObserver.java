package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenListener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A child JVM of {@link AdoptionLatency}: a {@link RefreshingTokenSource} on a shared store of its own that answers
 * {@code adopted <sample> <nanoTime>} on stdout each time {@link TokenListener#adopted} fires, the sample being
 * the number in the access token {@code access-<sample>}. Prints {@code ready} once the source is built; quits when
 * stdin closes. The store's URL comes in the environment variable {@value #URL_VARIABLE}.
 */
public final class AdoptionObserver {
    static final String URL_VARIABLE = "NETATMO_BENCH_STORE_URL";

    private AdoptionObserver() {
    }

    public static void main(String[] args) throws Exception {
        Arguments a = new Arguments(args);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (SharedTokenStore store = StoreServer.open(a.text("--engine", StoreServer.JDBC),
                System.getenv(URL_VARIABLE), a.text("--key", "adoption"),
                Boolean.parseBoolean(a.text("--notifications", "true")),
                Duration.ofMillis(a.integer("--poll-ms", 5_000)));
                RefreshingTokenSource source = RefreshingTokenSource.builder()
                        .store(store)
                        .client(new UnreachableTokenClient())
                        .listener(new TokenListener() {
                            @Override
                            public void adopted(Token token) {
                                long now = System.nanoTime();
                                String access = token.accessToken();
                                out.println("adopted " + access.substring(access.indexOf('-') + 1) + " " + now);
                            }
                        })
                        .build()) {
            source.token();
            out.println("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // Nothing to do: the samples arrive through the store.
            }
        }
    }
}
