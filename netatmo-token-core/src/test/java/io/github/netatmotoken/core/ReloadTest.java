package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RefreshingTokenSource#reload()} against a real token file that the test edits, and {@link TokenStore#inMemory()}. */
class ReloadTest {
    private final FakeClock clock = new FakeClock();
    private final FakeTokenClient client = new FakeTokenClient(clock, Duration.ofHours(3), "refresh-0");
    private final List<Token> adopted = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    private RefreshingTokenSource source(TokenStore store) throws IOException {
        return RefreshingTokenSource.builder().store(store).client(client).clock(clock).ticker(clock)
                .scheduler(new ManualScheduler(clock)).executor(Runnable::run)
                .random(RandomGenerator.of("L64X128MixRandom"))
                .listener(new TokenListener() {
                    @Override
                    public void adopted(Token token) {
                        adopted.add(token);
                    }
                })
                .build();
    }

    private void writeFile(Path file, String access, String refresh, String expiry) throws IOException {
        Files.writeString(file, "{\"access_token\":\"" + access + "\",\"refresh_token\":\"" + refresh
                + "\",\"expiry\":\"" + expiry + "\"}");
    }

    @Test
    void reloadTakesTheTokenAPersonWroteIntoTheFile() throws IOException {
        Path file = dir.resolve("token.json");
        writeFile(file, "access-a", "refresh-a", "2026-01-15T12:00:00Z");
        try (RefreshingTokenSource source = source(new FileTokenStore(file))) {
            assertEquals("access-a", source.token().accessToken());
            writeFile(file, "access-b", "refresh-b", "2026-01-15T11:00:00Z"); // an earlier expiry: still taken

            assertTrue(source.reload());
            assertEquals("access-b", source.token().accessToken());
            assertEquals(List.of("access-b"), adopted.stream().map(Token::accessToken).toList());
            assertEquals(0, client.refreshCount());
        }
    }

    @Test
    void reloadOfTheTokenInUseChangesNothing() throws IOException {
        Path file = dir.resolve("token.json");
        writeFile(file, "access-a", "refresh-a", "2026-01-15T12:00:00Z");
        try (RefreshingTokenSource source = source(new FileTokenStore(file))) {
            assertFalse(source.reload());
            assertTrue(adopted.isEmpty());
        }
    }

    @Test
    void reloadOfAFileThatCannotBeUnderstoodThrowsAndKeepsTheToken() throws IOException {
        Path file = dir.resolve("token.json");
        writeFile(file, "access-a", "refresh-a", "2026-01-15T12:00:00Z");
        try (RefreshingTokenSource source = source(new FileTokenStore(file))) {
            Files.writeString(file, "{\"access_token\": ");
            TokenFileException e = assertThrows(TokenFileException.class, source::reload);
            assertFalse(e.isRetryable());
            assertEquals("access-a", source.token().accessToken());
        }
    }

    @Test
    void reloadEndsTheReauthorizationRequiredState() throws IOException {
        Path file = dir.resolve("token.json");
        writeFile(file, "access-a", "refresh-spent", "2026-01-15T09:00:00Z"); // expired, its refresh token dead
        try (RefreshingTokenSource source = source(new FileTokenStore(file))) {
            assertThrows(ReauthorizationRequiredException.class, source::token);
            writeFile(file, "access-new", "refresh-new", "2026-01-15T13:00:00Z");

            assertTrue(source.reload());
            assertEquals(RefreshingTokenSource.State.VALID, source.status().state());
            assertEquals("access-new", source.token().accessToken());
        }
    }

    @Test
    void aPastedRefreshTokenWithoutAccessTokenIsRefreshedAtOnce() throws IOException {
        Path file = dir.resolve("token.json");
        writeFile(file, "access-a", "refresh-a", "2026-01-15T12:00:00Z");
        try (RefreshingTokenSource source = source(new FileTokenStore(file))) {
            Files.writeString(file, "{\"refresh_token\":\"refresh-0\"}");
            assertTrue(source.reload());
            assertEquals("access-1", source.token().accessToken());
            assertEquals(List.of("refresh-0"), client.refreshTokensSeen());
        }
    }

    @Test
    void whileTheNewestTokenIsNotSavedTheOlderStoreIsNotTaken() throws IOException {
        InMemoryTokenStore store = new InMemoryTokenStore(new Token("access-0", "refresh-0",
                clock.instant().minusSeconds(1)));
        store.failSavesWith("disk full");
        try (RefreshingTokenSource source = source(store)) {
            assertEquals("access-1", source.token().accessToken()); // refreshed, but not saved
            assertTrue(source.status().saveFailed());

            assertFalse(source.reload(), "the store holds the token whose refresh token was just spent");
            assertEquals("access-1", source.token().accessToken());
        }
    }

    @Test
    void reloadOnAClosedSourceThrows() throws IOException {
        RefreshingTokenSource source = source(TokenStore.inMemory());
        source.close();
        assertThrows(IllegalStateException.class, source::reload);
    }

    @Test
    void reloadOfAnEmptyStoreKeepsTheTokenInUse() throws IOException {
        TokenStore store = TokenStore.inMemory();
        try (RefreshingTokenSource source = source(store)) {
            assertFalse(source.reload());
            source.setToken(new Token("access-a", "refresh-a", clock.instant().plus(Duration.ofHours(1))));
            assertFalse(source.reload());
        }
    }

    @Test
    void anInMemoryStoreKeepsWhatWasSavedAndSaysWhereItIs() throws IOException {
        TokenStore store = TokenStore.inMemory();
        assertTrue(store.load().isEmpty());
        Token token = Token.ofRefreshToken("refresh-x");
        store.save(token);
        assertEquals(token, store.load().orElseThrow());
        assertEquals("memory (lost on restart)", store.toString());
        assertThrows(NullPointerException.class, () -> store.save(null));
        try (TokenStore.Lock lock = store.lock(Duration.ofSeconds(1))) {
            assertEquals(token, store.load().orElseThrow());
        }
    }
}
