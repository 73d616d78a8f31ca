package io.github.netatmotoken.jdbc;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.SharedTokenStoreContract;
import io.github.netatmotoken.jdbc.PostgresServer.TestDatabase;
import java.time.Duration;

/** The contract of every shared store, on a real PostgreSQL: each "process" is a store with its own holder name. */
class JdbcTokenStoreContractTest extends SharedTokenStoreContract {
    private static final TestDatabase DB = PostgresServer.get().newDatabase(JdbcTokenStoreContractTest.class);

    @Override
    protected SharedTokenStore open(String key, Duration leaseTtl) throws Exception {
        return JdbcTokenStore.builder().dataSource(DB.dataSource()).key(key).leaseTtl(leaseTtl)
                .pollInterval(Duration.ofMillis(500)).build();
    }

    @Override
    protected void crash(SharedTokenStore store) {
        ((JdbcTokenStore) store).crash();
    }
}
