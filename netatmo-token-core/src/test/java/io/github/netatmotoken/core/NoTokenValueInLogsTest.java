package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * No token value in any log line or exception message of this test JVM. Runs after every other test class
 * (see {@code junit-platform.properties}), so it checks what they logged and caught too; on its own it still loads
 * the whole corpus and provokes a save failure, so that it never checks an empty log.
 */
@Order(Integer.MAX_VALUE)
class NoTokenValueInLogsTest {
    @TempDir
    Path dir;

    @Test
    void noTokenValueAppearsInAnyLogLineOrExceptionMessage() throws IOException {
        loadTheWholeCorpus();
        failToSave();
        Set<String> secrets = SecretTokens.all();
        List<CapturedLogs.Line> lines = CapturedLogs.all();

        List<String> leaks = new ArrayList<>();
        for (CapturedLogs.Line line : lines) {
            for (String secret : secrets) {
                if (line.fullText().contains(secret)) {
                    leaks.add(line + "\n  shows " + secret);
                }
            }
        }

        assertEquals(List.of(), leaks);
        assertTrue(secrets.size() >= 100, "token values checked: " + secrets.size());
        long warnings = lines.stream().filter(l -> l.level() == Level.WARN).count();
        long exceptions = lines.stream().filter(l -> l.throwable() != null).count();
        assertTrue(warnings >= 15 && exceptions >= 50,
                warnings + " warnings and " + exceptions + " exceptions checked");
    }

    private void loadTheWholeCorpus() throws IOException {
        for (TokenFileCorpusTest.Case c : TokenFileCorpusTest.cases()) {
            Path file = dir.resolve(c.file());
            try (InputStream in = getClass().getResourceAsStream("/token-files/" + c.file())) {
                Files.copy(in, file);
            }
            try {
                new FileTokenStore(file, new FakeClock()).load();
            } catch (TokenFileException e) {
                SecretTokens.caught(e);
            }
        }
    }

    private void failToSave() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("plain"), "x");
        Token token = new Token(SecretTokens.next("AT"), SecretTokens.next("RT"),
                Instant.parse("2026-01-15T13:00:00Z"));
        SecretTokens.caught(assertThrows(IOException.class,
                () -> new FileTokenStore(notADirectory.resolve("token.json")).save(token)));
        SecretTokens.caught(assertThrows(IOException.class,
                () -> new FileTokenStore(notADirectory.resolve("token.json")).lock()));
        LoggerFactory.getLogger(NoTokenValueInLogsTest.class).info("a token as users log it: {}", token);
    }
}
