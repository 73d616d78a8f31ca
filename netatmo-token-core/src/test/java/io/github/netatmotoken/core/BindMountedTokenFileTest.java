package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * A token file bind-mounted on its own ({@code docker run -v ./token.json:/data/token.json}) cannot be replaced by a
 * rename (EBUSY), so it is written in place, with one WARN per store.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BindMountedTokenFileTest {
    private static final Instant EXPIRY = Instant.parse("2026-01-15T13:00:00Z");

    @TempDir
    Path dir;

    private Path data;
    private Path file;
    private int mark;
    private @Nullable Path mounted;

    @BeforeEach
    void setUp() throws IOException {
        data = Files.createDirectory(dir.resolve("data"));
        file = data.resolve("token.json");
        mark = CapturedLogs.mark();
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            Process umount = new ProcessBuilder("umount", mounted.toString()).redirectErrorStream(true).start();
            String out = new String(umount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(umount.waitFor(30, TimeUnit.SECONDS) && umount.exitValue() == 0, "umount: " + out);
        }
    }

    @Test
    void aBindMountedTokenFileIsWrittenInPlaceWithOneWarning() throws Exception {
        Path host = Files.createDirectory(dir.resolve("host")).resolve("token.json");
        Files.writeString(host, "{\"refresh_token\":\"" + SecretTokens.next("RT") + "\"}");
        Files.setPosixFilePermissions(host, PosixFilePermissions.fromString("rw-------"));
        Files.createFile(file);
        bindMount(host, file);
        FileTokenStore store = new FileTokenStore(file);
        Token first = token();
        Token second = token();

        store.save(first);
        store.save(second);

        assertEquals(second, new FileTokenStore(host).load().orElseThrow(), "the file outside the mount has it");
        assertEquals(second, store.load().orElseThrow());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(host)));
        assertEquals(List.of("token.json"), listing(data), "no temporary file left behind");
        assertOneMountWarning();
    }

    @Test
    void aRenameRefusedWithEbusyIsWrittenInPlaceWithOneWarning() throws IOException {
        Files.writeString(file, "{\"refresh_token\":\"" + SecretTokens.next("RT") + "\"}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        FileTokenStore store = new FileTokenStore(file, new FakeClock(), new TokenFileOperations() {
            @Override
            public void replace(Path temp, Path target) throws IOException {
                assertTrue(Files.exists(temp), "the temp file was written");
                throw new FileSystemException(temp.toString(), target.toString(), "Device or resource busy");
            }
        });
        Token first = token();
        Token second = token();

        store.save(first);
        assertEquals(first, store.load().orElseThrow());
        store.save(second);

        assertEquals(second, new FileTokenStore(file).load().orElseThrow());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                "made owner-only, as an atomic save would");
        assertEquals(List.of("token.json"), listing(data), "the temp file is deleted");
        assertOneMountWarning();
    }

    @Test
    void eachStoreWarnsOnceForItself() throws IOException {
        Files.writeString(file, "{}");
        TokenFileOperations busy = new TokenFileOperations() {
            @Override
            public void replace(Path temp, Path target) throws IOException {
                throw new FileSystemException(temp.toString(), target.toString(), "Device or resource busy");
            }
        };

        new FileTokenStore(file, new FakeClock(), busy).save(token());
        new FileTokenStore(file, new FakeClock(), busy).save(token());

        assertEquals(2, warnings().size(), warnings().toString());
    }

    @Test
    void anotherRenameFailureFailsTheSaveNamingTheTokenFileAndLeavesItAlone() throws IOException {
        String before = "{\"refresh_token\":\"" + SecretTokens.next("RT") + "\"}";
        Files.writeString(file, before);
        FileTime mtime = FileTime.from(Instant.parse("2020-02-02T02:02:02Z"));
        Files.setLastModifiedTime(file, mtime);
        FileTokenStore store = new FileTokenStore(file, new FakeClock(), new TokenFileOperations() {
            @Override
            public void replace(Path temp, Path target) throws IOException {
                throw new FileSystemException(temp.toString(), target.toString(), "Input/output error");
            }
        });

        IOException e = SecretTokens.caught(assertThrows(IOException.class, () -> store.save(token())));

        assertTrue(e.getMessage().startsWith("Could not save token file " + file + ": Input/output error ("),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; the previous file is unchanged"), e.getMessage());
        assertEquals(before, Files.readString(file));
        assertEquals(mtime, Files.getLastModifiedTime(file));
        assertEquals(List.of("token.json"), listing(data));
        assertEquals(List.of(), warnings());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Token token() {
        return new Token(SecretTokens.next("AT"), SecretTokens.next("RT"), EXPIRY);
    }

    /** {@code mount --bind source target}, or the test is skipped if this machine does not allow it. */
    private void bindMount(Path source, Path target) throws Exception {
        Process mount;
        try {
            mount = new ProcessBuilder("mount", "--bind", source.toString(), target.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no mount command to bind-mount a single file (" + e.getMessage() + "); the EBUSY"
                    + " fallback is still covered by aRenameRefusedWithEbusyIsWrittenInPlaceWithOneWarning");
            return;
        }
        String out = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(mount.waitFor(30, TimeUnit.SECONDS), "mount did not end");
        assumeTrue(mount.exitValue() == 0, "mount --bind is not permitted here (it needs root, or CAP_SYS_ADMIN"
                + " in a container): " + out + "; the EBUSY fallback is still covered by"
                + " aRenameRefusedWithEbusyIsWrittenInPlaceWithOneWarning");
        mounted = target;
    }

    private void assertOneMountWarning() {
        assertEquals(List.of("Token file " + file + " is a mount point of its own (a single file bind-mounted into a"
                + " container, as with docker run -v ./token.json:/data/token.json?), so it cannot be replaced"
                + " atomically and is written in place: a crash during a save can leave a partial file. Mount the"
                + " directory that holds it instead (docker run -v ./data:/data)"), warnings());
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
}
