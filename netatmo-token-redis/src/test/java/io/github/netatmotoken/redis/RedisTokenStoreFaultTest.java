package io.github.netatmotoken.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.netatmotoken.core.SharedTokenStore;
import io.github.netatmotoken.core.TcpProxy;
import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenStore;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One named network fault per test, between a store and Redis: a {@link TcpProxy} that cuts every connection. */
class RedisTokenStoreFaultTest {
    private static final TestRedis REDIS = TestRedis.shared();
    private static final Token SPENT = new Token("access-1", "refresh-1", null);
    private static final Token FRESH = new Token("access-2", "refresh-2", null);

    private final String prefix = REDIS.keyPrefix(RedisTokenStoreFaultTest.class);
    private TcpProxy proxy;

    @BeforeEach
    void startProxy() throws IOException {
        proxy = TcpProxy.start(REDIS.host(), REDIS.port());
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    private RedisTokenStore.Builder throughProxy() {
        return RedisTokenStore.builder().url(REDIS.urlText(proxy.host(), proxy.port())).keyPrefix(prefix).key("k")
                .timeout(Duration.ofSeconds(1));
    }

    private RedisTokenStore.Builder direct() {
        return RedisTokenStore.builder().url(REDIS.urlText()).keyPrefix(prefix).key("k");
    }

    @Test
    void aCutBetweenRefreshingAndSavingDelaysTheWriteAndNobodyTakesTheLeaseMeanwhile() throws Exception {
        try (RedisTokenStore a = throughProxy().leaseTtl(Duration.ofSeconds(6)).writeTimeout(Duration.ofSeconds(20))
                .build();
                RedisTokenStore b = direct().build()) {
            b.save(SPENT);
            TokenStore.Lock lease = a.lock(Duration.ofSeconds(2));
            Token spent = a.load().orElseThrow();
            a.refreshing(spent);
            CompletableFuture<Long> bTookIt = CompletableFuture.supplyAsync(() -> {
                try (TokenStore.Lock bLease = b.lock(Duration.ofSeconds(30))) {
                    return System.nanoTime();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });

            proxy.cut(); // NetAtmo answered; the network to Redis is gone
            CompletableFuture<Long> landed = CompletableFuture.supplyAsync(() -> {
                try {
                    assertTrue(a.saveRefreshed(spent, FRESH));
                    return System.nanoTime();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Await.until("a problem during the cut", Duration.ofSeconds(5), () -> a.problem().isPresent());
            assertTrue(a.problem().orElseThrow().startsWith("Cannot "), a.problem().toString());
            assertThrows(TimeoutException.class, () -> landed.get(1, TimeUnit.SECONDS), "landed during the cut");
            assertFalse(bTookIt.isDone(), "b took the lease during the cut");

            proxy.restore();
            long landedAt = landed.get(20, TimeUnit.SECONDS);
            Await.until("no problem after the restore", Duration.ofSeconds(5), () -> a.problem().isEmpty());
            assertFalse(bTookIt.isDone(), "b took the lease before a let go");
            lease.close();
            long bTookItAt = bTookIt.get(20, TimeUnit.SECONDS);
            assertTrue(bTookItAt - landedAt > 0, "b took the lease before the write landed");
            assertEquals(Optional.of(FRESH), b.load());
        }
    }

    @Test
    void aRedisThatCannotBeReachedFailsLoadAndLockWithItsAddressAndCloseStillReturns() throws Exception {
        RedisTokenStore a = throughProxy().leaseTtl(Duration.ofSeconds(30)).build();
        try {
            a.save(SPENT);
            a.lock(Duration.ofSeconds(2)); // held when Redis goes away
            SharedTokenStore.Subscription s = a.subscribe(() -> { });
            proxy.cut();
            String where = "in Redis at 127.0.0.1:" + proxy.port() + ": ";
            IOException load = assertThrows(IOException.class, a::load);
            assertTrue(load.getMessage().startsWith("Cannot read the token " + where), load.getMessage());
            IOException lock = assertThrows(IOException.class, () -> a.lock(Duration.ofSeconds(1)));
            assertTrue(lock.getMessage().startsWith("Cannot take the lease " + prefix + "k:lease " + where),
                    lock.getMessage());
            assertTrue(a.problem().isPresent());
            s.close();
        } finally {
            long start = System.nanoTime();
            a.close();
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took < 5_000, "close took " + took + " ms");
        }
    }

    @Test
    void aWriteThatCannotLandInTheWriteTimeoutSaysTheTokenIsNotStored() throws Exception {
        try (RedisTokenStore a = throughProxy().writeTimeout(Duration.ofMillis(500)).build()) {
            a.save(SPENT);
            Token spent = a.load().orElseThrow();
            proxy.cut();
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> a.saveRefreshed(spent, FRESH));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= 400 && took < 5_000, "gave up after " + took + " ms");
            assertTrue(e.getMessage().endsWith("; retried for 500 ms: the refreshed token is not stored yet, keep it"
                    + " and try again"), e.getMessage());
            proxy.restore();
            assertTrue(a.saveRefreshed(spent, FRESH), "the caller's next try lands");
        }
    }
}
