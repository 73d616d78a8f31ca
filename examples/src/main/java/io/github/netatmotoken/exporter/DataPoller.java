package io.github.netatmotoken.exporter;

import io.github.netatmotoken.core.NotAuthenticatedException;
import io.github.netatmotoken.core.ReauthorizationRequiredException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes the cached NetAtmo readings in the background every refresh interval, and at once when asked (after
 * an authorization), one refresh at a time. A failed refresh keeps the old readings. Thread-safe.
 */
final class DataPoller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataPoller.class);

    private final NetatmoApi api;
    private final boolean homeCoach;
    private final Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final AtomicReference<DataSnapshot> current = new AtomicReference<>(DataSnapshot.EMPTY);
    private final CompletableFuture<DataSnapshot> first = new CompletableFuture<>();
    private volatile String lastLoggedError;

    DataPoller(NetatmoApi api, boolean homeCoach, Duration interval, Clock clock) {
        this.api = api;
        this.homeCoach = homeCoach;
        this.interval = interval;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netatmo-data-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts refreshing: once now, then every interval. The schedule's future is not kept: {@link #refresh()}
     * catches every exception, so the periodic task never ends with one that nobody sees.
     */
    @SuppressWarnings("FutureReturnValueIgnored")
    void start() {
        executor.scheduleWithFixedDelay(() -> {
            refresh();
            first.complete(current.get());
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Refreshes soon, on the refresh thread: after a new token, so that the status page fills at once. */
    void refreshSoon() {
        executor.execute(this::refresh);
    }

    /** Completes when the first refresh after {@link #start} is done. */
    CompletableFuture<DataSnapshot> firstRefresh() {
        return first;
    }

    /** The cached state; never blocks. */
    DataSnapshot snapshot() {
        return current.get();
    }

    /** Refreshes as soon as the refresh thread is free; completes with the new state. */
    CompletableFuture<DataSnapshot> refreshNow() {
        return CompletableFuture.supplyAsync(() -> {
            refresh();
            return current.get();
        }, executor);
    }

    private void refresh() {
        Instant started = clock.instant();
        try {
            byte[] stations = api.stationsData();
            List<ModuleReading> readings = new ArrayList<>(DataParser.parseStations(stations));
            byte[] coaches = null;
            IOException coachFailure = null;
            if (homeCoach) {
                try {
                    coaches = api.homeCoachsData();
                    readings.addAll(DataParser.parseHomeCoaches(coaches));
                } catch (IOException e) {
                    coachFailure = e; // the stations' readings are still good
                }
            }
            DataSnapshot next = current.get().succeeded(readings, stations, coaches, started,
                    Duration.between(started, clock.instant()));
            if (coachFailure != null) {
                current.set(next);
                failed(new IOException("Home Coach data: " + describe(coachFailure), coachFailure), started);
                return;
            }
            current.set(next);
            if (lastLoggedError != null) {
                log.info("NetAtmo data refreshed again after failures: {} modules", readings.size());
            } else {
                log.debug("NetAtmo data refreshed: {} modules", readings.size());
            }
            lastLoggedError = null;
        } catch (IOException | RuntimeException e) {
            failed(e, started);
        }
    }

    private void failed(Exception e, Instant started) {
        String error = describe(e);
        boolean noToken = e instanceof NotAuthenticatedException || e instanceof ReauthorizationRequiredException;
        current.set(current.get().failed(error, noToken, started, Duration.between(started, clock.instant())));
        if (!error.equals(lastLoggedError)) {
            if (e instanceof NotAuthenticatedException) {
                log.info("Waiting for authorization: {}", error);
            } else if (e instanceof RuntimeException) {
                log.warn("NetAtmo data refresh failed; keeping the previous data", e);
            } else {
                log.warn("NetAtmo data refresh failed; keeping the previous data: {}", error);
            }
        }
        lastLoggedError = error;
    }

    private static String describe(Exception e) {
        if (e instanceof NotAuthenticatedException) {
            return "Not authorized yet: open the status page and authorize with NetAtmo, or paste a refresh token";
        }
        if (e instanceof ReauthorizationRequiredException) {
            return "Authorization required again: " + e.getMessage();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
