package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TokenStoreUrlTest {

    @Test
    void everyPasswordParameterOfAJdbcUrlIsHidden() {
        TokenStoreUrl url = TokenStoreUrl.parse("jdbc:postgresql://db:5432/app?user=u&password=p%40ss&ssl=true"
                + "&sslpassword=k");

        assertEquals("jdbc:postgresql://db:5432/app?user=u&password=***&ssl=true&sslpassword=***", url.toString());
        assertEquals(TokenStoreUrl.Kind.POSTGRESQL, url.kind());
    }

    @Test
    void aJdbcUrlWithUserInfoHasItHidden() {
        assertEquals("jdbc:postgresql://***@db:5432/app", TokenStoreUrl.parse("jdbc:postgresql://u:p@db:5432/app")
                .toString());
    }

    @Test
    void theRedisPasswordIsHiddenUpToTheLastAt() {
        assertEquals("redis://app:***@cache:6379/1", TokenStoreUrl.parse("redis://app:p@ss/w:rd@cache:6379/1")
                .toString());
        assertEquals("rediss://:***@cache:6380", TokenStoreUrl.parse("rediss://:secret@cache:6380").toString());
        assertEquals("redis://***@cache", TokenStoreUrl.parse("redis://secret@cache").toString());
        assertEquals("redis://cache:6379", TokenStoreUrl.parse("redis://cache:6379").toString());
    }

    @Test
    void redactHidesThePasswordRawAndDecodedInAnyText() {
        TokenStoreUrl url = TokenStoreUrl.parse("jdbc:postgresql://db/app?password=p%40ss");

        assertEquals("FATAL: password *** or *** rejected for jdbc:postgresql://db/app?password=***",
                url.redact("FATAL: password p%40ss or p@ss rejected for jdbc:postgresql://db/app?password=p%40ss"));
    }
}
