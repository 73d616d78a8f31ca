package io.github.netatmotoken.core;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes in a token file make {@link FileTokenStore#load()} return a token (or nothing) or throw
 * {@link TokenFileException}; never another exception. Runs the committed inputs under
 * {@code src/test/resources/io/github/netatmotoken/core/TokenFileFuzzTestInputs} in every build, and fuzzes with
 * {@code JAZZER_FUZZ=1} (see the README).
 */
class TokenFileFuzzTest {
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempDirectory("token-fuzz").resolve("token.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final FileTokenStore store = new FileTokenStore(FILE, new FakeClock());

    @FuzzTest(maxDuration = "5m")
    void loadGivesATokenOrATokenFileException(byte[] content) throws IOException {
        Files.write(FILE, content);
        try {
            store.load().ifPresent(token -> {
                if (!token.hasAccessToken() && !token.hasRefreshToken()) {
                    throw new AssertionError("a loaded token holds neither token: " + token);
                }
            });
        } catch (TokenFileException expected) {
            if (!expected.getMessage().startsWith("Token file " + FILE + ": ")) {
                throw new AssertionError("message does not name the file: " + expected.getMessage());
            }
        }
    }
}
