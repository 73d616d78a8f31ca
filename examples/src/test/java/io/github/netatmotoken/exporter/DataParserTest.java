package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataParserTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theFixtureParsesIntoEveryModuleIncludingUnreachableOnes() throws Exception {
        List<ModuleReading> readings = DataParser.parseStations(bytes(
                MetricsOutputTest.resource("fixtures/getstationsdata.json")));

        assertEquals(8, readings.size());
        ModuleReading lost = readings.stream().filter(r -> r.module().equals("Regen")).findFirst().orElseThrow();
        assertNull(lost.updated(), "no dashboard_data: no reading time");
        assertEquals(255.0, lost.values().get(Measurement.RF));
    }

    @Test
    void homeCoachesUseTheirNameOrTheOlderStationName() throws Exception {
        List<ModuleReading> readings = DataParser.parseHomeCoaches(bytes("""
                {"body":{"devices":[
                 {"_id":"70:ee:50:00:00:99","type":"NHC","name":"Bedroom","wifi_status":60,
                  "dashboard_data":{"time_utc":1768470900,"Temperature":19.5,"health_idx":2}},
                 {"_id":"70:ee:50:00:00:98","type":"NHC","station_name":"Office"},
                 {"_id":"70:ee:50:00:00:97","type":"NHC"}]},"status":"ok"}"""));

        assertEquals(List.of("Bedroom", "Office", "id-70:ee:50:00:00:97"),
                readings.stream().map(ModuleReading::module).toList());
        assertEquals(2.0, readings.get(0).values().get(Measurement.HEALTH_INDEX));
        assertEquals(Instant.ofEpochSecond(1768470900), readings.get(0).updated());
    }

    @Test
    void responsesThatAreNotTheEnvelopeAreClearErrors() {
        assertEquals("The getstationsdata response is not JSON (line 1, column 1)",
                assertThrows(ApiResponseException.class, () -> DataParser.parseStations(bytes("<html>")))
                        .getMessage());
        assertEquals("NetAtmo answered getstationsdata with error code 26: User usage reached",
                assertThrows(ApiResponseException.class, () -> DataParser.parseStations(bytes(
                        "{\"error\":{\"code\":26,\"message\":\"User usage reached\"}}"))).getMessage());
        assertEquals("The getstationsdata response has no body.devices",
                assertThrows(ApiResponseException.class, () -> DataParser.parseStations(bytes(
                        "{\"body\":{},\"status\":\"ok\"}"))).getMessage());
        assertEquals("The getstationsdata response's body.devices is not a list",
                assertThrows(ApiResponseException.class, () -> DataParser.parseStations(bytes(
                        "{\"body\":{\"devices\":{}}}"))).getMessage());
        assertEquals("The getstationsdata response is not a JSON object",
                assertThrows(ApiResponseException.class, () -> DataParser.parseStations(bytes("[]")))
                        .getMessage());
        assertThrows(ApiResponseException.class, () -> DataParser.parseStations(new byte[0]));
    }

    @Test
    void oddValuesAreSkippedNotFatal() throws Exception {
        List<ModuleReading> readings = DataParser.parseStations(bytes("""
                {"body":{"devices":[{"_id":"a","station_name":7,"modules":"none",
                 "dashboard_data":{"time_utc":"soon","Temperature":"warm","CO2":null,"Humidity":40}}, 5, null]}}"""));

        assertEquals(1, readings.size());
        assertEquals("", readings.get(0).station(), "no station name: station=\"\" as in the Go exporter");
        assertNull(readings.get(0).updated());
        assertEquals(1, readings.get(0).values().size());
    }

    @Test
    void aReadingTimeIsAnEpochSecondInRangeAndAFractionIsCutOff() throws Exception {
        List<ModuleReading> readings = DataParser.parseHomeCoaches(bytes("""
                {"status":"ok","body":{"devices":[
                 {"_id":"a","dashboard_data":{"time_utc":1768470900.9,"CO2":1e3}},
                 {"_id":"b","dashboard_data":{"time_utc":1e300,"CO2":1e400}},
                 {"_id":"c","dashboard_data":{"time_utc":123456789012345678901234567890}},
                 {"_id":"d","dashboard_data":{"time_utc":-5}}]}}"""));
        assertEquals(Instant.ofEpochSecond(1768470900), readings.get(0).updated());
        assertEquals(1000.0, readings.get(0).values().get(Measurement.CO2));
        assertNull(readings.get(1).updated());
        assertNull(readings.get(1).values().get(Measurement.CO2), "an infinite value is no reading");
        assertNull(readings.get(2).updated());
        assertNull(readings.get(3).updated());
    }

    @Test
    void anErrorIsQuotedWithItsCodeAsNetatmoSentIt() {
        assertEquals("NetAtmo answered gethomecoachsdata with error code 2.0: (no message)",
                assertThrows(ApiResponseException.class, () -> DataParser.parseHomeCoaches(bytes(
                        "{\"error\":{\"code\":2.0}}"))).getMessage());
        assertEquals("NetAtmo answered gethomecoachsdata with error Invalid access token",
                assertThrows(ApiResponseException.class, () -> DataParser.parseHomeCoaches(bytes(
                        "{\"error\":\"Invalid access token\"}"))).getMessage());
        assertEquals("NetAtmo answered gethomecoachsdata with status \"failed\"",
                assertThrows(ApiResponseException.class, () -> DataParser.parseHomeCoaches(bytes(
                        "{\"status\":\"failed\",\"body\":{\"devices\":[]}}"))).getMessage());
    }
}
