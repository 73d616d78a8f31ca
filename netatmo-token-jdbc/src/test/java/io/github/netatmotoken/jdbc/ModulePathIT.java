package io.github.netatmotoken.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.netatmotoken.core.ModulePathCheck;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar is the module {@code io.github.netatmotoken.jdbc} on the module path, and gives its users
 * {@code java.sql} and the core module. (It has no public class yet: the check loads the package's one class.)
 */
class ModulePathIT {

    @Test
    void theJdbcJarWorksAsANamedModule(@TempDir Path work) throws Exception {
        String output = ModulePathCheck.compileAndRun(work, Path.of(System.getProperty("netatmo.it.jar")),
                List.of("netatmo-token-core-0", "jackson-core-", "slf4j-api-"),
                "module check { requires io.github.netatmotoken.jdbc; }",
                """
                package check;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        Module jdbc = Class.forName("io.github.netatmotoken.jdbc.JdbcUrl").getModule();
                        System.out.print(jdbc.getName() + " " + jdbc.isExported("io.github.netatmotoken.jdbc")
                                + " " + javax.sql.DataSource.class.getModule().getName()
                                + " " + io.github.netatmotoken.core.TokenStore.class.getModule().getName());
                    }
                }
                """);
        assertEquals("io.github.netatmotoken.jdbc true java.sql io.github.netatmotoken.core",
                output.lines().reduce((a, b) -> b).orElse(""), output);
    }
}
