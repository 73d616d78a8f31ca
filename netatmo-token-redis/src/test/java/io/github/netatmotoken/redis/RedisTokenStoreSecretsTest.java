package io.github.netatmotoken.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.CapturedLogs;
import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.TcpProxy;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Neither the password of the Redis URL nor a token value shows anywhere a person could read it: exceptions (the
 * whole chain), {@link SharedTokenStore#problem()}, {@code toString()} and log lines, while Redis works, while the
 * network is cut, and with a wrong password.
 */
class RedisTokenStoreSecretsTest {
    private static final String DEFAULT_PASSWORD = "Def4ult-pa55word-q8";
    private static final String ACL_PASSWORD = "Acl-pa55word-z7";
    private static final Token TOKEN = new Token("access-secret-v1", "refresh-secret-v1", null);
    private static final Token FRESH = new Token("access-secret-v2", "refresh-secret-v2", null);
    private static TestRedis redis;

    @BeforeAll
    static void start() {
        redis = TestRedis.startDedicated("requirepass " + DEFAULT_PASSWORD,
                "user app on >" + ACL_PASSWORD + " ~* &* +@all");
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @Test
    void theDefaultUsersPasswordNeverShows() throws Exception {
        exercise(":" + DEFAULT_PASSWORD + "@", DEFAULT_PASSWORD);
    }

    @Test
    void anAclUsersPasswordNeverShows() throws Exception {
        exercise("app:" + ACL_PASSWORD + "@", ACL_PASSWORD);
    }

    @Test
    void aWrongPasswordIsRefusedWithoutQuotingIt() throws Exception {
        String wrong = "Wr0ng-pa55word-k3";
        int mark = CapturedLogs.mark();
        List<String> seen = new ArrayList<>();
        try (RedisTokenStore store = RedisTokenStore.builder()
                .url("redis://app:" + wrong + "@127.0.0.1:" + redis.port()).key("wrong").build()) {
            IOException e = assertThrows(IOException.class, store::load);
            seen.add(chain(e));
            assertTrue(e.getMessage().startsWith("Cannot read the token in Redis at 127.0.0.1:" + redis.port()),
                    e.getMessage());
            seen.add(store.problem().orElseThrow());
            seen.add(store.toString());
        }
        assertNowhere(wrong, seen, mark);
    }

    private static void exercise(String userInfo, String password) throws Exception {
        int mark = CapturedLogs.mark();
        List<String> seen = new ArrayList<>();
        try (TcpProxy proxy = TcpProxy.start(redis.host(), redis.port());
                RedisTokenStore store = RedisTokenStore.builder()
                        .url("redis://" + userInfo + proxy.host() + ":" + proxy.port() + "/0")
                        .key("secrets").leaseTtl(Duration.ofMillis(300)).timeout(Duration.ofMillis(500))
                        .writeTimeout(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(50)).build()) {
            seen.add(store.toString());
            store.save(TOKEN);
            TokenStore.Lock lease = store.lock(Duration.ofSeconds(2));
            store.refreshing(store.load().orElseThrow());
            SharedTokenStore.Subscription subscription = store.subscribe(() -> { });
            Await.until("subscribed", Duration.ofSeconds(10), () -> store.subscriber().subscribed());

            proxy.cut();
            seen.add(chain(assertThrows(IOException.class, store::load)));
            seen.add(chain(assertThrows(IOException.class, () -> store.saveRefreshed(TOKEN, FRESH))));
            seen.add(chain(assertThrows(IOException.class, () -> store.lock(Duration.ZERO))));
            seen.add(chain(assertThrows(IOException.class, lease::close)));
            Await.until("the subscriber noticed", Duration.ofSeconds(10), () -> !store.subscriber().subscribed());
            seen.add(store.problem().orElseThrow());
            seen.add(store.subscriber().problem());
            seen.add(store.toString());
            subscription.close();
        }
        assertNowhere(password, seen, mark);
    }

    private static void assertNowhere(String password, List<String> seen, int mark) {
        List<String> texts = new ArrayList<>(seen);
        CapturedLogs.since(mark).forEach(line -> texts.add(line.fullText()));
        for (String text : texts) {
            for (String secret : List.of(password, "access-secret", "refresh-secret")) {
                assertFalse(text.contains(secret), "a secret in: " + text);
            }
        }
        assertTrue(texts.size() > 3, "nothing was checked");
    }

    private static String chain(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append('\n');
            for (Throwable suppressed : t.getSuppressed()) {
                text.append(chain(suppressed));
            }
        }
        return text.toString();
    }
}
