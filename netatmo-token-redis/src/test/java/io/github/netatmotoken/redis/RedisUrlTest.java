package io.github.netatmotoken.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RedisUrlTest {
    private static final String SECRET = "s3cret-Pa55";

    @Test
    void takesAFullUrlApart() {
        RedisUrl url = RedisUrl.parse("redis://app:" + SECRET + "@cache.example.org:6380/3");
        assertFalse(url.tls());
        assertEquals("cache.example.org", url.host());
        assertEquals(6380, url.port());
        assertEquals("app", url.user());
        assertEquals(SECRET, url.password());
        assertEquals(3, url.database());
    }

    @Test
    void toStringReplacesThePassword() {
        assertEquals("redis://app:***@cache.example.org:6380/3",
                RedisUrl.parse("redis://app:" + SECRET + "@cache.example.org:6380/3").toString());
        assertEquals("redis://:***@h:6379/0", RedisUrl.parse("redis://:" + SECRET + "@h").toString());
    }

    @Test
    void rediss_meansTls() {
        RedisUrl url = RedisUrl.parse("rediss://h:6380");
        assertTrue(url.tls());
        assertEquals("rediss://h:6380/0", url.toString());
    }

    @Test
    void theSchemeIgnoresCase() {
        assertTrue(RedisUrl.parse("REDISS://h").tls());
        assertFalse(RedisUrl.parse("Redis://h").tls());
    }

    @Test
    void defaultsArePort6379DatabaseZeroAndNoCredentials() {
        RedisUrl url = RedisUrl.parse("redis://h");
        assertEquals(6379, url.port());
        assertEquals(0, url.database());
        assertNull(url.user());
        assertNull(url.password());
        assertEquals("redis://h:6379/0", url.toString());
        assertEquals(0, RedisUrl.parse("redis://h:1/").database());
    }

    @Test
    void aPasswordAloneIsWrittenWithALeadingColon() {
        RedisUrl url = RedisUrl.parse("redis://:" + SECRET + "@h");
        assertNull(url.user());
        assertEquals(SECRET, url.password());
    }

    @Test
    void aUserWithAnEmptyPasswordHasNoPassword() {
        RedisUrl url = RedisUrl.parse("redis://app:@h");
        assertEquals("app", url.user());
        assertNull(url.password());
        assertEquals("redis://app:@h:6379/0", url.toString());
        assertEquals("app", RedisUrl.parse(url.toString()).user());
        assertEquals("redis://h:6379/0", RedisUrl.parse("redis://:@h").toString());
    }

    @Test
    void userAndPasswordArePercentDecoded() {
        RedisUrl url = RedisUrl.parse("redis://a%20p%40p:p%40ss%3Aw%2Frd%C3%A9+@h");
        assertEquals("a p@p", url.user());
        assertEquals("p@ss:w/rdé+", url.password());
        assertEquals("redis://a%20p%40p:***@h:6379/0", url.toString());
        assertEquals("a p@p", RedisUrl.parse(url.toString()).user());
    }

    @Test
    void theLastAtEndsTheUserInfoSoAPasswordMayHoldAnyCharacter() {
        RedisUrl url = RedisUrl.parse("redis://app:p@ss/w:rd?#@h:7/2");
        assertEquals("app", url.user());
        assertEquals("p@ss/w:rd?#", url.password());
        assertEquals("h", url.host());
        assertEquals(7, url.port());
        assertEquals(2, url.database());
    }

    @Test
    void ipv6HostsGoInBrackets() {
        RedisUrl url = RedisUrl.parse("redis://[::1]:7000/1");
        assertEquals("::1", url.host());
        assertEquals(7000, url.port());
        assertEquals("redis://[::1]:7000/1", url.toString());
        assertEquals(6379, RedisUrl.parse("redis://[fe80::1]").port());
        assertEquals(2, RedisUrl.parse("redis://[fe80::1]/2").database());
    }

    @Test
    void theLargestPortAndABigDatabaseNumber() {
        RedisUrl url = RedisUrl.parse("redis://h:65535/999999999");
        assertEquals(65535, url.port());
        assertEquals(999_999_999, url.database());
    }

    @Test
    void nullIsRefusedByName() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> RedisUrl.parse(null));
        assertEquals("url", e.getMessage());
    }

    @Test
    void anotherSchemeIsNamed() {
        assertEquals("A Redis URL starts with redis:// or rediss:// (TLS), but this one starts with http://",
                refused("http://u:" + SECRET + "@h"));
        assertEquals("A Redis URL starts with redis:// or rediss:// (TLS), but this one starts with valkey://",
                refused("valkey://h"));
    }

    @Test
    void aPasswordGivenInsteadOfAUrlIsNotQuoted() {
        String message = "A Redis URL starts with redis:// or rediss:// (TLS), but this one does not";
        assertEquals(message, refused(SECRET));
        assertEquals(message, refused("redis:" + SECRET + "@h"));
        assertEquals(message, refused("h:6379"));
        assertEquals(message, refused(""));
        assertEquals(message, refused("-" + SECRET + "://h"));
    }

    @Test
    void userInfoWithoutAColonIsRefusedWithoutQuotingIt() {
        assertEquals("The user info of a Redis URL is user:password or :password (a password alone); this one has"
                + " no ':' before the @", refused("redis://" + SECRET + "@h"));
    }

    @Test
    void brokenPercentEncodingNamesThePartButNotItsValue() {
        assertEquals("In the Redis URL, the password has a % that is not followed by two hexadecimal digits"
                + " (write %25 for %)", refused("redis://u:" + SECRET + "%zz@h"));
        assertEquals("In the Redis URL, the password has a % that is not followed by two hexadecimal digits"
                + " (write %25 for %)", refused("redis://u:" + SECRET + "%4@h"));
        assertEquals("In the Redis URL, the user name has a % that is not followed by two hexadecimal digits"
                + " (write %25 for %)", refused("redis://100%:" + SECRET + "@h"));
    }

    @Test
    void aMissingHostIsNamed() {
        assertEquals("The Redis URL names no host (redis://host:6379)", refused("redis://:" + SECRET + "@:6379"));
        assertEquals("The Redis URL names no host (rediss://host:6379)", refused("rediss://"));
        assertEquals("The Redis URL names no host (redis://host:6379)", refused("redis:///0"));
    }

    @Test
    void aBadPortIsNamedWithItsHost() {
        assertEquals("The port of host h in the Redis URL must be a number from 1 to 65535, but is 65536",
                refused("redis://h:65536"));
        assertEquals("The port of host h in the Redis URL must be a number from 1 to 65535, but is 0",
                refused("redis://:" + SECRET + "@h:0"));
        assertEquals("The port of host h in the Redis URL must be a number from 1 to 65535",
                refused("redis://h:port"));
        assertEquals("The port of host h in the Redis URL must be a number from 1 to 65535",
                refused("redis://h:"));
        assertEquals("The port of host h in the Redis URL must be a number from 1 to 65535",
                refused("redis://h:123456"));
        assertEquals("The port of host ::1 in the Redis URL must be a number from 1 to 65535",
                refused("redis://[::1]:"));
    }

    @Test
    void aBrokenIpv6AddressIsNamed() {
        assertEquals("The IPv6 address [::1 in the Redis URL has no closing ]", refused("redis://[::1/0"));
        assertEquals("After the IPv6 address [::1] the Redis URL needs :port or /database",
                refused("redis://[::1]6379"));
    }

    @Test
    void theDatabaseIsANumber() {
        String message = "The database in a Redis URL is a number from 0 (redis://host:6379/0), after the only /";
        assertEquals(message, refused("redis://h/one"));
        assertEquals(message, refused("redis://h/0/1"));
        assertEquals(message, refused("redis://h/-1"));
        assertEquals(message, refused("redis://h/1234567890"));
    }

    @Test
    void queryParametersAndFragmentsAreRefused() {
        assertEquals("A Redis URL here is redis://[user:password@]host[:port][/database]; query parameters and"
                + " fragments (?…) are not supported", refused("redis://h/0?protocol=3"));
        assertEquals("A Redis URL here is rediss://[user:password@]host[:port][/database]; query parameters and"
                + " fragments (#…) are not supported", refused("rediss://:" + SECRET + "@h#x"));
    }

    private static String refused(String text) {
        String message = assertThrows(IllegalArgumentException.class, () -> RedisUrl.parse(text)).getMessage();
        assertFalse(message.contains(SECRET), message);
        return message;
    }
}
