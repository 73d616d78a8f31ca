package io.github.netatmotoken.core;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A child JVM for {@link SharedTokenFileTest}: forces {@code count} refreshes on a token file that another process
 * uses at the same time. Prints one line per refresh and exits 0, or prints the failure and exits 1.
 */
public final class SharedTokenFileWorker {
    private SharedTokenFileWorker() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        URI baseUrl = URI.create(args[1]);
        int count = Integer.parseInt(args[2]);
        NetatmoOAuthClient client = NetatmoOAuthClient.builder().clientId("shared-client")
                .clientSecret("shared-secret").baseUrl(baseUrl).build();
        // Each token "works for a while" before it is rejected: the ticker moves two minutes per round, so that
        // the source renews every rejected token at once instead of backing off as for rejections at first use.
        AtomicLong elapsed = new AtomicLong();
        try (RefreshingTokenSource source = RefreshingTokenSource.builder().store(new FileTokenStore(file))
                .client(client).ticker(() -> System.nanoTime() + elapsed.get()).build()) {
            for (int i = 0; i < count; i++) {
                elapsed.addAndGet(Duration.ofMinutes(2).toNanos());
                Token used = source.token();
                source.invalidate(used);
                Token next = source.token();
                if (next.accessToken().equals(used.accessToken())) {
                    throw new IllegalStateException("refresh " + i + " returned the rejected token");
                }
                System.out.println("refreshed " + i);
            }
        } catch (Exception e) {
            System.out.println("FAILED " + e);
            System.exit(1);
        }
    }
}
