package io.github.netatmotoken.exporter;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The latest readings of one NetAtmo module (or main unit, or Home Coach), named as the metrics label it.
 *
 * @param id the module's MAC address
 * @param type NAMain, NAModule1..4 or NHC
 * @param module the {@code module} label: its name, or {@code id-<id>} without one
 * @param station the {@code station} label
 * @param home the {@code home} label, empty if unknown
 * @param updated when the readings were taken, or {@code null} if the module sent none (unreachable)
 * @param values the values present in the response
 */
record ModuleReading(String id, String type, String module, String station, String home, Instant updated,
        Map<Measurement, Double> values) {

    ModuleReading {
        EnumMap<Measurement, Double> copy = new EnumMap<>(Measurement.class);
        copy.putAll(values);
        values = Collections.unmodifiableMap(copy);
    }

    ModuleReading withModule(String newModule) {
        return new ModuleReading(id, type, newModule, station, home, updated, values);
    }
}
