package io.github.netatmotoken.exporter;

/** The configuration is unusable; the message is one line saying what to fix. */
final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    ConfigException(String message) {
        super(message);
    }
}
