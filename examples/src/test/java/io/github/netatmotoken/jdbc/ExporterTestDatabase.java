package io.github.netatmotoken.jdbc;

/**
 * The jdbc module's test fixture {@link PostgresServer} (package-private, from its test jar) for the exporter's
 * tests: this class sits in the fixture's package on the test class path.
 */
public final class ExporterTestDatabase {
    private ExporterTestDatabase() {
    }

    /**
     * A new, empty database on the test JVM's PostgreSQL (embedded, or the one {@code NETATMO_TEST_JDBC_URL} names).
     *
     * @return its JDBC URL, with the server's user (and password, if it has one)
     */
    public static String newDatabaseUrl(Class<?> testClass) {
        return PostgresServer.get().newDatabase(testClass).jdbcUrl();
    }
}
