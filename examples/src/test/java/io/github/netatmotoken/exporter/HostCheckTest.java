package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class HostCheckTest {
    private final HostCheck check = new HostCheck(Set.of("Exporter.Example.org", "nas"));

    @Test
    void addressesLocalhostAndTheGivenNamesPass() {
        for (String host : new String[] {"127.0.0.1:9210", "192.168.1.20", "[::1]:9210", "[fe80::1]", "localhost",
                "LOCALHOST:9210", "app.localhost:80", "exporter.example.org", "exporter.example.org.:443",
                "nas:9210"}) {
            assertTrue(check.allows(host), host);
        }
    }

    @Test
    void otherNamesAndMalformedHostsAreRefused() {
        for (String host : new String[] {"rebind.example", "rebind.example:9210", "nas.attacker.example",
                "exporter.example.org.attacker.example", "127.0.0.1.nip.io", "999.1.1.1", "localhost.attacker",
                "", "exporter.example.org:abc", "[::1", "[::1]x", "a b", "nas:99999999"}) {
            assertFalse(check.allows(host), host);
        }
        assertFalse(check.allows(null));
    }

    @Test
    void hostOfStripsPortBracketsCaseAndTheTrailingDot() {
        assertEquals("example.org", HostCheck.hostOf("Example.ORG.:8080"));
        assertEquals("::1", HostCheck.hostOf("[::1]:9210"));
        assertNull(HostCheck.hostOf("ex_ample.org"));
    }
}
