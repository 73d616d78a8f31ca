package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The tokenizer that {@link GrafanaDashboardTest} checks the dashboard's queries with. */
class PromQlNamesTest {

    private static List<String> names(String expr) {
        return List.copyOf(PromQlNames.of(expr));
    }

    @Test
    void aBareMetricIsItsName() {
        assertEquals(List.of("netatmo_up"), names("netatmo_up"));
    }

    @Test
    void labelMatchersAndTheirValuesAreNotNames() {
        assertEquals(List.of("netatmo_sensor_co2_ppm"), names(
                "netatmo_sensor_co2_ppm{station=~\"$station\", module!=\"netatmo_up\", home='x{y}'}"));
    }

    @Test
    void theLabelsOfMatchersAndLabelListsAreTheLabelsItReads() {
        assertEquals(Set.of("station", "module", "home", "status"), PromQlNames.labelsOf(
                "sum by (status) (netatmo_sensor_co2_ppm{station=~\"$station\", module!=\"a=b\", home='x{y}'})"));
        assertEquals(Set.of("home", "instance", "result"), PromQlNames.labelsOf(
                "max without(home, instance) (x) / on (result) group_left y"));
        assertEquals(Set.of(), PromQlNames.labelsOf("netatmo_up"));
    }

    @Test
    void aggregationsFunctionsAndLabelListsAreNotNames() {
        assertEquals(List.of("netatmo_api_requests_total"), names(
                "sum by (status) (rate(netatmo_api_requests_total[5m]))"));
        assertEquals(List.of("netatmo_sensor_temperature_celsius"), names(
                "max without(home, instance) (netatmo_sensor_temperature_celsius)"));
        assertEquals(List.of("netatmo_sensor_temperature_celsius"), names(
                "avg(netatmo_sensor_temperature_celsius) by (station)"));
    }

    @Test
    void bothSidesOfABinaryOperationAreNames() {
        assertEquals(List.of("netatmo_cache_updated_time", "netatmo_refresh_interval_seconds"), names(
                "(time() - netatmo_cache_updated_time) / on(instance) group_left(job)"
                        + " netatmo_refresh_interval_seconds > bool 2"));
        assertEquals(List.of("a_metric", "b_metric"), names("a_metric and ignoring (x) b_metric unless on() a_metric"));
    }

    @Test
    void numbersDurationsRangesAndVariablesAreSkipped() {
        assertEquals(List.of("netatmo_exporter_token_refresh_total"), names(
                "increase(netatmo_exporter_token_refresh_total[$__rate_interval]) offset 1h30m * 1e-3 + 0x1F"
                        + " + Inf + max_over_time(time()[1h:5m]) * ${factor} * $scale"));
    }

    @Test
    void aSelectorByNameIsRefusedRatherThanPassed() {
        assertThrows(IllegalArgumentException.class, () -> names("{__name__=~\"netatmo_.+\"}"));
        assertThrows(IllegalArgumentException.class, () -> names("count({job=\"x\", __name__!=\"y\"})"));
    }

    @Test
    void anUnclosedBracketOrStringIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> names("sum(rate(x[5m))"));
        assertThrows(IllegalArgumentException.class, () -> names("x{a=\"b}"));
    }

    @Test
    void aMisspelledMetricIsFound() {
        assertEquals(Set.of("netatmo_sensor_temprature_celsius"), PromQlNames.of(
                "max by (station, module) (netatmo_sensor_temprature_celsius{station=~\"$station\"})"));
    }
}
