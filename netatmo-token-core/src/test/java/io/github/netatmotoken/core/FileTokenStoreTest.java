package io.github.netatmotoken.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FileTokenStoreTest {
    /** A time in the past, set on files before a load so that any write would show in their mtime. */
    private static final FileTime OLD_MTIME = FileTime.from(Instant.parse("2020-02-02T02:02:02Z"));
    private static final Instant EXPIRY = Instant.parse("2026-01-15T13:00:00Z");

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private Path file;
    private FileTokenStore store;
    private String access;
    private String refresh;
    private int mark;

    @BeforeEach
    void setUp() {
        file = dir.resolve("token.json");
        store = new FileTokenStore(file, clock);
        access = SecretTokens.next("AT");
        refresh = SecretTokens.next("RT");
        mark = CapturedLogs.mark();
    }

    // ---- load: the rules of issue 2 -------------------------------------------------------------------------

    @Test
    void missingFileLoadsAsEmpty() throws IOException {
        assertEquals(Optional.empty(), store.load());
        assertEquals(Optional.empty(), new FileTokenStore(dir.resolve("no/such/dir/token.json"), clock).load());
        assertFalse(Files.exists(file));
        assertEquals(List.of(), warnings());
    }

    @Test
    void completeValidTokenIsReturnedAsIsWithoutWarnings() throws IOException {
        write(json(access, refresh, "2026-01-15T15:00:00.400559267+02:00"));

        assertEquals(new Token(access, refresh, Instant.parse("2026-01-15T13:00:00.400559267Z")), load());
        assertEquals(List.of(), warnings());
    }

    @Test
    void completeExpiredTokenIsAlsoReturnedAsIs() throws IOException {
        write(json(access, refresh, "2026-01-15T09:00:00Z"));

        assertEquals(new Token(access, refresh, Instant.parse("2026-01-15T09:00:00Z")), load());
        assertEquals(List.of(), warnings());
    }

    @Test
    void missingExpiryIsReplacedWithAShortOne() throws IOException {
        write(json(access, refresh, null));

        assertEquals(new Token(access, refresh, clock.instant()), load());
        assertOneWarningNaming("expiry");
    }

    @Test
    void nullExpiryIsReplacedWithAShortOne() throws IOException {
        write("{\"access_token\":\"" + access + "\",\"refresh_token\":\"" + refresh + "\",\"expiry\":null}");

        assertEquals(new Token(access, refresh, clock.instant()), load());
        assertOneWarningNaming("expiry");
    }

    @Test
    void emptyExpiryIsReplacedWithAShortOne() throws IOException {
        write(json(access, refresh, ""));

        assertEquals(new Token(access, refresh, clock.instant()), load());
        assertOneWarningNaming("expiry");
    }

    @Test
    void goZeroTimeExpiryIsReplacedWithAShortOne() throws IOException {
        write(json(access, refresh, "0001-01-01T00:00:00Z"));

        assertEquals(new Token(access, refresh, clock.instant()), load());
        assertOneWarningNaming("expiry");
    }

    @Test
    void aRealDateInTheYearOneIsNotGoZeroTime() throws IOException {
        write(json(access, refresh, "0001-01-01T00:00:00.000000001Z"));

        assertEquals(new Token(access, refresh, Instant.parse("0001-01-01T00:00:00.000000001Z")), load());
        assertEquals(List.of(), warnings());
    }

    @Test
    void theShortExpiryIsTheClocksNowAtLoadTime() throws IOException {
        write(json(access, refresh, null));
        clock.set(Instant.parse("2027-03-04T05:06:07Z"));

        assertEquals(Instant.parse("2027-03-04T05:06:07Z"), load().expiry());
    }

    @Test
    void missingRefreshTokenWarnsThatTheUserMustAuthorizeAgainWhenTheAccessTokenExpires() throws IOException {
        write(json(access, null, "2026-01-15T13:00:00Z"));

        assertEquals(new Token(access, null, EXPIRY), load());
        String warning = assertOneWarningNaming("refresh_token");
        assertTrue(warning.contains("authorize again"), warning);
        assertTrue(warning.contains("2026-01-15T13:00:00Z"), "says when: " + warning);
    }

    @Test
    void onlyARefreshTokenLoadsWithAShortExpiry() throws IOException {
        write(json(null, refresh, null));

        assertEquals(new Token(null, refresh, clock.instant()), load());
        assertWarningsName("access_token", "expiry");
    }

    @Test
    void missingAccessTokenWarnsAndGetsAShortExpiry() throws IOException {
        write(json(null, refresh, "2026-01-15T13:00:00Z"));

        assertEquals(new Token(null, refresh, clock.instant()), load());
        assertOneWarningNaming("access_token");
    }

    @Test
    void withoutExpiryAndRefreshTokenTheExpiryStaysUnknownAndBothAreWarned() throws IOException {
        write(json(access, null, null));

        assertEquals(new Token(access, null, null), load());
        List<String> warnings = warnings();
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("expiry"), warnings.get(0));
        assertTrue(warnings.get(1).contains("refresh_token"), warnings.get(1));
        assertTrue(warnings.get(1).contains("authorize again"), warnings.get(1));
        assertNoValuesIn(warnings.toString());
    }

    @Test
    void goZeroTimeWithoutRefreshTokenLeavesTheExpiryUnknown() throws IOException {
        write(json(access, null, "0001-01-01T00:00:00Z"));

        assertEquals(new Token(access, null, null), load());
        assertWarningsName("expiry", "refresh_token");
    }

    @Test
    void emptyAccessTokenCountsAsMissing() throws IOException {
        write(json("", refresh, "2026-01-15T13:00:00Z"));

        assertEquals(new Token(null, refresh, clock.instant()), load());
        assertOneWarningNaming("access_token");
    }

    @Test
    void emptyRefreshTokenCountsAsMissing() throws IOException {
        write(json(access, "", "2026-01-15T13:00:00Z"));

        assertEquals(new Token(access, null, EXPIRY), load());
        assertOneWarningNaming("refresh_token");
    }

    @Test
    void aFileWithNeitherTokenLoadsAsEmptyWithAWarning() throws IOException {
        write(json("", null, "2026-01-15T13:00:00Z"));

        assertEquals(Optional.empty(), store.load());
        assertWarningsName("access_token", "refresh_token");
    }

    @Test
    void goExporterFileWithTokenTypeAndExpiresInLoads() throws IOException {
        write("{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\",\"refresh_token\":\"" + refresh
                + "\",\"expiry\":\"2023-07-16T20:32:06.400559267+02:00\",\"expires_in\":10800}\n");

        assertEquals(new Token(access, refresh, Instant.parse("2023-07-16T18:32:06.400559267Z")), load());
        assertEquals(List.of(), warnings());
    }

    @Test
    void goExporterFileWithZeroTimeGetsAShortExpiry() throws IOException {
        write("{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\",\"refresh_token\":\"" + refresh
                + "\",\"expiry\":\"0001-01-01T00:00:00Z\"}\n");

        assertEquals(new Token(access, refresh, clock.instant()), load());
        assertOneWarningNaming("expiry");
    }

    @Test
    void unknownFieldsAreIgnored() throws IOException {
        write("{\"scope\":[\"read_station\"],\"access_token\":\"" + access + "\",\"expire_in\":10800,"
                + "\"refresh_token\":\"" + refresh + "\",\"x\":{\"y\":[1,2.5,true,null,{\"z\":\"w\"}]},"
                + "\"expiry\":\"2026-01-15T13:00:00Z\",\"zz\":null}");

        assertEquals(new Token(access, refresh, EXPIRY), load());
        assertEquals(List.of(), warnings());
    }

    // ---- load: files that are no token file ----------------------------------------------------------------

    @Test
    void jsonErrorNamesTheFileLineAndColumnAndLeavesTheFileUntouched() throws IOException {
        write("{\n  \"access_token\": \"" + access + "\",\n  \"refresh_token\" \"" + refresh + "\"\n}\n");

        TokenFileException e = assertLoadFails();
        assertTrue(e.getMessage().startsWith("Token file " + file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("line 3, column 19"), e.getMessage());
    }

    @Test
    void aDirectoryInPlaceOfTheFileRaisesTokenFileException() throws IOException {
        Files.createDirectory(file);

        TokenFileException e = assertThrows(TokenFileException.class, store::load);
        assertEquals("Token file " + file + ": is a directory, not a JSON token file", e.getMessage());
        assertTrue(Files.isDirectory(file));
    }

    @Test
    void aDanglingSymbolicLinkLoadsAsEmpty() throws IOException {
        Files.createSymbolicLink(file, dir.resolve("not-yet.json"));

        assertEquals(Optional.empty(), store.load());
        assertTrue(Files.isSymbolicLink(file));
    }

    @Test
    void aSymbolicLinkLoopRaisesTokenFileException() throws IOException {
        Files.createSymbolicLink(file, dir.resolve("other.json"));
        Files.createSymbolicLink(dir.resolve("other.json"), file);

        TokenFileException e = SecretTokens.caught(assertThrows(TokenFileException.class, store::load));
        assertTrue(e.getMessage().startsWith("Token file " + file + ": cannot be read"), e.getMessage());
    }

    @Test
    void anUnreadableFileRaisesTokenFileException() throws IOException {
        assumeFalse(runningAsRoot(), "root reads a file of mode 0000 all the same; see aSymbolicLinkLoop…");
        write(json(access, refresh, "2026-01-15T13:00:00Z"));
        byte[] before = Files.readAllBytes(file);
        Files.setLastModifiedTime(file, OLD_MTIME);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));

        TokenFileException e = SecretTokens.caught(assertThrows(TokenFileException.class, store::load));

        assertTrue(e.getMessage().startsWith("Token file " + file + ": cannot be read: permission denied"),
                e.getMessage());
        assertEquals("---------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(OLD_MTIME, Files.getLastModifiedTime(file));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void aFileOfExactly64KiBStillLoads() throws IOException {
        String json = json(access, refresh, "2026-01-15T13:00:00Z");
        write(json + " ".repeat(64 * 1024 - json.length()));
        assertEquals(64 * 1024, Files.size(file));

        assertEquals(new Token(access, refresh, EXPIRY), load());
    }

    @Test
    void aFileLargerThan64KiBRaisesTokenFileException() throws IOException {
        String json = json(access, refresh, "2026-01-15T13:00:00Z");
        write(json + " ".repeat(64 * 1024 + 1 - json.length()));

        TokenFileException e = assertLoadFails();
        assertTrue(e.getMessage().contains("larger than 64 KiB"), e.getMessage());
    }

    @Test
    void aFileOfNulBytesSaysItMayHaveBeenZeroedByACrash() throws IOException {
        Files.write(file, new byte[200]);

        TokenFileException e = assertLoadFails();
        assertTrue(e.getMessage().contains("only NUL bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("crash"), e.getMessage());
    }

    @Test
    void tooDeeplyNestedJsonIsAnErrorWithLineAndColumn() throws IOException {
        write("{\"access_token\":\"" + access + "\",\"x\":" + "[".repeat(3000) + "]".repeat(3000) + "}");

        TokenFileException e = assertLoadFails();
        assertTrue(e.getMessage().contains("line 1, column "), e.getMessage());
    }

    // ---- save ------------------------------------------------------------------------------------------------

    @Test
    void saveWritesTheThreeAttributesWithTheExpiryInUtcWithNanoseconds() throws IOException {
        store.save(new Token(access, refresh, Instant.parse("2026-01-15T13:34:56.12Z")));

        assertEquals("{\"access_token\":\"" + access + "\",\"refresh_token\":\"" + refresh
                + "\",\"expiry\":\"2026-01-15T13:34:56.120000000Z\"}\n", Files.readString(file));
    }

    @Test
    void saveOmitsMissingAttributes() throws IOException {
        store.save(new Token(null, refresh, null));
        assertEquals("{\"refresh_token\":\"" + refresh + "\"}\n", Files.readString(file));

        store.save(new Token(access, null, Instant.parse("0001-01-01T00:00:00Z").plusNanos(1)));
        assertEquals("{\"access_token\":\"" + access + "\",\"expiry\":\"0001-01-01T00:00:00.000000001Z\"}\n",
                Files.readString(file));
    }

    @Test
    void aSavedTokenLoadsBackEqual() throws IOException {
        Token token = new Token(SecretTokens.register("jéton-" + access + "-\"quoted\"\\slash/\t\n\u0001-🔑"),
                SecretTokens.register("刷新-" + refresh + "-\u2028-\uD800"),
                Instant.parse("2026-01-15T13:00:00.000000001Z"));

        store.save(token);

        assertEquals(token, load());
        assertEquals(List.of(), warnings());
    }

    @Test
    void saveCreatesTheFileWithOwnerOnlyPermissions() throws IOException {
        store.save(new Token(access, refresh, EXPIRY));

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void saveReplacesAWorldReadableFileWithAnOwnerOnlyOne() throws IOException {
        write(json(access, refresh, "2026-01-15T13:00:00Z"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        store.save(new Token(SecretTokens.next("AT"), refresh, EXPIRY));

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void saveCreatesMissingParentDirectories() throws IOException {
        Path deep = dir.resolve("a/b/c/token.json");
        Token token = new Token(access, refresh, EXPIRY);

        new FileTokenStore(deep, clock).save(token);

        assertEquals(token, new FileTokenStore(deep, clock).load().orElseThrow());
    }

    @Test
    void saveLeavesNoTemporaryFileBehind() throws IOException {
        store.save(new Token(access, refresh, EXPIRY));
        store.save(new Token(SecretTokens.next("AT"), refresh, EXPIRY));

        assertEquals(List.of("token.json"), listing(dir));
    }

    @Test
    void saveWritesThroughASymbolicLinkAndKeepsTheLink() throws IOException {
        Path secrets = Files.createDirectory(dir.resolve("secrets"));
        Path target = secrets.resolve("netatmo.json");
        Files.writeString(target, json(access, refresh, "2026-01-15T13:00:00Z"));
        Files.createSymbolicLink(file, Path.of("secrets/netatmo.json"));
        Token next = new Token(SecretTokens.next("AT"), SecretTokens.next("RT"), EXPIRY);

        store.save(next);

        assertTrue(Files.isSymbolicLink(file));
        assertEquals(Path.of("secrets/netatmo.json"), Files.readSymbolicLink(file));
        assertEquals(next, new FileTokenStore(target, clock).load().orElseThrow());
        assertEquals(next, load());
        assertEquals(List.of("netatmo.json"), listing(secrets));
    }

    @Test
    void saveThroughADanglingSymbolicLinkCreatesItsTarget() throws IOException {
        Path target = dir.resolve("later/token.json");
        Files.createSymbolicLink(file, target);
        Token token = new Token(access, refresh, EXPIRY);

        store.save(token);

        assertTrue(Files.isSymbolicLink(file));
        assertEquals(token, new FileTokenStore(target, clock).load().orElseThrow());
    }

    @Test
    void saveThroughARelativeLinkInALinkedDirectoryWritesTheFileThatLoadReads() throws IOException {
        // real/sub/token.json -> ../data/token.json, and alias -> real/sub: the link's ".." is real, not dir.
        Path real = Files.createDirectories(dir.resolve("real/sub"));
        Files.createDirectories(dir.resolve("real/data"));
        Files.createSymbolicLink(real.resolve("token.json"), Path.of("../data/token.json"));
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), real);
        FileTokenStore viaAlias = new FileTokenStore(alias.resolve("token.json"), clock);
        Token token = new Token(access, refresh, EXPIRY);

        viaAlias.save(token);

        assertEquals(token, viaAlias.load().orElseThrow());
        assertTrue(Files.exists(dir.resolve("real/data/token.json")));
        assertFalse(Files.exists(dir.resolve("data")), "wrote beside the link's directory, not where it points");
    }

    @Test
    void saveFailureLeavesThePreviousFileIntactAndDeletesTheTempFile() throws Exception {
        // A child JVM whose file size limit is 0 bytes: its write of the temp file fails (EFBIG), even as root.
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh for ulimit");
        write(json(access, refresh, "2026-01-15T13:00:00Z"));
        byte[] before = Files.readAllBytes(file);
        Files.setLastModifiedTime(file, OLD_MTIME);
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "ulimit -f 0 && exec \"$@\"", "sh"));
        command.addAll(ChildJvm.command("save-once", file.toString()));

        String out = ChildJvm.run(command);

        assertTrue(out.startsWith("failed: Could not save token file " + file + ": "), out);
        assertTrue(out.contains("File too large"), out);
        assertFalse(out.contains("child-access") || out.contains("child-refresh"), out);
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(OLD_MTIME, Files.getLastModifiedTime(file));
        assertEquals(List.of("token.json"), listing(dir));
    }

    @Test
    void saveOverADirectoryFailsNamingThePathAndDeletesTheTempFile() throws IOException {
        Files.createDirectory(file);
        Files.writeString(file.resolve("keep.txt"), "kept");

        IOException e = SecretTokens.caught(assertThrows(IOException.class,
                () -> store.save(new Token(access, refresh, EXPIRY))));

        assertTrue(e.getMessage().startsWith("Could not save token file " + file + ": "), e.getMessage());
        assertEquals(List.of("token.json"), listing(dir));
        assertEquals(List.of("keep.txt"), listing(file));
        assertNoValuesIn(e.getMessage());
    }

    @Test
    void saveBelowARegularFileFailsNamingThePath() throws IOException {
        Path notADirectory = dir.resolve("plain");
        Files.writeString(notADirectory, "x");
        Path below = notADirectory.resolve("token.json");

        IOException e = SecretTokens.caught(assertThrows(IOException.class,
                () -> new FileTokenStore(below, clock).save(new Token(access, refresh, EXPIRY))));

        assertTrue(e.getMessage().startsWith("Could not save token file " + below + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(notADirectory.toString()), e.getMessage());
        assertEquals("x", Files.readString(notADirectory));
        assertEquals(List.of("plain"), listing(dir));
    }

    @Test
    void saveOfANewFileIntoAReadOnlyDirectoryFailsNamingTheFile() throws IOException {
        // An existing file there is written in place instead: see UnwritableDirectoryTest.
        assumeFalse(runningAsRoot(), "root writes into a read-only directory; see UnwritableDirectoryTest");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        try {
            IOException e = assertThrows(IOException.class, () -> store.save(new Token(access, refresh, EXPIRY)));
            assertTrue(e.getMessage().startsWith("Could not save token file " + file + ": "), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void saveRejectsAnExpiryAfterTheYear9999AndLeavesTheFileAlone() throws IOException {
        write(json(access, refresh, "2026-01-15T13:00:00Z"));
        byte[] before = Files.readAllBytes(file);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.save(new Token(access, refresh, Instant.parse("+10000-01-01T00:00:00Z"))));

        assertTrue(e.getMessage().contains("0000 to 9999"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of("token.json"), listing(dir));
    }

    // ---- concurrency -----------------------------------------------------------------------------------------

    @Test
    void concurrentSavesFromManyThreadsNeverInterleave() throws Exception {
        assertSavesNeverInterleave(List.of(store, store, store, store, store, store, store, store), store);
    }

    @Test
    void concurrentSavesFromTwoStoresOnTheSameFileNeverInterleave() throws Exception {
        FileTokenStore other = new FileTokenStore(file, clock);
        assertSavesNeverInterleave(List.of(store, other, store, other), other);
    }

    @Test
    void lockMakesASecondThreadWaitUntilItIsClosed() throws Exception {
        assertLockExcludes(store, new FileTokenStore(file, clock));
    }

    @Test
    void lockExcludesAStoreThatReachesTheSameFileThroughALinkedDirectory() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), real);

        assertLockExcludes(new FileTokenStore(real.resolve("token.json"), clock),
                new FileTokenStore(alias.resolve("token.json"), clock));
    }

    @Test
    void aSaveFromAnotherThreadDoesNotWaitForTheLock() throws Exception {
        // A refresh holds the lock across a network call; close() saving the newest token on another thread must
        // not wait behind it. Saves are still atomic, and keep apart from each other.
        Token first = new Token(access, refresh, EXPIRY);
        Token second = new Token(SecretTokens.next("AT"), SecretTokens.next("RT"), EXPIRY);
        try (TokenStore.Lock held = store.lock()) {
            store.save(first);
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
                try {
                    store.save(second);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            other.get(10, TimeUnit.SECONDS);
            assertEquals(second, load());
        }
    }

    @Test
    void lockIsSeenByOtherProcesses() throws Exception {
        Path lockFile = dir.resolve("token.json.lock");
        try (TokenStore.Lock held = store.lock()) {
            assertEquals("busy", ChildJvm.run(ChildJvm.command("probe-lock", lockFile.toString())));
        }
        assertEquals("free", ChildJvm.run(ChildJvm.command("probe-lock", lockFile.toString())));
    }

    @Test
    void closingALockTwiceReleasesItOnlyOnce() throws Exception {
        TokenStore.Lock lock = store.lock();
        lock.close();
        lock.close();

        try (TokenStore.Lock again = store.lock()) {
            lock.close();
            assertLockIsHeldAgainstOtherThreads();
        }
        assertAnotherThreadCanLock();
    }

    @Test
    void aThreadHoldingTheLockMayTakeItAgain() throws Exception {
        try (TokenStore.Lock outer = store.lock()) {
            try (TokenStore.Lock inner = store.lock()) {
                store.save(new Token(access, refresh, EXPIRY));
            }
            assertLockIsHeldAgainstOtherThreads();
        }
        assertEquals(new Token(access, refresh, EXPIRY), load());
        assertAnotherThreadCanLock();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private Token load() throws IOException {
        return store.load().orElseThrow();
    }

    private void write(String content) throws IOException {
        Files.writeString(file, content, UTF_8);
    }

    /** A token file with the attributes that are not null, in the order the Go exporter writes them. */
    private static String json(String accessToken, String refreshToken, String expiry) {
        List<String> parts = new ArrayList<>();
        if (accessToken != null) {
            parts.add("\"access_token\":\"" + accessToken + "\"");
        }
        if (refreshToken != null) {
            parts.add("\"refresh_token\":\"" + refreshToken + "\"");
        }
        if (expiry != null) {
            parts.add("\"expiry\":\"" + expiry + "\"");
        }
        return "{" + String.join(",", parts) + "}";
    }

    /** The WARN lines logged since the test began about this test's file. */
    private List<String> warnings() {
        return CapturedLogs.messages(mark, Level.WARN).stream()
                .filter(line -> line.contains(file.toString()))
                .collect(Collectors.toList());
    }

    private String assertOneWarningNaming(String attribute) {
        List<String> warnings = warnings();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(attribute), warnings.get(0));
        assertTrue(warnings.get(0).contains("Token file " + file + " "), "names the file: " + warnings.get(0));
        assertNoValuesIn(warnings.get(0));
        return warnings.get(0);
    }

    /** Each attribute is named by a warning, and nothing else was warned about this file. */
    private void assertWarningsName(String... attributes) {
        List<String> warnings = warnings();
        assertFalse(warnings.isEmpty());
        for (String attribute : attributes) {
            assertTrue(warnings.stream().anyMatch(w -> w.contains(attribute)), attribute + " in " + warnings);
        }
        assertTrue(warnings.size() <= attributes.length, warnings.toString());
        assertNoValuesIn(warnings.toString());
    }

    private void assertNoValuesIn(String text) {
        assertFalse(text.contains(access), text);
        assertFalse(text.contains(refresh), text);
    }

    /** Loads, expecting a {@link TokenFileException}, and checks that the file kept its bytes and mtime. */
    private TokenFileException assertLoadFails() throws IOException {
        byte[] before = Files.readAllBytes(file);
        Files.setLastModifiedTime(file, OLD_MTIME);

        TokenFileException e = SecretTokens.caught(assertThrows(TokenFileException.class, store::load));

        assertTrue(e.getMessage().startsWith("Token file " + file + ": "), e.getMessage());
        assertEquals(file, e.file());
        assertNoValuesIn(e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(OLD_MTIME, Files.getLastModifiedTime(file));
        assertEquals(List.of("token.json"), listing(dir));
        return e;
    }

    private static List<String> listing(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private boolean runningAsRoot() throws IOException {
        Path probe = Files.createTempFile(dir, "uid", ".probe");
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(probe, "unix:uid"));
        } finally {
            Files.delete(probe);
        }
    }

    /**
     * Writers save numbered tokens (each part naming writer and number) while readers load the file over and
     * over; every load must be one complete token as some writer saved it.
     */
    private void assertSavesNeverInterleave(List<FileTokenStore> writers, FileTokenStore reader) throws Exception {
        int savesPerWriter = 40;
        int readers = 2;
        Pattern shape = Pattern.compile("AT-w(\\d+)-n(\\d+)-x+");
        String padding = "x".repeat(300);
        Instant base = Instant.parse("2026-06-01T00:00:00Z");
        store.save(new Token("AT-w0-n0-" + padding, "RT-w0-n0-" + padding, base));
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch readersStarted = new CountDownLatch(readers);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            threads.add(new Thread(() -> {
                readersStarted.countDown();
                do {
                    try {
                        Token token = reader.load().orElseThrow();
                        Matcher m = shape.matcher(String.valueOf(token.accessToken()));
                        long w = m.matches() ? Long.parseLong(m.group(1)) : -1;
                        long n = m.matches() ? Long.parseLong(m.group(2)) : -1;
                        if (w < 0 || !token.refreshToken().equals("RT" + token.accessToken().substring(2))
                                || !token.expiry().equals(base.plusSeconds(w * 1000 + n))) {
                            problems.add("incoherent token " + token);
                        }
                        reads.incrementAndGet();
                    } catch (Throwable t) {
                        problems.add(t.toString());
                    }
                } while (writing.get());
            }));
        }
        List<Thread> writerThreads = new ArrayList<>();
        for (int w = 1; w <= writers.size(); w++) {
            FileTokenStore writer = writers.get(w - 1);
            int id = w;
            writerThreads.add(new Thread(() -> {
                try {
                    go.await();
                    for (int n = 1; n <= savesPerWriter; n++) {
                        String suffix = "-w" + id + "-n" + n + "-" + padding;
                        writer.save(new Token("AT" + suffix, "RT" + suffix, base.plusSeconds(id * 1000L + n)));
                    }
                } catch (Throwable t) {
                    problems.add(t.toString());
                }
            }));
        }
        threads.forEach(Thread::start);
        readersStarted.await();
        writerThreads.forEach(Thread::start);
        go.countDown();
        for (Thread t : writerThreads) {
            t.join();
        }
        writing.set(false);
        for (Thread t : threads) {
            t.join();
        }

        assertEquals(List.of(), new ArrayList<>(problems));
        assertTrue(reads.get() >= readers, "reads: " + reads);
        Matcher last = shape.matcher(load().accessToken());
        assertTrue(last.matches());
        assertEquals(String.valueOf(savesPerWriter), last.group(2), "the file holds some writer's last token");
        assertEquals(List.of("token.json"), listing(dir));
    }

    /** While {@code first} holds the lock, {@code second.lock()} in another thread waits; then it gets it. */
    private static void assertLockExcludes(FileTokenStore first, FileTokenStore second) throws Exception {
        CountDownLatch acquired = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try (TokenStore.Lock lock = second.lock()) {
                acquired.countDown();
                release.await();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try (TokenStore.Lock held = first.lock()) {
            other.start();
            awaitParked(other);
            assertNull(failure.get());
            assertEquals(1, acquired.getCount(), "the second locker got the lock while the first held it");
        }
        assertTrue(acquired.await(10, TimeUnit.SECONDS), "the second locker gets the lock once it is closed");
        release.countDown();
        other.join(10_000);
        assertNull(failure.get());
    }

    /** Another thread's {@code lock()} on this file waits (it is parked) until this thread closes its lock. */
    private void assertLockIsHeldAgainstOtherThreads() throws Exception {
        CountDownLatch acquired = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try (TokenStore.Lock lock = new FileTokenStore(file, clock).lock()) {
                acquired.countDown();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        other.setDaemon(true);
        other.start();
        awaitParked(other);
        assertEquals(1, acquired.getCount(), "another thread got the lock while this thread held it");
    }

    private void assertAnotherThreadCanLock() throws Exception {
        CountDownLatch acquired = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try (TokenStore.Lock lock = new FileTokenStore(file, clock).lock()) {
                acquired.countDown();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        other.setDaemon(true);
        other.start();
        assertTrue(acquired.await(10, TimeUnit.SECONDS), "the lock was not released");
    }

    /**
     * Spins until {@code thread} is parked (waiting for a lock, or between two tries of the OS lock) or has ended; a
     * lock wait does not end by itself for 10 seconds.
     */
    static void awaitParked(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING
                && thread.getState() != Thread.State.TERMINATED) {
            assertTrue(System.nanoTime() < deadline, "thread neither parked nor ended: " + thread.getState());
            Thread.onSpinWait();
        }
    }
}
