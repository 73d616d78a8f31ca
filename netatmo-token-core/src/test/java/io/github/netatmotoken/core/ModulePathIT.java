package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar is the module {@code io.github.netatmotoken.core} on the module path, and works there. */
class ModulePathIT {

    @Test
    void theCoreJarWorksAsANamedModule(@TempDir Path work) throws Exception {
        String output = ModulePathCheck.compileAndRun(work, Path.of(System.getProperty("netatmo.it.jar")),
                List.of("jackson-core-", "slf4j-api-"),
                "module check { requires io.github.netatmotoken.core; }",
                """
                package check;

                import io.github.netatmotoken.core.FileTokenStore;
                import io.github.netatmotoken.core.NetatmoOAuthClient;
                import io.github.netatmotoken.core.Token;
                import java.nio.file.Files;
                import java.time.Instant;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        FileTokenStore store = new FileTokenStore(Files.createTempDirectory("m").resolve("t.json"));
                        Token token = new Token("a", "r", Instant.parse("2030-01-01T00:00:00Z"));
                        store.save(token);
                        if (!store.load().orElseThrow().equals(token)) {
                            throw new AssertionError("round trip failed");
                        }
                        NetatmoOAuthClient.builder().clientId("id").clientSecret("secret").build();
                        System.out.print(Token.class.getModule().getName());
                    }
                }
                """);
        assertEquals("io.github.netatmotoken.core", output.lines().reduce((a, b) -> b).orElse(""), output);
    }
}
