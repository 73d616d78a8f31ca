package io.github.netatmotoken.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.jdbc.JdbcUrl.Address;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JdbcUrlTest {
    private static final String SECRET = "s3cret-Pa55";

    @Test
    void takesAFullUrlApart() {
        JdbcUrl url = JdbcUrl.parse("jdbc:postgresql://db.example.org:6543/netatmo?user=app&password=" + SECRET
                + "&ssl=true");
        assertEquals(List.of(new Address("db.example.org", 6543)), url.addresses());
        assertEquals("netatmo", url.database());
        assertEquals("app", url.user());
        assertTrue(url.hasPassword());
        assertEquals(SECRET, url.parameter("password"));
        assertEquals("true", url.parameter("ssl"));
        assertNull(url.parameter("sslmode"));
    }

    @Test
    void toStringReplacesThePasswordAndKeepsEverythingElse() {
        JdbcUrl url = JdbcUrl.parse("jdbc:postgresql://h:6543/db?user=app&password=" + SECRET + "&ssl=true");
        assertEquals("jdbc:postgresql://h:6543/db?user=app&password=***&ssl=true", url.toString());
    }

    @Test
    void everyParameterNamedForAPasswordIsRedacted() {
        String text = JdbcUrl.parse("jdbc:postgresql://h/db?sslpassword=" + SECRET + "&PASSWORD=" + SECRET
                + "&sslkey=/k.pk8").toString();
        assertEquals("jdbc:postgresql://h/db?sslpassword=***&PASSWORD=***&sslkey=/k.pk8", text);
    }

    @Test
    void anEncodedPasswordIsDecodedAndAppearsInNeitherForm() {
        JdbcUrl url = JdbcUrl.parse("jdbc:postgresql://h/db?password=p%40ss+w%26rd%C3%A9&user=a%20b");
        assertEquals("p@ss w&rdé", url.parameter("password"));
        assertEquals("a b", url.user());
        assertEquals("jdbc:postgresql://h/db?password=***&user=a%20b", url.toString());
    }

    @Test
    void anEmptyPasswordIsShownAsItIs() {
        JdbcUrl url = JdbcUrl.parse("jdbc:postgresql://h/db?password=&user=u");
        assertTrue(url.hasPassword());
        assertEquals("jdbc:postgresql://h/db?password=&user=u", url.toString());
    }

    @Test
    void withoutParametersThereIsNoUserAndNoPassword() {
        JdbcUrl url = JdbcUrl.parse("jdbc:postgresql://h:1/db");
        assertNull(url.user());
        assertFalse(url.hasPassword());
        assertEquals("jdbc:postgresql://h:1/db", url.toString());
    }

    @Test
    void aMissingPortIs5432AndAnEmptyHostIsLocalhost() {
        assertEquals(List.of(new Address("h", 5432)), JdbcUrl.parse("jdbc:postgresql://h/db").addresses());
        assertEquals(List.of(new Address("localhost", 7)), JdbcUrl.parse("jdbc:postgresql://:7/db").addresses());
        assertEquals(List.of(new Address("localhost", 5432)), JdbcUrl.parse("jdbc:postgresql:///db").addresses());
    }

    @Test
    void aDatabaseNameAloneMeansLocalhost() {
        JdbcUrl url = JdbcUrl.parse("jdbc:postgresql:netatmo?user=u");
        assertEquals(List.of(new Address("localhost", 5432)), url.addresses());
        assertEquals("netatmo", url.database());
        assertEquals("u", url.user());
        assertEquals("", JdbcUrl.parse("jdbc:postgresql:").database());
    }

    @Test
    void aMissingDatabaseIsEmpty() {
        assertEquals("", JdbcUrl.parse("jdbc:postgresql://h:5/").database());
        assertEquals("a b/c", JdbcUrl.parse("jdbc:postgresql://h/a%20b%2Fc").database());
    }

    @Test
    void severalHostsAndIpv6() {
        JdbcUrl url = JdbcUrl.parse("jdbc:postgresql://a:1,[::1]:2,[fe80::1],b/db");
        assertEquals(List.of(new Address("a", 1), new Address("::1", 2), new Address("fe80::1", 5432),
                new Address("b", 5432)), url.addresses());
        assertEquals("[::1]:2", url.addresses().get(1).toString());
        assertEquals("a:1", url.addresses().get(0).toString());
    }

    @Test
    void aParameterWithoutValueIsEmptyAndTheLastOfANameWins() {
        JdbcUrl url = JdbcUrl.parse("jdbc:postgresql://h/db?ssl&&user=a&user=b");
        assertEquals("", url.parameter("ssl"));
        assertEquals("b", url.user());
        assertEquals("jdbc:postgresql://h/db?ssl&user=a&user=b", url.toString());
    }

    /** Whatever this class reads, PgJDBC reads the same way. */
    @ParameterizedTest
    @ValueSource(strings = {
        "jdbc:postgresql://db.example.org:6543/netatmo?user=app&password=p%40ss+w",
        "jdbc:postgresql://h/db",
        "jdbc:postgresql://:7/db",
        "jdbc:postgresql://[::1]:7/d?user=u",
        "jdbc:postgresql://a:1,b/d?ssl",
        "jdbc:postgresql:netatmo?user=u",
        "jdbc:postgresql://h:5/",
    })
    void readsAsPgJdbcDoes(String text) {
        JdbcUrl url = JdbcUrl.parse(text);
        Properties pg = org.postgresql.Driver.parseURL(text, null);
        assertNotNull(pg, text);
        assertEquals(pg.getProperty("PGHOST"), url.addresses().stream()
                .map(a -> a.host().contains(":") ? "[" + a.host() + "]" : a.host())
                .reduce((a, b) -> a + "," + b).orElseThrow());
        assertEquals(pg.getProperty("PGPORT"), url.addresses().stream().map(a -> String.valueOf(a.port()))
                .reduce((a, b) -> a + "," + b).orElseThrow());
        assertEquals(pg.getProperty("PGDBNAME", ""), url.database());
        assertEquals(pg.getProperty("user"), url.user());
        assertEquals(pg.getProperty("password"), url.parameter("password"));
    }

    /** What this class refuses, PgJDBC refuses too (it returns null and logs, sometimes quoting the password). */
    @ParameterizedTest
    @ValueSource(strings = {
        "jdbc:postgresql://h",
        "jdbc:postgresql://u:" + SECRET + "@h/db",
        "jdbc:postgresql://h:x/db",
        "jdbc:postgresql://h:0/db",
        "jdbc:postgresql://h:65536/db",
        "jdbc:postgresql://h/db?password=a%zz",
        "jdbc:postgresql:/",
        "jdbc:mysql://h/db",
    })
    void refusesWhatPgJdbcRefuses(String text) {
        assertThrows(IllegalArgumentException.class, () -> JdbcUrl.parse(text));
        assertNull(org.postgresql.Driver.parseURL(text, null), text);
    }

    @Test
    void nullIsRefusedByName() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> JdbcUrl.parse(null));
        assertEquals("url", e.getMessage());
    }

    @Test
    void anotherSchemeIsNamed() {
        assertEquals("A PostgreSQL JDBC URL starts with jdbc:postgresql:, but this one starts with jdbc:mysql:",
                refused("jdbc:mysql://h/db?password=" + SECRET));
        assertEquals("A PostgreSQL JDBC URL starts with jdbc:postgresql:, but this one starts with postgres://",
                refused("postgres://u:" + SECRET + "@h/db"));
        assertEquals("A PostgreSQL JDBC URL starts with jdbc:postgresql:, but this one starts with jdbc:",
                refused("jdbc:" + SECRET + "!:x"));
    }

    @Test
    void aPasswordGivenInsteadOfAUrlIsNotQuoted() {
        assertEquals("A PostgreSQL JDBC URL starts with jdbc:postgresql:, but this one does not start with a scheme",
                refused(SECRET));
        assertEquals("A PostgreSQL JDBC URL starts with jdbc:postgresql:, but this one does not start with a scheme",
                refused(SECRET + ":" + SECRET));
        assertEquals("A PostgreSQL JDBC URL starts with jdbc:postgresql:, but this one does not start with a scheme",
                refused("-" + SECRET + "://h"));
        assertEquals("A PostgreSQL JDBC URL starts with jdbc:postgresql:, but this one does not start with a scheme",
                refused(""));
    }

    @Test
    void userAndPasswordBeforeTheHostAreRefusedWithoutQuotingThem() {
        String message = refused("jdbc:postgresql://app:" + SECRET + "@h:5432/db");
        assertEquals("A PostgreSQL JDBC URL cannot hold user:password@ before the host; pass them as parameters"
                + " (jdbc:postgresql://host:5432/database?user=…&password=…) or to the DataSource", message);
        assertFalse(refused("jdbc:postgresql://app:" + SECRET + "@h").contains(SECRET));
        assertFalse(refused("jdbc:postgresql:app:" + SECRET + "@h").contains(SECRET));
    }

    @Test
    void aMissingSlashAfterTheHostIsNamed() {
        assertEquals("A PostgreSQL JDBC URL needs a / after the host and port (jdbc:postgresql://host:5432/database"
                + " or jdbc:postgresql://host:5432/), but jdbc:postgresql://h:5432 has none",
                refused("jdbc:postgresql://h:5432?password=" + SECRET));
    }

    @Test
    void aBadPortIsNamedWithItsHost() {
        assertEquals("The port of host h in the JDBC URL must be a number from 1 to 65535, but is 70000",
                refused("jdbc:postgresql://h:70000/db"));
        assertEquals("The port of host h in the JDBC URL must be a number from 1 to 65535, but is 0",
                refused("jdbc:postgresql://h:0/db"));
        assertEquals("The port of host h in the JDBC URL must be a number from 1 to 65535",
                refused("jdbc:postgresql://h:" + SECRET + "/db"));
        assertEquals("The port of host h in the JDBC URL must be a number from 1 to 65535",
                refused("jdbc:postgresql://h:1234567/db"));
        assertEquals("The port of host ::1 in the JDBC URL must be a number from 1 to 65535",
                refused("jdbc:postgresql://[::1]:/db"));
        assertEquals("The port of host h in the JDBC URL must be a number from 1 to 65535",
                refused("jdbc:postgresql://h:/db"));
    }

    @Test
    void aBrokenIpv6AddressIsNamed() {
        assertEquals("The IPv6 address [::1 in the JDBC URL has no closing ]", refused("jdbc:postgresql://[::1/db"));
        assertEquals("After the IPv6 address [::1] the JDBC URL needs :port, a comma or /",
                refused("jdbc:postgresql://[::1]x/db"));
    }

    @Test
    void brokenPercentEncodingNamesTheParameterButNotItsValue() {
        assertEquals("In the JDBC URL, the value of parameter 'password' has a % that is not followed by two"
                + " hexadecimal digits (write %25 for %)", refused("jdbc:postgresql://h/db?password=" + SECRET + "%"));
        assertEquals("In the JDBC URL, the value of parameter 'password' has a % that is not followed by two"
                + " hexadecimal digits (write %25 for %)", refused("jdbc:postgresql://h/db?password=%4"));
        assertEquals("In the JDBC URL, the database name has a % that is not followed by two hexadecimal digits"
                + " (write %25 for %)", refused("jdbc:postgresql://h/50%"));
        assertEquals("In the JDBC URL, a parameter name has a % that is not followed by two hexadecimal digits"
                + " (write %25 for %)", refused("jdbc:postgresql://h/db?a%g=1"));
    }

    @Test
    void aDatabaseNameAloneCannotHoldASlashOrAnAt() {
        String message = "A PostgreSQL JDBC URL is jdbc:postgresql:database or"
                + " jdbc:postgresql://host:5432/database?user=…&password=…; a database name alone cannot contain"
                + " / or @";
        assertEquals(message, refused("jdbc:postgresql:/"));
        assertEquals(message, refused("jdbc:postgresql:h:5432/db"));
        assertEquals(message, refused("jdbc:postgresql:u:" + SECRET + "@h"));
    }

    private static String refused(String text) {
        String message = assertThrows(IllegalArgumentException.class, () -> JdbcUrl.parse(text)).getMessage();
        assertFalse(message.contains(SECRET), message);
        return message;
    }
}
