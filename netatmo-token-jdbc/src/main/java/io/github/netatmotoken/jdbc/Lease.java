package io.github.netatmotoken.jdbc;

import io.github.netatmotoken.core.TokenStore;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A held lease of one key: renewed every third of its time to live on the store's scheduler, so that its deadline
 * (on the database's clock) stays ahead while the process lives; released by {@link #close()}. A renewal that fails
 * is tried again at the next turn, since the lease is only lost when its deadline passes; a renewal that finds
 * another holder stops, because the lease ran out and was taken. Thread-safe; closing twice does nothing.
 */
final class Lease implements TokenStore.Lock {
    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

    /** What a lease needs of its store. */
    interface Owner {
        Connection connect() throws SQLException;

        /** A renewal or release failed: {@code description} is redacted already. */
        void failed(String description);

        void worked();

        /** The lease is no longer held: closed, or found taken. */
        void ended(Lease lease);
    }

    private final TokenTable table;
    private final Database database;
    private final String key;
    private final String holder;
    private final Duration ttl;
    private final Owner owner;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final ScheduledFuture<?> renewal;

    Lease(TokenTable table, Database database, String key, String holder, Duration ttl, Owner owner,
            ScheduledExecutorService scheduler) {
        this.table = table;
        this.database = database;
        this.key = key;
        this.holder = holder;
        this.ttl = ttl;
        this.owner = owner;
        long every = Math.max(1, ttl.toMillis() / 3);
        this.renewal = scheduler.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    private void renew() {
        try (Connection c = owner.connect()) {
            if (table.renewLease(c, key, holder, ttl)) {
                owner.worked();
            } else {
                LOG.warn("The lease of key {} in table {} ran out and another process took it; {} stops renewing it",
                        key, table, holder);
                stop();
            }
        } catch (SQLException e) {
            String problem = database.describe("cannot renew the lease of key " + key, e);
            LOG.warn("{}; trying again in {} ms", problem, Math.max(1, ttl.toMillis() / 3));
            owner.failed(problem);
        }
    }

    /** Stops renewing without releasing: what a crash leaves behind. */
    void stop() {
        renewal.cancel(false);
        if (ended.compareAndSet(false, true)) {
            owner.ended(this);
        }
    }

    /** Releases the lease, so that a waiting process gets it at once instead of after its deadline. */
    @Override
    public void close() throws IOException {
        renewal.cancel(false);
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try (Connection c = owner.connect()) {
            table.releaseLease(c, key, holder);
            owner.worked();
        } catch (SQLException e) {
            String problem = database.describe("cannot release the lease of key " + key
                    + " (it runs out by itself within " + ttl.toMillis() + " ms)", e);
            owner.failed(problem);
            throw database.failure("cannot release the lease of key " + key + " (it runs out by itself within "
                    + ttl.toMillis() + " ms)", e);
        } finally {
            owner.ended(this);
        }
    }

    @Override
    public String toString() {
        return "Lease[" + key + " held by " + holder + "]";
    }
}
