package io.github.netatmotoken.jdbc;

import io.github.netatmotoken.core.ManyProcessesWorker;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;

/**
 * A child of {@link JdbcManyProcessesTest}: {@code <jdbc url> <key> <worker arguments>}. It names no class that
 * starts a PostgreSQL of its own (such as the test's {@link PostgresServer}).
 */
public final class JdbcManyProcessesWorker {
    private JdbcManyProcessesWorker() {
    }

    public static void main(String[] args) throws Exception {
        ManyProcessesWorker.run(Arrays.copyOfRange(args, 2, args.length), holder -> store(args[0], args[1], holder));
    }

    /** The store of every process: a lease that a killed holder keeps for 1 s, a poll each second. */
    static JdbcTokenStore store(String url, String key, String holder) throws IOException {
        return JdbcTokenStore.builder().url(url).key(key).holderName(holder).leaseTtl(Duration.ofSeconds(1))
                .pollInterval(Duration.ofSeconds(1)).build();
    }
}
