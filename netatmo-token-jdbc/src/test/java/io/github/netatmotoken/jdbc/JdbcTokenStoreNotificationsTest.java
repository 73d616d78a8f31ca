package io.github.netatmotoken.jdbc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.jdbc.PostgresServer.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code notifications(boolean)}: with {@code LISTEN/NOTIFY} by default, by polling alone when it is off. */
class JdbcTokenStoreNotificationsTest {
    private static final TestDatabase DB = PostgresServer.get().newDatabase(JdbcTokenStoreNotificationsTest.class);
    private static final Token FIRST = new Token("access-1", "refresh-1", Instant.parse("2026-12-02T10:00:00Z"));
    private static final Token SECOND = new Token("access-2", "refresh-2", Instant.parse("2026-12-02T13:00:00Z"));

    private static JdbcTokenStore.Builder store(String key) {
        return JdbcTokenStore.builder().dataSource(DB.dataSource()).key(key).pollInterval(Duration.ofMillis(200));
    }

    @Test
    void byDefaultTheListenerReceivesNotifications() throws Exception {
        try (JdbcTokenStore writer = store("default").build(); JdbcTokenStore reader = store("default").build()) {
            Semaphore heard = new Semaphore(0);
            try (SharedTokenStore.Subscription s = reader.subscribe(heard::release)) {
                writer.save(FIRST);
                assertTrue(heard.tryAcquire(5, TimeUnit.SECONDS), "the change did not arrive");
                ChangeListener listener = reader.listener();
                assertNotNull(listener);
                assertTrue(listener.notificationsSupported(), "the listener did not LISTEN");
            }
        }
    }

    @Test
    void withNotificationsOffAChangeArrivesByPollingAlone() throws Exception {
        try (JdbcTokenStore writer = store("polling").build();
                JdbcTokenStore reader = store("polling").notifications(false).build()) {
            Semaphore heard = new Semaphore(0);
            try (SharedTokenStore.Subscription s = reader.subscribe(heard::release)) {
                writer.save(FIRST);
                assertTrue(heard.tryAcquire(5, TimeUnit.SECONDS), "polling did not see the first write");
                writer.save(SECOND);
                assertTrue(heard.tryAcquire(5, TimeUnit.SECONDS), "polling did not see the second write");
                ChangeListener listener = reader.listener();
                assertNotNull(listener);
                assertFalse(listener.notificationsSupported(), "the listener used LISTEN although told not to");
            }
        }
    }
}
