package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigParserTest {
    private static final Map<String, String> NO_ENV = Map.of();

    private static Config parse(Map<String, String> env, String... args) throws Exception {
        return ConfigParser.parse(args, env);
    }

    @Test
    void defaultsAreTheGoExportersOnes() throws Exception {
        Config config = parse(NO_ENV, "-i", "id", "-s", "secret", "--token-file", "t.json");

        assertNull(config.host());
        assertEquals(9210, config.port());
        assertEquals(Duration.ofMinutes(8), config.refreshInterval());
        assertEquals(Duration.ofMinutes(60), config.ageStale());
        assertEquals("info", config.logLevel());
        assertFalse(config.debugHandlers());
        assertEquals(URI.create("https://api.netatmo.com"), config.apiUrl());
    }

    @Test
    void flagsTakeValuesAfterASpaceOrAnEqualsSign() throws Exception {
        Config config = parse(NO_ENV, "--client-id=id", "--client-secret", "secret", "-a", "127.0.0.1:9999",
                "--token-file=/tmp/t.json", "--debug-handlers", "--refresh-interval", "1h30m", "--age-stale=1.5h",
                "--home-coach=true", "--log-level", "DEBUG");

        assertEquals("127.0.0.1", config.host());
        assertEquals(9999, config.port());
        assertEquals(Path.of("/tmp/t.json"), config.tokenFile());
        assertTrue(config.debugHandlers());
        assertTrue(config.homeCoach());
        assertEquals(Duration.ofMinutes(90), config.refreshInterval());
        assertEquals(Duration.ofMinutes(90), config.ageStale());
        assertEquals("debug", config.logLevel());
    }

    @Test
    void environmentWinsOverFlags() throws Exception {
        Config config = parse(Map.of("NETATMO_CLIENT_ID", "from-env", "NETATMO_EXPORTER_ADDR", ":1234",
                "DEBUG_HANDLERS", "true", "NETATMO_REFRESH_INTERVAL", "90s"),
                "-i", "from-flag", "-s", "secret", "--addr", ":5678", "--refresh-interval", "10m", "--token-file",
                "t.json");

        assertEquals("from-env", config.clientId());
        assertEquals(1234, config.port());
        assertTrue(config.debugHandlers());
        assertEquals(Duration.ofSeconds(90), config.refreshInterval());
    }

    @Test
    void withoutATokenFileOnlyTheDemoOrAStoreStartsAsInTheGoExporter() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(NO_ENV, "-i", "id", "-s", "secret"));
        assertTrue(e.getMessage().startsWith("Missing --token-file: "), e.getMessage());
        assertTrue(e.getMessage().contains("or set NETATMO_EXPORTER_TOKEN_FILE"), e.getMessage());
        // An empty value from the environment is "not set", as for every variable.
        assertThrows(ConfigException.class, () -> parse(Map.of("NETATMO_EXPORTER_TOKEN_FILE", ""), "-i", "id", "-s",
                "secret"));

        assertEquals(Path.of("t.json"), parse(Map.of("NETATMO_EXPORTER_TOKEN_FILE", "t.json"), "-i", "id", "-s",
                "secret").tokenFile());
        assertNull(parse(NO_ENV, "--demo").tokenFile(), "the demo picks its own file");
        assertNull(parse(NO_ENV, "-i", "id", "-s", "secret", "--token-store", "redis://cache:6379").tokenFile());
    }

    @Test
    void demoModeNeedsNoClientAndRefusesAnApiUrl() throws Exception {
        Config config = parse(NO_ENV, "--demo");

        assertEquals(Config.DEMO_CLIENT_ID, config.clientId());
        assertTrue(config.demo());
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(NO_ENV, "--demo", "--api-url", "http://localhost:1"));
        assertTrue(e.getMessage().contains("drop --api-url"));
    }

    @Test
    void theSecretNeverShowsInToString() throws Exception {
        assertFalse(parse(NO_ENV, "-i", "id", "-s", "very-secret", "--token-file", "t.json").toString().contains("very-secret"));
    }

    @Test
    void badValuesSayWhatToFix() {
        assertEquals("--addr \"9210\" has no port; use host:port, for example :9210",
                assertThrows(ConfigException.class, () -> parse(NO_ENV, "-i", "x", "-s", "y", "-a", "9210"))
                        .getMessage());
        assertEquals("--log-level \"loud\" is not one of debug, info, warn, error",
                assertThrows(ConfigException.class, () -> parse(NO_ENV, "-i", "x", "-s", "y", "--log-level", "loud"))
                        .getMessage());
        assertEquals("Flag --token-file needs a value",
                assertThrows(ConfigException.class, () -> parse(NO_ENV, "--token-file")).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> parse(NO_ENV, "-i", "x"))
                .getMessage().startsWith("Missing NetAtmo client secret"));
        assertTrue(assertThrows(ConfigException.class,
                () -> parse(NO_ENV, "-i", "x", "-s", "y", "--api-url", "ftp://x")).getMessage()
                .contains("is not an http(s) URL"));
    }

    @Test
    void goDurationsParseLikeGo() {
        assertEquals(Duration.ofMinutes(8), GoDuration.parse("8m"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("90s"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofMillis(500), GoDuration.parse("500ms"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ofNanos(1_500), GoDuration.parse("1.5us"));
        for (String bad : new String[] {"", "8", "m", "8 m", "8min", "1h-30m", "..5s"}) {
            assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(bad), bad);
        }
    }

    @Test
    void goDurationsFormatLikeGo() {
        assertEquals("8m0s", GoDuration.format(Duration.ofMinutes(8)));
        assertEquals("1h30m0s", GoDuration.format(Duration.ofMinutes(90)));
        assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
        assertEquals("500ms", GoDuration.format(Duration.ofMillis(500)));
    }

    @Test
    void aTokenStoreIsKeyedByTheClientIdUnlessAKeyIsGiven() throws Exception {
        Config jdbc = parse(NO_ENV, "-i", "id", "-s", "secret", "--token-store",
                "jdbc:postgresql://db:5432/app?user=u&password=p");
        Config redis = parse(Map.of("NETATMO_EXPORTER_TOKEN_STORE", "rediss://u:p@cache:6380/2",
                "NETATMO_EXPORTER_TOKEN_STORE_KEY", "house-2"), "-i", "id", "-s", "secret");

        assertEquals(TokenStoreUrl.Kind.POSTGRESQL, jdbc.tokenStore().kind());
        assertEquals("jdbc:postgresql://db:5432/app?user=u&password=p", jdbc.tokenStore().url());
        assertEquals("id", jdbc.tokenStoreKey());
        assertEquals(TokenStoreUrl.Kind.REDIS, redis.tokenStore().kind());
        assertEquals("house-2", redis.tokenStoreKey());
        assertNull(parse(NO_ENV, "-i", "id", "-s", "secret", "--token-file", "t.json").tokenStore(),
                "without --token-store: the file store");
        assertNull(jdbc.tokenFile(), "a store needs no token file");
    }

    @Test
    void aTokenStoreOfAnotherSchemeIsAConfigErrorNamingTheTwoForms() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(NO_ENV, "-i", "id", "-s", "secret",
                "--token-store", "mysql://root:hunter2@db/app"));

        assertEquals("--token-store must be jdbc:postgresql://host:5432/database?user=…&password=… or"
                + " redis://[user:password@]host:6379[/db] (rediss:// for TLS), but it starts with mysql:",
                e.getMessage());
    }

    @Test
    void aPasswordPastedAsTheTokenStoreIsNotQuoted() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(NO_ENV, "-i", "id", "-s", "secret",
                "--token-store", "hunter2-not-a-url"));

        assertTrue(e.getMessage().endsWith("but it does not start with a scheme"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"));
    }

    @Test
    void aTokenStoreUrlTheEngineRefusesIsAConfigErrorWithoutThePassword() {
        ConfigException jdbc = assertThrows(ConfigException.class, () -> parse(NO_ENV, "-i", "id", "-s", "secret",
                "--token-store", "jdbc:postgresql://u:hunter2@db:5432/app"));
        ConfigException redis = assertThrows(ConfigException.class, () -> parse(NO_ENV, "-i", "id", "-s",
                "secret", "--token-store", "redis://:hunter2@cache:notaport"));

        assertTrue(jdbc.getMessage().startsWith("--token-store PostgreSQL URL: "), jdbc.getMessage());
        assertTrue(redis.getMessage().startsWith("--token-store Redis URL: "), redis.getMessage());
        assertFalse(jdbc.getMessage().contains("hunter2"), jdbc.getMessage());
        assertFalse(redis.getMessage().contains("hunter2"), redis.getMessage());
    }

    @Test
    void demoWithATokenStoreIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(NO_ENV, "--demo", "--token-store",
                "redis://cache:6379"));

        assertTrue(e.getMessage().startsWith("--demo runs its own simulated NetAtmo API in each exporter"),
                e.getMessage());
    }

    @Test
    void aTokenStoreKeyWithoutATokenStoreIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(NO_ENV, "-i", "id", "-s", "secret",
                "--token-store-key", "k"));

        assertTrue(e.getMessage().contains("needs --token-store"), e.getMessage());
    }

    @Test
    void configToStringShowsTheTokenStoreWithoutItsPassword() throws Exception {
        Config config = parse(NO_ENV, "-i", "id", "-s", "secret", "--token-store",
                "redis://app:hunter2@cache:6379/1");

        assertTrue(config.toString().contains("tokenStore=redis://app:***@cache:6379/1, tokenStoreKey=id"),
                config.toString());
        assertFalse(config.toString().contains("hunter2"));
    }

    @Test
    void helpNamesTheTokenStoreFlagsAndTheirEnvironmentVariables() {
        String help = ConfigParser.help();

        assertTrue(help.contains("--token-store <value>"), help);
        assertTrue(help.contains("env NETATMO_EXPORTER_TOKEN_STORE)"), help);
        assertTrue(help.contains("env NETATMO_EXPORTER_TOKEN_STORE_KEY)"), help);
    }
}
