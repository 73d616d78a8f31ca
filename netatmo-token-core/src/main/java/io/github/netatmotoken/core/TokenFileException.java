package io.github.netatmotoken.core;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A token file exists but cannot be read or understood: not JSON, the wrong shape, a bad date, too large, a
 * directory, unreadable. The message names the file and what is wrong, never a token value. The file is left
 * untouched, so that a person can inspect or fix it.
 *
 * <pre>{@code
 * try {
 *     store.load();
 * } catch (TokenFileException e) {
 *     System.err.println(e.getMessage()); // "Token file /etc/netatmo/token.json: line 1, column 17: ..."
 * }
 * }</pre>
 */
public class TokenFileException extends NetatmoException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file the token file
     * @param problem what is wrong with it, without any token value
     */
    public TokenFileException(Path file, String problem) {
        this(file, problem, null);
    }

    /**
     * @param file the token file
     * @param problem what is wrong with it, without any token value
     * @param cause the underlying failure, or {@code null}
     */
    public TokenFileException(Path file, String problem, @Nullable Throwable cause) {
        super("Token file " + file + ": " + problem, cause);
        this.file = file;
    }

    /**
     * The token file that could not be understood.
     *
     * @return the path as the store was given it (a symbolic link is not resolved), so that it matches the
     *     configuration a person has to check; not kept when the exception is serialized
     */
    public Path file() {
        return file;
    }

    /** {@return {@code false}: the file stays as it is until a person fixes or replaces it} */
    @Override
    public boolean isRetryable() {
        return false;
    }
}
