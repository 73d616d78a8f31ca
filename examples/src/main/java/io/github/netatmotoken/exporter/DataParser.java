package io.github.netatmotoken.exporter;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.github.netatmotoken.core.internal.JsonTree;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code getstationsdata} and {@code gethomecoachsdata} responses into {@link ModuleReading}s, tolerating
 * what real responses contain: modules without {@code dashboard_data}, without names, empty module lists,
 * placeholder values of lost modules, non-ASCII names and fields it does not know. Only a response that is not
 * the documented envelope is an error, reported as an {@link ApiResponseException}.
 */
final class DataParser {
    private static final long LAST_PLAUSIBLE_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    private DataParser() {
    }

    /** The readings of every station device and its modules. */
    static List<ModuleReading> parseStations(byte[] body) throws ApiResponseException {
        List<ModuleReading> out = new ArrayList<>();
        for (Map<?, ?> device : devices(body, "getstationsdata")) {
            String id = text(device, "_id", "unknown");
            // As in the Go exporter: a station without a name is station="", so that its series keep their identity.
            String station = text(device, "station_name", "");
            String home = text(device, "home_name", "");
            out.add(reading(device, id, text(device, "module_name", "id-" + id), station, home));
            if (device.get("modules") instanceof List<?> modules) {
                for (Object element : modules) {
                    if (element instanceof Map<?, ?> module) {
                        String moduleId = text(module, "_id", "unknown");
                        out.add(reading(module, moduleId, text(module, "module_name", "id-" + moduleId), station,
                                home));
                    }
                }
            }
        }
        return out;
    }

    /** The readings of every Healthy Home Coach. */
    static List<ModuleReading> parseHomeCoaches(byte[] body) throws ApiResponseException {
        List<ModuleReading> out = new ArrayList<>();
        for (Map<?, ?> device : devices(body, "gethomecoachsdata")) {
            String id = text(device, "_id", "unknown");
            String name = text(device, "name", null);
            if (name == null) {
                name = text(device, "station_name", text(device, "module_name", "id-" + id));
            }
            out.add(reading(device, id, name, name, text(device, "home_name", "")));
        }
        return out;
    }

    private static List<Map<?, ?>> devices(byte[] body, String endpoint) throws ApiResponseException {
        Object root;
        try {
            root = JsonTree.parse(body);
        } catch (JsonProcessingException e) {
            // Some errors (nesting too deep, a number too long) carry no location (found by fuzzing).
            JsonLocation at = e.getLocation();
            throw new ApiResponseException("The " + endpoint + " response is not JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new ApiResponseException("The " + endpoint + " response could not be read: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> object)) {
            throw new ApiResponseException("The " + endpoint + " response is not a JSON object");
        }
        Object error = object.get("error");
        if (error != null && error != JsonTree.NULL) {
            Object message = error instanceof Map<?, ?> details ? details.get("message") : error;
            Object code = JsonTree.get(error, "code");
            throw new ApiResponseException("NetAtmo answered " + endpoint + " with error "
                    + (code == null ? "" : "code " + JsonTree.text(code) + ": ")
                    + (message == null ? "(no message)" : JsonTree.text(message)));
        }
        if (object.get("status") instanceof String status && !status.equals("ok")) {
            throw new ApiResponseException("NetAtmo answered " + endpoint + " with status \"" + status + "\"");
        }
        Object devices = JsonTree.get(object.get("body"), "devices");
        if (devices == null || devices == JsonTree.NULL) {
            throw new ApiResponseException("The " + endpoint + " response has no body.devices");
        }
        if (!(devices instanceof List<?> list)) {
            throw new ApiResponseException("The " + endpoint + " response's body.devices is not a list");
        }
        List<Map<?, ?>> out = new ArrayList<>();
        for (Object device : list) {
            if (device instanceof Map<?, ?> d) {
                out.add(d);
            }
        }
        return out;
    }

    private static ModuleReading reading(Map<?, ?> node, String id, String module, String station, String home) {
        Map<Measurement, Double> values = new EnumMap<>(Measurement.class);
        Object dashboard = node.get("dashboard_data");
        Instant updated = null;
        // An epoch second NetAtmo could have sent: positive and before the year 10000 (found by fuzzing: a huge
        // number made Instant throw). A fraction is cut off.
        Long time = JsonTree.toLong(JsonTree.get(dashboard, "time_utc"));
        if (time != null && time > 0 && time <= LAST_PLAUSIBLE_SECOND) {
            updated = Instant.ofEpochSecond(time);
        }
        for (Measurement m : Measurement.values()) {
            Object value = m.inDashboard ? JsonTree.get(dashboard, m.field) : node.get(m.field);
            if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
                values.put(m, number.doubleValue());
            }
        }
        return new ModuleReading(id, text(node, "type", ""), module, station, home, updated, values);
    }

    private static String text(Map<?, ?> node, String field, String fallback) {
        String value = JsonTree.string(node.get(field));
        return value == null || value.isBlank() ? fallback : value;
    }
}
