package io.github.netatmotoken.exporter;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the exporter last learnt from NetAtmo: the readings of the last successful refresh and the outcome of the
 * last attempt. Immutable; replaced as a whole after every attempt.
 *
 * @param readings the readings of the last successful refresh
 * @param rawStations the last getstationsdata body, for /debug/data, or {@code null}
 * @param rawHomeCoaches the last gethomecoachsdata body, or {@code null}
 * @param cacheUpdated when {@code readings} were fetched, or {@code null} if never
 * @param lastAttempt when the last attempt started, or {@code null} if none yet
 * @param lastDuration how long the last attempt took
 * @param lastSucceeded whether the last attempt succeeded
 * @param lastError what went wrong in the last attempt, in words, or {@code null}
 * @param awaitingAuthorization whether the last attempt failed only because there is no usable token yet: the
 *     normal state of a fresh install, not an error
 */
record DataSnapshot(List<ModuleReading> readings, byte[] rawStations, byte[] rawHomeCoaches, Instant cacheUpdated,
        Instant lastAttempt, Duration lastDuration, boolean lastSucceeded, String lastError,
        boolean awaitingAuthorization) {

    static final DataSnapshot EMPTY = new DataSnapshot(List.of(), null, null, null, null, Duration.ZERO, false, null,
            false);

    DataSnapshot {
        readings = List.copyOf(readings);
    }

    DataSnapshot succeeded(List<ModuleReading> newReadings, byte[] stations, byte[] homeCoaches, Instant started,
            Duration took) {
        return new DataSnapshot(newReadings, stations, homeCoaches, started, started, took, true, null, false);
    }

    /** The old readings stay; only the outcome changes. */
    DataSnapshot failed(String error, boolean noToken, Instant started, Duration took) {
        return new DataSnapshot(readings, rawStations, rawHomeCoaches, cacheUpdated, started, took, false, error,
                noToken);
    }
}
