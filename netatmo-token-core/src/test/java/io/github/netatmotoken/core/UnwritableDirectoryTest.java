package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * A writable token file in a directory that does not let this program create files (a read-only mounted secret; a
 * user's file in a directory of root): saves write the file in place, the lock keeps out this JVM's threads only,
 * each with one WARN per store.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnwritableDirectoryTest {
    private static final Instant EXPIRY = Instant.parse("2026-01-15T13:00:00Z");
    private static final int NOBODY = 65534;
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    @TempDir
    Path dir;

    private Path secrets;
    private Path file;
    private Path lockFile;
    private int mark;

    @BeforeEach
    void setUp() throws IOException {
        secrets = Files.createDirectory(dir.resolve("secrets"));
        file = secrets.resolve("token.json");
        lockFile = secrets.resolve("token.json.lock");
        mark = CapturedLogs.mark();
    }

    // ---- for real: another user's directory ------------------------------------------------------------------

    @Test
    void aChildThatCannotCreateFilesInTheDirectorySavesInPlaceAndLocksWithAWarningEach() throws Exception {
        Files.writeString(file, "{\"refresh_token\":\"" + SecretTokens.next("RT") + "\"}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        List<String> command;
        if (runningAsRoot()) {
            // Root ignores directory permissions: the child runs as nobody, in a directory of root (0755).
            assumeTrue(Files.isExecutable(SETPRIV), "needs " + SETPRIV + " (util-linux) to run a child JVM as"
                    + " another user; the fallbacks are still covered through TokenFileOperations below");
            assumeTrue(canSwitchUser(), "setpriv cannot switch to uid " + NOBODY + " here (no CAP_SETUID?); the"
                    + " fallbacks are still covered through TokenFileOperations below");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setAttribute(file, "unix:uid", NOBODY);
            Files.setAttribute(file, "unix:gid", NOBODY);
            command = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY,
                    "--clear-groups"));
            // The test class path lies partly under /root (~/.m2), which nobody cannot read: give it copies.
            command.addAll(ChildJvm.commandWithClassPath(classPathCopiedTo(Files.createDirectory(dir.resolve("cp"))),
                    "save-twice-and-lock", file.toString()));
        } else {
            Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("r-xr-xr-x"));
            command = ChildJvm.command("save-twice-and-lock", file.toString());
        }
        String out;
        try {
            out = ChildJvm.runWithLog(command);
        } finally {
            Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwx------"));
        }

        assertTrue(out.contains("saved and locked"), out);
        assertEquals(TokenFileChild.token(0, 2), new FileTokenStore(file).load().orElseThrow());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        if (runningAsRoot()) {
            assertEquals(NOBODY, Files.getAttribute(file, "unix:uid"), "the same file, written in place by nobody");
        }
        assertEquals(List.of("token.json"), listing(secrets), "neither a temp file nor a lock file");
        List<String> warnings = out.lines().filter(l -> l.contains(" WARN ")).collect(Collectors.toList());
        assertEquals(2, warnings.size(), out);
        assertTrue(warnings.get(0).endsWith(saveWarning("permission denied")), out);
        assertTrue(warnings.get(1).endsWith(lockWarning("permission denied")), out);
    }

    // ---- through TokenFileOperations: each fault on every machine ---------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("cannotCreateFaults")
    void aDirectoryThatCannotBeWrittenGetsSavesInPlaceAndAnInProcessLock(Fault fault, String reason)
            throws Exception {
        Files.writeString(file, "{\"refresh_token\":\"" + SecretTokens.next("RT") + "\"}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        FileTokenStore store = new FileTokenStore(file, new FakeClock(), failingCreation(fault));
        Token second = token();

        store.save(token());
        store.save(second);
        try (TokenStore.Lock lock = store.lock(Duration.ZERO)) {
            assertAnotherThreadCannotLock();
        }
        store.lock(Duration.ZERO).close();

        assertEquals(second, new FileTokenStore(file).load().orElseThrow());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of("token.json"), listing(secrets));
        assertEquals(List.of(saveWarning(reason), lockWarning(reason)), warnings());
    }

    static Stream<Arguments> cannotCreateFaults() {
        return Stream.of(
                Arguments.of(Named.of("permission denied", (Fault) p -> new AccessDeniedException(p.toString())),
                        "permission denied"),
                Arguments.of(Named.of("read-only file system (EROFS)",
                        (Fault) p -> new FileSystemException(p.toString(), null, "Read-only file system")),
                        "read-only file system"),
                Arguments.of(Named.of("read-only Java file system",
                        (Fault) p -> new ReadOnlyFileSystemException()), "read-only file system"));
    }

    @Test
    void aNewTokenFileInADirectoryThatCannotBeWrittenFailsNamingTheTokenFile() throws IOException {
        FileTokenStore store = new FileTokenStore(file, new FakeClock(),
                failingCreation(p -> new AccessDeniedException(p.toString())));

        IOException e = SecretTokens.caught(assertThrows(IOException.class, () -> store.save(token())));

        assertTrue(e.getMessage().startsWith("Could not save token file " + file + ": AccessDeniedException ("
                + secrets.resolve(".token.json.")), e.getMessage());
        assertEquals(List.of(), listing(secrets));
        assertEquals(List.of(), warnings());
    }

    @Test
    void otherFailuresToCreateTheTempFileFailTheSaveAndLeaveTheFileAlone() throws IOException {
        String before = "{\"refresh_token\":\"" + SecretTokens.next("RT") + "\"}";
        Files.writeString(file, before);
        FileTime mtime = FileTime.from(Instant.parse("2020-02-02T02:02:02Z"));
        Files.setLastModifiedTime(file, mtime);
        FileTokenStore store = new FileTokenStore(file, new FakeClock(),
                failingCreation(p -> new FileSystemException(p.toString(), null, "No space left on device")));

        IOException e = SecretTokens.caught(assertThrows(IOException.class, () -> store.save(token())));

        assertTrue(e.getMessage().startsWith("Could not save token file " + file + ": No space left on device"),
                e.getMessage());
        assertEquals(before, Files.readString(file));
        assertEquals(mtime, Files.getLastModifiedTime(file));
        assertEquals(List.of(), warnings());
    }

    @Test
    void otherFailuresToOpenTheLockFileFailTheLockNamingBothFiles() throws Exception {
        FileTokenStore store = new FileTokenStore(file, new FakeClock(),
                failingCreation(p -> new FileSystemException(p.toString(), null, "Input/output error")));

        IOException e = SecretTokens.caught(assertThrows(IOException.class, () -> store.lock(Duration.ZERO)));

        assertEquals("Could not lock token file " + file + " via " + lockFile + ": Input/output error (" + lockFile
                + ")", e.getMessage());
        assertEquals(List.of(), warnings());
        assertEquals(null, lockInAnotherThread().get(), "no lock is left held");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** The exception a faulty call raises for the path it was given. */
    @FunctionalInterface
    interface Fault {
        Exception at(Path path);
    }

    /** Creating the temp file and opening the lock file fail with {@code fault}; everything else is real. */
    private static TokenFileOperations failingCreation(Fault fault) {
        return new TokenFileOperations() {
            @Override
            public Path createTempFile(Path directory, String prefix, FileAttribute<?>... attributes)
                    throws IOException {
                throw raise(fault.at(directory.resolve(prefix + "123.tmp")));
            }

            @Override
            public FileChannel openLockFile(Path lock, FileAttribute<?>... attributes) throws IOException {
                throw raise(fault.at(lock));
            }
        };
    }

    private static IOException raise(Exception e) {
        if (e instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        return (IOException) e;
    }

    private String saveWarning(String reason) {
        return "Token file " + file + ": cannot create a temporary file in " + secrets + " (" + reason + "), so the"
                + " token file is written in place instead of replaced atomically: a crash during a save can leave a"
                + " partial file. Let this program create files in " + secrets + " to make saves atomic again";
    }

    private String lockWarning(String reason) {
        return "Token file " + file + ": cannot create its lock file " + lockFile + " (" + reason + "), so its lock"
                + " keeps out only the other threads of this program, not other processes: two programs using this"
                + " token file could spend the same refresh token. Let this program create files in " + secrets
                + ", or make sure that no other program uses the token file";
    }

    private void assertAnotherThreadCannotLock() throws Exception {
        assertTrue(lockInAnotherThread().isCompletedExceptionally(),
                "another thread got the lock while this one held it");
    }

    /** Another thread's {@code lock(Duration.ZERO)} and close: completed normally if it got the lock. */
    private CompletableFuture<Void> lockInAnotherThread() throws InterruptedException {
        CompletableFuture<Void> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try (TokenStore.Lock lock = new FileTokenStore(file).lock(Duration.ZERO)) {
                result.complete(null);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        thread.start();
        thread.join(TimeUnit.SECONDS.toMillis(30));
        return result;
    }

    private static Token token() {
        return new Token(SecretTokens.next("AT"), SecretTokens.next("RT"), EXPIRY);
    }

    private List<String> warnings() {
        return CapturedLogs.messages(mark, Level.WARN).stream()
                .filter(line -> line.contains(file.toString()))
                .collect(Collectors.toList());
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

    private static boolean canSwitchUser() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(SETPRIV.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", "true").redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    /**
     * Copies what {@link TokenFileChild} needs (this module's classes, the test classes with the log capture, SLF4J
     * and Jackson) to {@code into}, readable by everyone, and returns the class path of the copies.
     */
    private static String classPathCopiedTo(Path into) throws Exception {
        Files.setPosixFilePermissions(into, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> entries = new ArrayList<>();
        for (Class<?> type : List.of(FileTokenStore.class, TokenFileChild.class, LoggerFactory.class,
                ObjectMapper.class, JsonFactory.class, JsonProperty.class)) {
            Path source = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path copy = into.resolve(entries.size() + "-" + source.getFileName());
            try (Stream<Path> tree = Files.walk(source)) {
                for (Path each : (Iterable<Path>) tree::iterator) {
                    Path to = copy.resolve(source.relativize(each).toString());
                    if (Files.isDirectory(each)) {
                        Files.createDirectories(to);
                        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
                    } else {
                        Files.copy(each, to);
                        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
            }
            entries.add(copy.toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
