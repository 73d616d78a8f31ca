package io.github.netatmotoken.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * The other process in the tests that need one (started by {@link ChildJvm}). Modes:
 * <ul>
 *   <li>{@code loop <file> <run>}: saves tokens numbered 1, 2, 3, … until killed; prints {@code saved 1} after the
 *       first save. Every component of token n carries the run and n (see {@link #token}).</li>
 *   <li>{@code save-once <file>}: saves one token; prints {@code saved} or {@code failed: <message>}.</li>
 *   <li>{@code probe-lock <lock file>}: prints {@code busy} if another process holds the OS lock on the file,
 *       else {@code free}.</li>
 *   <li>{@code hold-lock <file>}: takes the store's lock, prints {@code locked}, waits for a line (or the end) on
 *       stdin, closes the lock and prints {@code released}.</li>
 *   <li>{@code save-twice-and-lock <file>}: saves tokens 1 and 2, takes and closes the lock twice, and prints
 *       {@code saved and locked}, or {@code failed: <message>}.</li>
 * </ul>
 */
final class TokenFileChild {
    /** The expiry of token 0 of every run; token n expires n seconds later. */
    static final Instant BASE_EXPIRY = Instant.parse("2030-01-01T00:00:00Z");

    private TokenFileChild() {
    }

    /** Token {@code n} of run {@code run}: the parent recognizes it and checks that its parts belong together. */
    static Token token(int run, long n) {
        return new Token("child-access-" + run + "-" + n, "child-refresh-" + run + "-" + n,
                BASE_EXPIRY.plusSeconds(n).plusNanos(run));
    }

    public static void main(String[] args) throws IOException {
        switch (args[0]) {
            case "loop" -> loop(Path.of(args[1]), Integer.parseInt(args[2]));
            case "save-once" -> saveOnce(Path.of(args[1]));
            case "probe-lock" -> probeLock(Path.of(args[1]));
            case "hold-lock" -> holdLock(Path.of(args[1]));
            case "save-twice-and-lock" -> saveTwiceAndLock(Path.of(args[1]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void loop(Path file, int run) throws IOException {
        FileTokenStore store = new FileTokenStore(file);
        store.save(token(run, 1));
        System.out.println("saved 1");
        System.out.flush();
        for (long n = 2; ; n++) {
            store.save(token(run, n));
        }
    }

    private static void saveOnce(Path file) {
        try {
            new FileTokenStore(file).save(token(0, 1));
            System.out.println("saved");
        } catch (IOException e) {
            System.out.println("failed: " + e.getMessage());
        }
    }

    private static void probeLock(Path lockFile) throws IOException {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            System.out.println(lock == null ? "busy" : "free");
        }
    }

    private static void holdLock(Path file) throws IOException {
        try (TokenStore.Lock lock = new FileTokenStore(file).lock()) {
            System.out.println("locked");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        System.out.println("released");
    }

    private static void saveTwiceAndLock(Path file) {
        FileTokenStore store = new FileTokenStore(file);
        try {
            store.save(token(0, 1));
            store.save(token(0, 2));
            store.lock().close();
            store.lock(Duration.ZERO).close();
            System.out.println("saved and locked");
        } catch (IOException e) {
            System.out.println("failed: " + e.getMessage());
        }
    }
}
