package io.github.netatmotoken.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread and one dedicated connection that learn of new generations of a key: {@code LISTEN} on the table's
 * channel, and a read of the generation every poll interval, which also finds the writes whose notification was
 * lost (a broken connection, a server restart) and proves that the connection still works.
 *
 * <p>Notifications are read with PgJDBC's {@code PGConnection.getNotifications(int)}, found by reflection through
 * {@link Connection#unwrap}: this module does not require the driver, the application brings it. With another
 * driver, or a pool that hides it, or with notifications turned off, the listener only polls. A broken connection is replaced after a backoff (100 ms,
 * doubling, at most the poll interval); meanwhile {@code problem} hears of the failure, and of the recovery.
 *
 * <p>It reports every generation it sees to {@code onGeneration}, which decides whether that is news.
 * Thread-safe; {@link #close()} returns within about a second.
 */
final class ChangeListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

    /** Where the listener tells how its connection fares. */
    interface Health {
        /** The listener failed: {@code description} is redacted already. */
        void failed(String description);

        /** The listener works (again). */
        void working();
    }

    private final Database database;
    private final TokenTable table;
    private final String key;
    private final String applicationName;
    private final Duration pollInterval;
    private final boolean notificationsWanted;
    private final LongConsumer onGeneration;
    private final Health health;
    private final Thread thread;
    private final Object lock = new Object();
    /** Guarded by {@code lock}. */
    private @Nullable Connection connection;
    private volatile boolean closed;
    private volatile boolean notificationsSupported;

    ChangeListener(Database database, TokenTable table, String key, String applicationName, Duration pollInterval,
            boolean notificationsWanted, LongConsumer onGeneration, Health health) {
        this.database = database;
        this.table = table;
        this.key = key;
        this.applicationName = applicationName;
        this.pollInterval = pollInterval;
        this.notificationsWanted = notificationsWanted;
        this.onGeneration = onGeneration;
        this.health = health;
        this.thread = new Thread(this::run, "netatmo-token-jdbc-listener");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** {@return the application_name of the listener's connection, to find it in pg_stat_activity} */
    String applicationName() {
        return applicationName;
    }

    /** {@return whether the current connection receives notifications (PgJDBC), not only polls} */
    boolean notificationsSupported() {
        return notificationsSupported;
    }

    private void run() {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!closed) {
            try (Connection c = database.connect()) {
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                    connection = c;
                }
                @Nullable Notifications notifications = listen(c);
                notificationsSupported = notifications != null;
                backoff = FIRST_BACKOFF_MILLIS;
                health.working();
                while (!closed) {
                    onGeneration.accept(table.generation(c, key));
                    if (notifications == null) {
                        sleep(pollInterval.toMillis());
                    } else {
                        notifications.await(pollInterval).forEach(this::heard);
                    }
                }
            } catch (SQLException e) {
                if (closed) {
                    return;
                }
                String problem = database.describe("the change listener lost its connection; reconnecting in "
                        + backoff + " ms", e);
                LOG.warn("{}", problem);
                health.failed(problem);
            } catch (InterruptedException e) {
                return;
            } finally {
                synchronized (lock) {
                    connection = null;
                }
            }
            try {
                sleep(backoff + ThreadLocalRandom.current().nextLong(backoff / 4 + 1));
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, Math.max(FIRST_BACKOFF_MILLIS, pollInterval.toMillis()));
        }
    }

    private void heard(String payload) {
        int space = payload.indexOf(' ');
        if (space > 0 && payload.substring(space + 1).equals(key)) {
            try {
                onGeneration.accept(Long.parseLong(payload.substring(0, space)));
            } catch (NumberFormatException e) {
                LOG.debug("ignored a notification that is not of this library on channel {}", table.channel());
            }
        }
    }

    private @Nullable Notifications listen(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(Database.SOCKET_TIMEOUT_SECONDS);
            try (var set = c.prepareStatement("SELECT set_config('application_name', ?, false)")) {
                set.setString(1, applicationName);
                set.execute();
            }
            @Nullable Notifications notifications = notificationsWanted ? Notifications.of(c) : null;
            if (notifications != null) {
                s.execute("LISTEN \"" + table.channel() + "\"");
            }
            return notifications;
        }
    }

    private static void sleep(long millis) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(Math.max(1, millis));
    }

    /** Stops the thread and closes its connection, which also ends a wait for notifications. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        Connection c;
        synchronized (lock) {
            c = connection;
        }
        if (c != null) {
            Thread closer = new Thread(() -> closeQuietly(c), "netatmo-token-jdbc-listener-close");
            closer.setDaemon(true);
            closer.start();
        }
        try {
            thread.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // the connection is broken already
        }
    }

    /** PgJDBC's notifications of one connection, by reflection. */
    private static final class Notifications {
        private final Object pgConnection;
        private final Method getNotifications;
        private final Method getParameter;

        private Notifications(Object pgConnection, Method getNotifications, Method getParameter) {
            this.pgConnection = pgConnection;
            this.getNotifications = getNotifications;
            this.getParameter = getParameter;
        }

        /** {@return the notifications of {@code c}, or null if it is not a PgJDBC connection} */
        static @Nullable Notifications of(Connection c) {
            try {
                ClassLoader loader = c.getClass().getClassLoader();
                Class<?> type = Class.forName("org.postgresql.PGConnection", false, loader);
                if (!c.isWrapperFor(type)) {
                    return null;
                }
                Class<?> notification = Class.forName("org.postgresql.PGNotification", false, loader);
                return new Notifications(c.unwrap(type), type.getMethod("getNotifications", int.class),
                        notification.getMethod("getParameter"));
            } catch (ClassNotFoundException | NoSuchMethodException | SQLException | RuntimeException e) {
                LOG.debug("no PgJDBC connection ({}): the change listener polls only", e.toString());
                return null;
            }
        }

        /** Waits up to {@code timeout} for notifications; {@return their payloads} */
        List<String> await(Duration timeout) throws SQLException {
            Object[] received;
            try {
                received = (Object[]) getNotifications.invoke(pgConnection,
                        (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
                List<String> payloads = new ArrayList<>();
                for (Object n : received == null ? new Object[0] : received) {
                    Object payload = getParameter.invoke(n);
                    if (payload instanceof String text) {
                        payloads.add(text);
                    }
                }
                return payloads;
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof SQLException failure) {
                    throw failure;
                }
                throw new SQLException("reading notifications failed", e.getCause());
            } catch (IllegalAccessException e) {
                throw new SQLException("PgJDBC's getNotifications cannot be called", e);
            }
        }
    }
}
