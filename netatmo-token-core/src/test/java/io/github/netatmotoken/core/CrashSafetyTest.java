package io.github.netatmotoken.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * Kills a process in the middle of its saves, again and again: the token file must always hold one complete token
 * that the process saved, never a blank, partial or mixed one (the Go exporter's users lost tokens this way).
 */
class CrashSafetyTest {
    private static final int KILLS = 25;
    private static final Pattern CHILD_ACCESS_TOKEN = Pattern.compile("child-access-(\\d+)-(\\d+)");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aProcessKilledAtRandomMomentsWhileSavingLeavesOneCompleteToken() throws Exception {
        Path file = dir.resolve("token.json");
        FileTokenStore store = new FileTokenStore(file, new FakeClock());
        Random random = new Random(20260115L);
        long started = System.nanoTime();
        long saves = 0;
        int mark = CapturedLogs.mark();

        for (int run = 1; run <= KILLS; run++) {
            Process child = ChildJvm.start(ChildJvm.command("loop", file.toString(), String.valueOf(run)));
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8));
                assertEquals("saved 1", out.readLine(), "run " + run + ": the child did not start saving");
                Thread.sleep(random.nextInt(40)); // the kill lands at a random moment of the save loop
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "run " + run + ": the child did not die");
            } finally {
                child.destroyForcibly();
            }

            Token token = store.load().orElseThrow();
            Matcher m = CHILD_ACCESS_TOKEN.matcher(String.valueOf(token.accessToken()));
            assertTrue(m.matches(), "run " + run + ": not a token the child saved: " + token);
            assertEquals(run, Integer.parseInt(m.group(1)), "run " + run + ": a token of an earlier run");
            long n = Long.parseLong(m.group(2));
            assertEquals(TokenFileChild.token(run, n), token, "run " + run + ": parts of different saves");
            saves += n;
        }

        assertEquals(List.of(), CapturedLogs.messages(mark, Level.WARN), "every load found a complete token");
        List<Path> leftovers = leftoverTempFiles(dir);
        for (Path temp : leftovers) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(temp)),
                    "an abandoned temp file holds a token, so it must be owner-only too: " + temp);
        }
        System.out.printf("CrashSafetyTest: %d kills after %d saves in total in %d ms; %d abandoned temp files%n",
                KILLS, saves, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), leftovers.size());
    }

    /** Everything in the directory but the token file: temp files of saves that a kill cut short. */
    private static List<Path> leftoverTempFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> others = files.filter(p -> !p.getFileName().toString().equals("token.json"))
                    .collect(Collectors.toList());
            for (Path p : others) {
                assertTrue(p.getFileName().toString().matches("\\.token\\.json\\.\\d+\\.tmp"), "unexpected " + p);
            }
            return others;
        }
    }
}
