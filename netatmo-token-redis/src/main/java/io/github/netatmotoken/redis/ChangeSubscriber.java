package io.github.netatmotoken.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Listens on the store's change channel on a connection of its own, in a daemon thread: every committed write
 * publishes its generation there, from inside its script. When the connection breaks, it connects again after a
 * backoff that doubles from {@code firstBackoff} to {@code maxBackoff}, and after each subscription asks the store
 * to check the generation once, for the messages it missed meanwhile; the store's polling covers the time between.
 *
 * <p>Thread-safe; {@link #close} returns within its bound even when Redis is unreachable, because it closes the
 * socket that the thread reads.
 */
final class ChangeSubscriber {
    private static final Logger log = LoggerFactory.getLogger(ChangeSubscriber.class);

    private final Supplier<Jedis> connect;
    private final String channel;
    private final String where;
    private final LongConsumer onGeneration;
    private final Runnable onSubscribed;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Thread thread;
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong subscriptions = new AtomicLong();

    /** Guarded by {@code this}. */
    private @Nullable Jedis connection;
    /** Guarded by {@code this}. */
    private boolean closed;
    private volatile boolean subscribed;
    private volatile @Nullable String problem;

    /**
     * @param connect opens a new connection (named, with its timeouts), or throws a {@link JedisException}
     * @param channel the change channel
     * @param where names the server in messages ("Redis at cache:6379"), never with a password
     * @param onGeneration gets the generation of each message
     * @param onSubscribed runs after each subscription: check the generation for messages missed before it
     */
    ChangeSubscriber(Supplier<Jedis> connect, String channel, String where, String threadName,
            LongConsumer onGeneration, Runnable onSubscribed, Duration firstBackoff, Duration maxBackoff) {
        this.connect = connect;
        this.channel = channel;
        this.where = where;
        this.onGeneration = onGeneration;
        this.onSubscribed = onSubscribed;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** {@return whether the subscription is up now} */
    boolean subscribed() {
        return subscribed;
    }

    /** {@return how many messages arrived so far, for tests} */
    long messages() {
        return messages.get();
    }

    /** {@return what is wrong with the subscription, or null while it works} */
    @Nullable String problem() {
        return problem;
    }

    /** Stops the thread: closes its connection and waits for it at most {@code bound}. */
    void close(Duration bound) {
        Jedis open;
        synchronized (this) {
            closed = true;
            open = connection;
            notifyAll();
        }
        if (open != null) {
            disconnect(open);
        }
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(bound.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long backoff = firstBackoff.toNanos();
        while (!isClosed()) {
            long before = subscriptions.get();
            try {
                Jedis jedis = connect.get();
                synchronized (this) {
                    if (closed) {
                        disconnect(jedis);
                        return;
                    }
                    connection = jedis;
                }
                jedis.subscribe(new Listener(), channel);
            } catch (RuntimeException e) { // a JedisException, or a bug: either way connect again, later
                if (isClosed()) {
                    return;
                }
                boolean wasSubscribed = subscribed;
                subscribed = false;
                String message = "the change notifications from " + where + " stopped (" + e.getMessage()
                        + "); the store polls meanwhile and connects again";
                problem = message;
                if (!(e instanceof JedisException)) {
                    log.warn("{}", message, e);
                } else if (wasSubscribed) {
                    log.warn("{}", message);
                } else {
                    log.debug("{}", message);
                }
            } finally {
                Jedis open;
                synchronized (this) {
                    open = connection;
                    connection = null;
                }
                if (open != null) {
                    disconnect(open);
                }
            }
            if (subscriptions.get() > before) {
                backoff = firstBackoff.toNanos(); // it worked until now: the first retry comes soon
            }
            pause(backoff);
            backoff = Math.min(backoff * 2, maxBackoff.toNanos());
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private synchronized void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; !closed && left > 0; left = deadline - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void disconnect(Jedis jedis) {
        try {
            jedis.disconnect();
        } catch (RuntimeException e) {
            // a broken connection may fail to flush; its socket is closed all the same
        }
    }

    private final class Listener extends JedisPubSub {
        @Override
        public void onSubscribe(String name, int count) {
            subscribed = true;
            problem = null;
            if (subscriptions.getAndIncrement() > 0) {
                log.info("the change notifications from {} work again", where);
            }
            onSubscribed.run();
        }

        @Override
        public void onMessage(String name, String message) {
            messages.incrementAndGet();
            long generation;
            try {
                generation = Long.parseLong(message);
            } catch (NumberFormatException e) {
                log.debug("ignoring a message on {} that is not a generation", channel);
                return;
            }
            onGeneration.accept(generation);
        }
    }
}
