package io.github.netatmotoken.core.internal;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenRefreshException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A 2xx token response that carries a new refresh token but is otherwise unusable: see
 * {@link TokenRefreshException#rotatedToken()}. A subclass rather than a constructor argument, so that the public
 * surface of {@link TokenRefreshException} gains only the accessor.
 */
final class RotatedTokenException extends TokenRefreshException {
    private static final long serialVersionUID = 1L;

    /** Not serializable, and a secret: a deserialized copy has none. */
    private final transient @Nullable Token rotated;

    RotatedTokenException(String message, int httpStatus, @Nullable String error, Token rotated) {
        super(message, httpStatus, error, null);
        this.rotated = rotated;
    }

    @Override
    public Optional<Token> rotatedToken() {
        return Optional.ofNullable(rotated);
    }
}
