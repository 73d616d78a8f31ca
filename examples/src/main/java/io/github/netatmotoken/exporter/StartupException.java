package io.github.netatmotoken.exporter;

/** The exporter cannot start; the message is one line saying what to fix. */
final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
