package io.github.netatmotoken.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URL;
import java.util.Collections;
import java.util.List;
import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Proves which OkHttp the other tests ran on: each Surefire execution names the version it puts on the class path
 * (the system property {@code netatmo.test.okhttp.version}), and this test holds it to that.
 */
class OkHttpVersionTest {
    private static final String EXPECTED = System.getProperty("netatmo.test.okhttp.version");

    @Test
    void theTestsRunOnTheOkHttpVersionThatTheExecutionNames() throws Exception {
        assumeTrue(EXPECTED != null, "run by Maven, which names the OkHttp version of each test execution");
        // Read reflectively: OkHttp.VERSION is a compile-time constant, which javac copies in as 5.x.
        assertEquals(EXPECTED, OkHttp.class.getField("VERSION").get(null));
    }

    @Test
    void exactlyOneOkHttpIsOnTheClassPath() throws Exception {
        List<URL> copies = Collections.list(
                OkHttpClient.class.getClassLoader().getResources("okhttp3/OkHttpClient.class"));
        assertEquals(1, copies.size(), copies.toString());
    }

    @Test
    void mockWebServer3ServesTheTestsExactlyWhenOkHttp5IsThere() {
        assumeTrue(EXPECTED != null, "run by Maven, which names the OkHttp version of each test execution");
        boolean okHttp5 = EXPECTED.startsWith("5.");
        assertEquals(okHttp5, isPresent("mockwebserver3.MockWebServer"));
        assertEquals(okHttp5 ? "mockwebserver3" : "jdk", System.getProperty("netatmo.test.server"));
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, OkHttpVersionTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
