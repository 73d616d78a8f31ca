package io.github.netatmotoken.exporter;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Go's {@code time.ParseDuration} syntax, so that flag values of the Go netatmo-exporter work unchanged:
 * {@code 8m}, {@code 90s}, {@code 1h30m}, {@code 1.5h}, {@code 500ms}, {@code 0}.
 */
final class GoDuration {
    private GoDuration() {
    }

    /**
     * Parses a Go duration.
     *
     * @throws IllegalArgumentException with a message fit for a user, if {@code text} is not one
     */
    static Duration parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(text);
        }
        boolean negative = false;
        int i = 0;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            i++;
        }
        if (i == s.length()) {
            throw invalid(text);
        }
        BigDecimal nanos = BigDecimal.ZERO;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw invalid(text);
            }
            BigDecimal number;
            try {
                number = new BigDecimal(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long unitNanos = switch (s.substring(unitStart, i)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw invalid(text);
            };
            nanos = nanos.add(number.multiply(BigDecimal.valueOf(unitNanos)));
        }
        try {
            Duration d = Duration.ofNanos(nanos.longValueExact());
            return negative ? d.negated() : d;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"" + text + "\" is too long a duration");
        }
    }

    /** Formats like Go's {@code Duration.String()} for whole seconds and up: {@code 8m0s}, {@code 1h0m0s}. */
    static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        if (d.isNegative()) {
            out.append('-');
            d = d.negated();
        }
        long hours = d.toHours();
        int minutes = d.toMinutesPart();
        int seconds = d.toSecondsPart();
        int millis = d.toMillisPart();
        if (hours == 0 && minutes == 0 && seconds == 0) {
            return out.append(millis).append("ms").toString();
        }
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        out.append(seconds);
        if (millis > 0) {
            out.append('.').append(String.format("%03d", millis).replaceAll("0+$", ""));
        }
        return out.append('s').toString();
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("\"" + text + "\" is not a duration; use Go syntax such as 90s, 8m,"
                + " 1h30m or 1.5h");
    }
}
