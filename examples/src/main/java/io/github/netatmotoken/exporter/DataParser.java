package io.github.netatmotoken.exporter;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long LAST_PLAUSIBLE_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    private DataParser() {
    }

    /** The readings of every station device and its modules. */
    static List<ModuleReading> parseStations(byte[] body) throws ApiResponseException {
        List<ModuleReading> out = new ArrayList<>();
        for (JsonNode device : devices(body, "getstationsdata")) {
            String id = text(device, "_id", "unknown");
            // As in the Go exporter: a station without a name is station="", so that its series keep their identity.
            String station = text(device, "station_name", "");
            String home = text(device, "home_name", "");
            out.add(reading(device, id, text(device, "module_name", "id-" + id), station, home));
            JsonNode modules = device.get("modules");
            if (modules != null && modules.isArray()) {
                for (JsonNode module : modules) {
                    if (module.isObject()) {
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
        for (JsonNode device : devices(body, "gethomecoachsdata")) {
            String id = text(device, "_id", "unknown");
            String name = text(device, "name", null);
            if (name == null) {
                name = text(device, "station_name", text(device, "module_name", "id-" + id));
            }
            out.add(reading(device, id, name, name, text(device, "home_name", "")));
        }
        return out;
    }

    private static List<JsonNode> devices(byte[] body, String endpoint) throws ApiResponseException {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            // Some errors (nesting too deep, a number too long) carry no location (found by fuzzing).
            JsonLocation at = e.getLocation();
            throw new ApiResponseException("The " + endpoint + " response is not JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new ApiResponseException("The " + endpoint + " response could not be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ApiResponseException("The " + endpoint + " response is not a JSON object");
        }
        JsonNode error = root.get("error");
        if (error != null && !error.isNull()) {
            JsonNode message = error.isObject() ? error.get("message") : error;
            JsonNode code = error.isObject() ? error.get("code") : null;
            throw new ApiResponseException("NetAtmo answered " + endpoint + " with error "
                    + (code == null ? "" : "code " + code.asText() + ": ")
                    + (message == null ? "(no message)" : message.asText()));
        }
        JsonNode status = root.get("status");
        if (status != null && status.isTextual() && !status.textValue().equals("ok")) {
            throw new ApiResponseException("NetAtmo answered " + endpoint + " with status \"" + status.textValue()
                    + "\"");
        }
        JsonNode devices = root.path("body").path("devices");
        if (devices.isMissingNode() || devices.isNull()) {
            throw new ApiResponseException("The " + endpoint + " response has no body.devices");
        }
        if (!devices.isArray()) {
            throw new ApiResponseException("The " + endpoint + " response's body.devices is not a list");
        }
        List<JsonNode> out = new ArrayList<>();
        devices.forEach(d -> {
            if (d.isObject()) {
                out.add(d);
            }
        });
        return out;
    }

    private static ModuleReading reading(JsonNode node, String id, String module, String station, String home) {
        Map<Measurement, Double> values = new EnumMap<>(Measurement.class);
        JsonNode dashboard = node.get("dashboard_data");
        Instant updated = null;
        if (dashboard != null && dashboard.isObject()) {
            JsonNode time = dashboard.get("time_utc");
            // An epoch second NetAtmo could have sent: positive and before the year 10000 (found by fuzzing: a huge
            // number made Instant throw).
            if (time != null && time.isNumber() && time.canConvertToLong() && time.longValue() > 0
                    && time.longValue() <= LAST_PLAUSIBLE_SECOND) {
                updated = Instant.ofEpochSecond(time.longValue());
            }
        }
        for (Measurement m : Measurement.values()) {
            JsonNode source = m.inDashboard ? dashboard : node;
            JsonNode value = source == null || !source.isObject() ? null : source.get(m.field);
            if (value != null && value.isNumber() && Double.isFinite(value.doubleValue())) {
                values.put(m, value.doubleValue());
            }
        }
        return new ModuleReading(id, text(node, "type", ""), module, station, home, updated, values);
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            return fallback;
        }
        return value.textValue();
    }
}
