package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.event.Level;

/**
 * Runs every file of {@code src/test/resources/token-files} through {@link FileTokenStore#load()} and compares the
 * outcome with its entry in {@code cases.json}:
 * <ul>
 *   <li>{@code loaded}: the token ({@code access}, {@code refresh}, {@code expiry}: an instant, {@code "now"} for
 *       the clock's now, or null) and one WARN line per {@code warnings} entry, which names every
 *       {@code +}-separated word of it, in that order;</li>
 *   <li>{@code empty}: no token, and the {@code warnings};</li>
 *   <li>{@code error}: a {@link TokenFileException} naming the file and containing every {@code message}
 *       fragment, and no warning.</li>
 * </ul>
 * In every case the file keeps its bytes and mtime, and neither a log line nor the exception shows a token value
 * ({@code access}, {@code refresh} and {@code secrets}).
 */
class TokenFileCorpusTest {
    private static final String CORPUS = "/token-files/";
    private static final FileTime OLD_MTIME = FileTime.from(Instant.parse("2020-02-02T02:02:02Z"));

    /** One entry of {@code cases.json}. */
    record Case(String file, String outcome, String note, String access, String refresh, String expiry,
            List<String> warnings, List<String> message, List<String> secrets) {
        @Override
        public String toString() {
            return file + " (" + outcome + ": " + note + ")";
        }

        List<String> allSecrets() {
            List<String> all = new ArrayList<>(secrets);
            Stream.of(access, refresh).filter(s -> s != null && !s.isBlank()).forEach(all::add);
            return all;
        }
    }

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();

    static List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = TokenFileCorpusTest.class.getResourceAsStream(CORPUS + "cases.json")) {
            for (JsonNode c : new ObjectMapper().readTree(in)) {
                cases.add(new Case(c.path("file").asText(), c.path("outcome").asText(), c.path("note").asText(),
                        c.path("access").textValue(), c.path("refresh").textValue(), c.path("expiry").textValue(),
                        strings(c.path("warnings")), strings(c.path("message")), strings(c.path("secrets"))));
            }
        }
        cases.forEach(c -> c.allSecrets().forEach(SecretTokens::register));
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void corpusFileLoadsAsItsCaseSays(Case c) throws IOException {
        Path file = copy(c.file());
        byte[] before = Files.readAllBytes(file);
        FileTokenStore store = new FileTokenStore(file, clock);
        int mark = CapturedLogs.mark();

        switch (c.outcome()) {
            case "loaded" -> assertEquals(Optional.of(expectedToken(c)), store.load());
            case "empty" -> assertEquals(Optional.empty(), store.load());
            case "error" -> {
                TokenFileException e = SecretTokens.caught(assertThrows(TokenFileException.class, store::load));
                assertTrue(e.getMessage().startsWith("Token file " + file + ": "), e.getMessage());
                assertEquals(file, e.file());
                assertFalse(c.message().isEmpty(), "an error case names its message");
                for (String fragment : c.message()) {
                    assertTrue(e.getMessage().contains(fragment), "\"" + fragment + "\" in " + e.getMessage());
                }
                assertNoSecretIn(c, chain(e));
            }
            default -> throw new IllegalArgumentException("unknown outcome " + c.outcome() + " of " + c.file());
        }

        List<String> warnings = CapturedLogs.messages(mark, Level.WARN).stream()
                .filter(line -> line.contains(file.toString())).collect(Collectors.toList());
        assertEquals(c.warnings().size(), warnings.size(), warnings.toString());
        for (int i = 0; i < warnings.size(); i++) {
            assertTrue(warnings.get(i).contains("Token file " + file + " "), warnings.get(i));
            for (String word : c.warnings().get(i).split("\\+")) {
                assertTrue(warnings.get(i).contains(word), "\"" + word + "\" in " + warnings.get(i));
            }
        }
        CapturedLogs.since(mark).forEach(line -> assertNoSecretIn(c, line.fullText()));
        assertArrayEquals(before, Files.readAllBytes(file), "the file was changed");
        assertEquals(OLD_MTIME, Files.getLastModifiedTime(file), "the file was touched");
    }

    @Test
    void corpusHasAtLeast25CasesAndOneForEveryFile() throws IOException, URISyntaxException {
        List<Case> cases = cases();
        Set<String> named = cases.stream().map(Case::file).collect(Collectors.toCollection(TreeSet::new));
        Set<String> files;
        try (Stream<Path> listing = Files.list(Path.of(getClass().getResource(CORPUS).toURI()))) {
            files = listing.map(p -> p.getFileName().toString()).filter(name -> !name.equals("cases.json"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }

        assertEquals(files, named);
        assertEquals(cases.size(), named.size(), "a file is listed twice");
        assertTrue(cases.size() >= 25, "cases: " + cases.size());
        Set<String> outcomes = cases.stream().map(Case::outcome).collect(Collectors.toSet());
        assertEquals(Set.of("loaded", "empty", "error"), outcomes);
    }

    private Token expectedToken(Case c) {
        Instant expiry = c.expiry() == null ? null
                : c.expiry().equals("now") ? clock.instant() : Instant.parse(c.expiry());
        return new Token(c.access(), c.refresh(), expiry);
    }

    private Path copy(String name) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream(CORPUS + name)) {
            Files.copy(in, file);
        }
        Files.setLastModifiedTime(file, OLD_MTIME);
        return file;
    }

    private static void assertNoSecretIn(Case c, String text) {
        for (String secret : c.allSecrets()) {
            assertFalse(text.contains(secret), "a token value of " + c.file() + " shows in: " + text);
        }
    }

    private static String chain(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(node -> strings.add(node.asText()));
        return strings;
    }
}
