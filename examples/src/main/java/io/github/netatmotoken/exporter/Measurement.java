package io.github.netatmotoken.exporter;

/**
 * A value a NetAtmo module reports, with the Go netatmo-exporter's metric name for it and where the API puts it.
 */
enum Measurement {
    TEMPERATURE("netatmo_sensor_temperature_celsius", "Temperature measurement in celsius", "Temperature", true),
    HUMIDITY("netatmo_sensor_humidity_percent", "Relative humidity measurement in percent", "Humidity", true),
    CO2("netatmo_sensor_co2_ppm", "Carbondioxide measurement in parts per million", "CO2", true),
    NOISE("netatmo_sensor_noise_db", "Noise measurement in decibels", "Noise", true),
    PRESSURE("netatmo_sensor_pressure_mb", "Atmospheric pressure measurement in millibar", "Pressure", true),
    WIND_STRENGTH("netatmo_sensor_wind_strength_kph", "Wind strength in kilometers per hour", "WindStrength", true),
    WIND_DIRECTION("netatmo_sensor_wind_direction_degrees", "Wind direction in degrees", "WindAngle", true),
    RAIN("netatmo_sensor_rain_amount_mm", "Rain amount in millimeters", "Rain", true),
    BATTERY("netatmo_sensor_battery_percent", "Battery remaining life (10: low)", "battery_percent", false),
    WIFI("netatmo_sensor_wifi_signal_strength", "Wifi signal strength (86: bad, 71: avg, 56: good)", "wifi_status",
            false),
    RF("netatmo_sensor_rf_signal_strength", "RF signal strength (90: lowest, 60: highest)", "rf_status", false),
    HEALTH_INDEX("netatmo_sensor_health_index",
            "Healthy Home Coach health index (0: healthy, 1: fine, 2: fair, 3: poor, 4: unhealthy)", "health_idx",
            true);

    final String metricName;
    final String help;
    final String field;
    final boolean inDashboard;

    Measurement(String metricName, String help, String field, boolean inDashboard) {
        this.metricName = metricName;
        this.help = help;
        this.field = field;
        this.inDashboard = inDashboard;
    }
}
