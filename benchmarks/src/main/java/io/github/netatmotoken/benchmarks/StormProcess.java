package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.NetatmoOAuthClient;
import io.github.netatmotoken.core.RefreshingTokenSource;
import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenListener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM of {@link SharedStoreStorm}: one replica with a shared store of its own. For each command
 * {@code round <r> <startNanos>} it builds a new {@link RefreshingTokenSource} (which loads the near-expired token
 * the parent stored), answers {@code built <r>}, sleeps until {@code startNanos}, calls {@code token()} and answers
 * {@code done <r> <nanoTime> <access token> <refreshes by this replica>} after closing the source. The store's URL
 * comes in the environment variable {@value AdoptionObserver#URL_VARIABLE}; it quits when stdin closes.
 */
public final class StormProcess {
    private StormProcess() {
    }

    public static void main(String[] args) throws Exception {
        Arguments a = new Arguments(args);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        NetatmoOAuthClient client = NetatmoOAuthClient.builder().clientId("benchmark").clientSecret("benchmark-secret")
                .baseUrl(URI.create(a.text("--base-url", "http://127.0.0.1:1"))).build();
        try (SharedTokenStore store = StoreServer.open(a.text("--engine", StoreServer.JDBC),
                System.getenv(AdoptionObserver.URL_VARIABLE), a.text("--key", "storm"), true,
                Duration.ofSeconds(5))) {
            store.load();
            out.println("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] command = line.split(" ");
                if (!command[0].equals("round")) {
                    continue;
                }
                AtomicInteger refreshes = new AtomicInteger();
                long finished;
                String access;
                try (RefreshingTokenSource source = RefreshingTokenSource.builder()
                        .store(store)
                        .client(client)
                        .backgroundRefresh(false)
                        .refreshTimeout(Duration.ofSeconds(10))
                        .listener(new TokenListener() {
                            @Override
                            public void refreshed(Token token) {
                                refreshes.incrementAndGet();
                            }
                        })
                        .build()) {
                    out.println("built " + command[1]);
                    long start = Long.parseLong(command[2]);
                    for (long left = start - System.nanoTime(); left > 0; left = start - System.nanoTime()) {
                        LockSupport.parkNanos(left);
                    }
                    access = source.token().accessToken();
                    finished = System.nanoTime();
                }
                out.println("done " + command[1] + " " + finished + " " + access + " " + refreshes.get());
            }
        }
    }
}
