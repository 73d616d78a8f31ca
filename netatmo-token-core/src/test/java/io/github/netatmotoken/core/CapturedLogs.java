package io.github.netatmotoken.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * Every log line of the test JVM, recorded by {@link CapturingLoggerProvider} (registered as the SLF4J provider
 * of the tests) and also printed to stderr. Tests read what users would see, including exception texts.
 */
public final class CapturedLogs {
    /** One formatted log event. */
    public record Line(Level level, String logger, String message, String throwable) {
        /** The message and the full text of any exception chain, as a log file would show them. */
        public String fullText() {
            return message + (throwable == null ? "" : "\n" + throwable);
        }

        @Override
        public String toString() {
            return level + " " + logger + " - " + fullText();
        }
    }

    private static final List<Line> LINES = new CopyOnWriteArrayList<>();

    private CapturedLogs() {
    }

    /** Everything logged since the JVM started. */
    public static List<Line> all() {
        return new ArrayList<>(LINES);
    }

    /** A marker position: pass it to {@link #since(int)} to get the lines logged after it. */
    public static int mark() {
        return LINES.size();
    }

    public static List<Line> since(int mark) {
        List<Line> all = all();
        return all.subList(Math.min(mark, all.size()), all.size());
    }

    /** The lines since {@code mark} at {@code level}, as text. */
    public static List<String> messages(int mark, Level level) {
        return since(mark).stream().filter(l -> l.level() == level).map(Line::message).collect(Collectors.toList());
    }

    static final class CapturingLogger extends AbstractLogger {
        private static final long serialVersionUID = 1L;

        CapturingLogger(String name) {
            this.name = name;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                Throwable throwable) {
            String message = MessageFormatter.basicArrayFormat(pattern, args);
            String thrown = null;
            if (throwable != null) {
                StringBuilder text = new StringBuilder();
                for (Throwable t = throwable; t != null; t = t.getCause()) {
                    text.append(t).append('\n');
                }
                thrown = text.toString();
            }
            Line line = new Line(level, name, message, thrown);
            LINES.add(line);
            System.err.println("[log] " + line);
        }

        @Override public boolean isTraceEnabled() { return false; }
        @Override public boolean isTraceEnabled(Marker marker) { return false; }
        @Override public boolean isDebugEnabled() { return true; }
        @Override public boolean isDebugEnabled(Marker marker) { return true; }
        @Override public boolean isInfoEnabled() { return true; }
        @Override public boolean isInfoEnabled(Marker marker) { return true; }
        @Override public boolean isWarnEnabled() { return true; }
        @Override public boolean isWarnEnabled(Marker marker) { return true; }
        @Override public boolean isErrorEnabled() { return true; }
        @Override public boolean isErrorEnabled(Marker marker) { return true; }
    }
}
