package io.github.netatmotoken.exporter;

/**
 * Makes a value that came from the network safe to put in a log line: control characters (CR, LF, ESC, the C1
 * range, the Unicode line and paragraph separators) become escapes such as {@code \n} and {@code \u001b}, so a
 * request cannot start a forged log line or move the terminal's cursor, and long values are cut.
 */
final class LogSafe {
    /** Longer values are cut here and end with an ellipsis. */
    static final int MAX_CHARS = 200;

    private LogSafe() {
    }

    /** The value escaped for a log line; {@code null} stays the word {@code null}. */
    static String escape(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_CHARS) + 8);
        for (int i = 0; i < value.length(); i++) {
            if (out.length() >= MAX_CHARS) {
                return out.append('…').toString();
            }
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
