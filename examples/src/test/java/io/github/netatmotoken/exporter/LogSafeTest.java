package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogSafeTest {
    @Test
    void lineBreaksAndTerminalEscapesBecomeVisible() {
        assertEquals("a\\r\\nb\\tc\\\\d\\u001b[2J\\u0085\\u2028e", LogSafe.escape("a\r\nb\tc\\d\u001b[2J\u0085\u2028e"));
    }

    @Test
    void plainTextStaysAsItIs() {
        assertEquals("Grüße /auth/callback?x=1", LogSafe.escape("Grüße /auth/callback?x=1"));
        assertEquals("null", LogSafe.escape(null));
    }

    @Test
    void longValuesAreCut() {
        String cut = LogSafe.escape("x".repeat(10_000));
        assertEquals(LogSafe.MAX_CHARS + 1, cut.length());
        assertTrue(cut.endsWith("…"));
    }
}
