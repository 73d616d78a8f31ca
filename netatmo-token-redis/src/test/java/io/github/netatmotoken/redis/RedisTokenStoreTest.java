package io.github.netatmotoken.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ClientKillParams;

/** What the contract does not say: how the store uses Redis. */
class RedisTokenStoreTest {
    private static final TestRedis REDIS = TestRedis.shared();
    private static final Token FIRST = new Token("access-1", "refresh-1", Instant.parse("2026-12-02T10:00:00Z"));
    private static final Token SECOND = new Token("access-2", "refresh-2",
            Instant.parse("2026-12-02T13:00:00.123456789Z"));

    private final String prefix = REDIS.keyPrefix(RedisTokenStoreTest.class);
    private final List<RedisTokenStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(RedisTokenStore::close);
    }

    private RedisTokenStore open(RedisTokenStore.Builder builder) {
        RedisTokenStore store = builder.build();
        opened.add(store);
        return store;
    }

    private RedisTokenStore.Builder store(String key) {
        return RedisTokenStore.builder().url(REDIS.urlText()).keyPrefix(prefix).key(key);
    }

    @Test
    void theLeaseIsAKeyWithADeadlineOnRedissClock() throws Exception {
        RedisTokenStore a = open(store("lease").holderName("holder-a").leaseTtl(Duration.ofSeconds(15)));
        try (Jedis jedis = REDIS.connect()) {
            try (TokenStore.Lock held = a.lock(Duration.ofSeconds(2))) {
                long ttl = jedis.pttl(prefix + "lease:lease");
                assertTrue(ttl > 13_000 && ttl <= 15_000, "PTTL " + ttl);
                assertTrue(jedis.get(prefix + "lease:lease").startsWith("holder-a "), "the holder's name first");
            }
            assertFalse(jedis.exists(prefix + "lease:lease"), "closing the lock deletes the lease");
        }
    }

    @Test
    void aTimedOutWaitForTheLeaseNamesItsHolder() throws Exception {
        RedisTokenStore a = open(store("named").holderName("4711@host-b"));
        RedisTokenStore b = open(store("named"));
        try (TokenStore.Lock held = a.lock(Duration.ofSeconds(2))) {
            IOException e = assertThrows(IOException.class, () -> b.lock(Duration.ofMillis(100)));
            assertTrue(e.getMessage().startsWith("The lease " + prefix + "named:lease in Redis at 127.0.0.1:"
                    + REDIS.port() + " is held by 4711@host-b; gave up waiting after 100 ms."), e.getMessage());
        }
    }

    @Test
    void aRenewalThatFindsTheLeaseGoneStopsAndTheNextHolderKeepsIt() throws Exception {
        RedisTokenStore a = open(store("stolen").leaseTtl(Duration.ofMillis(300)));
        RedisTokenStore b = open(store("stolen").leaseTtl(Duration.ofSeconds(10)));
        TokenStore.Lock aLease = a.lock(Duration.ofSeconds(2));
        try (Jedis jedis = REDIS.connect()) {
            jedis.del(prefix + "stolen:lease"); // as if a had stalled past its lease
        }
        try (TokenStore.Lock bLease = b.lock(Duration.ofSeconds(2))) {
            aLease.close(); // compare-and-delete: not a's any more
            try (Jedis jedis = REDIS.connect()) {
                assertTrue(jedis.exists(prefix + "stolen:lease"), "a deleted b's lease");
            }
            assertThrows(IOException.class, () -> a.lock(Duration.ZERO));
        }
    }

    @Test
    void theTokenIsOneHashWithItsGenerationAndTheExpiryAsIsoText() throws Exception {
        RedisTokenStore a = open(store("hash"));
        a.save(SECOND);
        a.save(new Token(null, "only-refresh", null));
        try (Jedis jedis = REDIS.connect()) {
            assertEquals(Map.of("generation", "2", "refresh_token", "only-refresh"), jedis.hgetAll(prefix + "hash"));
        }
        a.save(SECOND);
        try (Jedis jedis = REDIS.connect()) {
            assertEquals("2026-12-02T13:00:00.123456789Z", jedis.hget(prefix + "hash", "expiry"));
        }
    }

    @Test
    void anExpiryThatIsNotAnInstantIsReportedWithTheKey() throws Exception {
        RedisTokenStore a = open(store("garbled"));
        try (Jedis jedis = REDIS.connect()) {
            jedis.hset(prefix + "garbled", Map.of("generation", "1", "expiry", "tomorrow"));
        }
        IOException e = assertThrows(IOException.class, a::load);
        assertEquals("The expiry in the hash " + prefix + "garbled in Redis at 127.0.0.1:" + REDIS.port()
                + " is not an ISO-8601 instant such as 2026-12-02T10:00:00Z; it was not written by this library",
                e.getMessage());
    }

    @Test
    void storesOnOtherKeysAndPrefixesDoNotMeet() throws Exception {
        RedisTokenStore one = open(store("one"));
        RedisTokenStore two = open(store("two"));
        RedisTokenStore otherPrefix = open(RedisTokenStore.builder().url(REDIS.urlText())
                .keyPrefix(prefix + "other:").key("one"));
        assertTrue(one.saveIfAbsent(FIRST));
        assertTrue(two.saveIfAbsent(SECOND), "another key is empty");
        assertTrue(otherPrefix.saveIfAbsent(SECOND), "another prefix is empty");
        assertEquals(Optional.of(FIRST), one.load());
        Semaphore heard = new Semaphore(0);
        try (SharedTokenStore.Subscription s = two.subscribe(heard::release);
                SharedTokenStore.Subscription t = otherPrefix.subscribe(heard::release);
                TokenStore.Lock a = one.lock(Duration.ofSeconds(2));
                TokenStore.Lock b = two.lock(Duration.ZERO);
                TokenStore.Lock c = otherPrefix.lock(Duration.ZERO)) {
            one.save(SECOND);
            assertFalse(heard.tryAcquire(1, TimeUnit.SECONDS), "a write to one reached another key's subscriber");
            open(store("two")).save(FIRST);
            assertTrue(heard.tryAcquire(10, TimeUnit.SECONDS), "a write to two did not reach two's subscriber");
        }
        assertEquals(Optional.of(SECOND), otherPrefix.load());
    }

    @Test
    void aLostNotificationIsSeenByPollingAndTheSubscriberConnectsAgain() throws Exception {
        RedisTokenStore writer = open(store("lost"));
        RedisTokenStore reader = open(store("lost").holderName("reader").pollInterval(Duration.ofMillis(200))
                .subscriberBackoff(Duration.ofSeconds(3)));
        Semaphore heard = new Semaphore(0);
        try (SharedTokenStore.Subscription s = reader.subscribe(heard::release); Jedis jedis = REDIS.connect()) {
            ChangeSubscriber subscriber = reader.subscriber();
            Await.until("subscribed", Duration.ofSeconds(10), subscriber::subscribed);

            assertEquals(1, killClientsNamed(jedis, "netatmo-token-changes:reader"));
            Await.until("the subscriber noticed", Duration.ofSeconds(10), () -> !subscriber.subscribed());
            assertEquals(0L, jedis.pubsubNumSub(prefix + "lost:changed").get(prefix + "lost:changed"));
            assertTrue(reader.problem().orElse("").startsWith("the change notifications from Redis at 127.0.0.1:"
                    + REDIS.port() + " stopped"), reader.problem().toString());

            long messages = subscriber.messages();
            writer.save(FIRST);
            assertTrue(heard.tryAcquire(2, TimeUnit.SECONDS), "polling did not see the write");
            assertEquals(messages, subscriber.messages(), "the subscriber was down: polling saw it");

            Await.until("connected again", Duration.ofSeconds(15), subscriber::subscribed);
            assertEquals(Optional.empty(), reader.problem());
            writer.save(SECOND);
            Await.until("a message after the reconnection", Duration.ofSeconds(10),
                    () -> subscriber.messages() > messages);
        }
    }

    @Test
    void withNotificationsOffTheStoreOpensNoListeningConnectionAndPolls() throws Exception {
        RedisTokenStore writer = open(store("polling"));
        RedisTokenStore reader = open(store("polling").holderName("poller").pollInterval(Duration.ofMillis(200))
                .notifications(false));
        Semaphore heard = new Semaphore(0);
        try (SharedTokenStore.Subscription s = reader.subscribe(heard::release); Jedis jedis = REDIS.connect()) {
            writer.save(FIRST);
            assertTrue(heard.tryAcquire(2, TimeUnit.SECONDS), "polling did not see the first write");
            writer.save(SECOND);
            assertTrue(heard.tryAcquire(2, TimeUnit.SECONDS), "polling did not see the second write");

            assertEquals(0L, jedis.pubsubNumSub(prefix + "polling:changed").get(prefix + "polling:changed"));
            assertFalse(jedis.clientList().contains(" name=netatmo-token-changes:poller "),
                    "a listening connection exists although notifications are off");
            assertEquals(0, reader.subscriber().messages());
            assertEquals(Optional.empty(), reader.problem());
        }
    }

    /** CLIENT KILL by the name the store gives its connections; returns how many it killed. */
    static int killClientsNamed(Jedis jedis, String name) {
        int killed = 0;
        for (String line : jedis.clientList().split("\n")) {
            if (line.contains(" name=" + name + " ")) {
                String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id=")));
                jedis.clientKill(ClientKillParams.clientKillParams().id(id));
                killed++;
            }
        }
        return killed;
    }

    @Test
    void rediss_SelectsTlsAndAPlainServerFailsTheHandshakeClearly() throws Exception {
        RedisTokenStore tls = open(RedisTokenStore.builder().url("rediss://127.0.0.1:" + REDIS.port())
                .key("tls").timeout(Duration.ofMillis(500)));
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, tls::load);
        assertTrue(e.getMessage().startsWith("Cannot read the token in Redis at 127.0.0.1:" + REDIS.port()
                + " (TLS): "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; with rediss:// the server must speak TLS on that port, with a"
                + " certificate the JVM trusts"), e.getMessage());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 5);
        assertTrue(tls.toString().contains("(TLS)"), tls.toString());
    }

    @Test
    void aRedisThatIsNotThereIsNamedWithItsAddress() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        RedisTokenStore nowhere = open(RedisTokenStore.builder().url("redis://127.0.0.1:" + port).key("k"));
        IOException e = assertThrows(IOException.class, () -> nowhere.lock(Duration.ofSeconds(1)));
        assertTrue(e.getMessage().startsWith("Cannot take the lease netatmo-token:k:lease in Redis at 127.0.0.1:"
                + port + ": "), e.getMessage());
        assertEquals(Optional.of(e.getMessage()), nowhere.problem());
    }

    @Test
    void theBuilderNamesWhatIsMissingOrOutOfRange() {
        assertEquals("url is required: RedisTokenStore.builder().url(\"redis://host:6379\")",
                assertThrows(IllegalStateException.class, () -> RedisTokenStore.builder().key("k").build())
                        .getMessage());
        assertEquals("key is required and not empty: RedisTokenStore.builder().key(clientId)",
                assertThrows(IllegalStateException.class, () -> RedisTokenStore.builder().url("redis://h").build())
                        .getMessage());
        RedisTokenStore.Builder builder = RedisTokenStore.builder().url("redis://h").key("k");
        assertEquals("leaseTtl must be at least 100 ms, but is 50 ms", assertThrows(IllegalArgumentException.class,
                () -> builder.leaseTtl(Duration.ofMillis(50)).build()).getMessage());
        builder.leaseTtl(Duration.ofSeconds(15));
        assertEquals("writeTimeout must be at least 0 ms, but is -1 ms", assertThrows(
                IllegalArgumentException.class, () -> builder.writeTimeout(Duration.ofMillis(-1)).build())
                .getMessage());
        builder.writeTimeout(Duration.ofSeconds(10));
        assertEquals("holderName must be 1 to 200 characters without control characters, such as 4711@host-b",
                assertThrows(IllegalArgumentException.class, () -> builder.holderName("a\nb").build()).getMessage());
        assertEquals("url", assertThrows(NullPointerException.class, () -> builder.url(null)).getMessage());
        String refused = assertThrows(IllegalArgumentException.class,
                () -> RedisTokenStore.builder().url("redis://:pw-secret@h:99999").key("k").build()).getMessage();
        assertEquals("The port of host h in the Redis URL must be a number from 1 to 65535, but is 99999", refused);
    }

    @Test
    void twoDefaultHolderNamesInOneJvmDiffer() {
        RedisTokenStore a = open(store("names"));
        RedisTokenStore b = open(store("names"));
        String pid = Long.toString(ProcessHandle.current().pid());
        assertTrue(a.toString().contains("holder " + pid + "@"), a.toString());
        assertFalse(a.toString().equals(b.toString()), a + " and " + b);
    }
}
