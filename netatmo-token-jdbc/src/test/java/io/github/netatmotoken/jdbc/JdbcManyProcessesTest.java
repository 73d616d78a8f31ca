package io.github.netatmotoken.jdbc;

import io.github.netatmotoken.core.ManyProcessesContract;
import io.github.netatmotoken.core.TokenStore;
import io.github.netatmotoken.jdbc.PostgresServer.TestDatabase;
import java.io.IOException;
import java.util.List;

/** Issue 12's many-process fault test on the test PostgreSQL: four processes, one row, lease holders killed. */
class JdbcManyProcessesTest extends ManyProcessesContract {
    private static final TestDatabase DB = PostgresServer.get().newDatabase(JdbcManyProcessesTest.class);

    @Override
    protected Class<?> workerMain() {
        return JdbcManyProcessesWorker.class;
    }

    @Override
    protected List<String> workerArgs() {
        return List.of(DB.jdbcUrl(), "many-processes");
    }

    @Override
    protected TokenStore personStore() throws IOException {
        return JdbcManyProcessesWorker.store(DB.jdbcUrl(), "many-processes", "person");
    }

    @Override
    protected boolean explainsLostChains() {
        return true;
    }
}
