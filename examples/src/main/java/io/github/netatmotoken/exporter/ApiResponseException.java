package io.github.netatmotoken.exporter;

import java.io.IOException;

/** A NetAtmo data response could not be understood; the message says which and why, never a token. */
final class ApiResponseException extends IOException {
    private static final long serialVersionUID = 1L;

    ApiResponseException(String message) {
        super(message);
    }

    ApiResponseException(String message, Throwable cause) {
        super(message, cause);
    }
}
