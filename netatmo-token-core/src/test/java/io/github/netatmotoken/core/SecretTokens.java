package io.github.netatmotoken.core;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every token value the tests of this JVM put into a file or a {@link Token}, so that {@link NoTokenValueInLogsTest}
 * can check that none of them ever reaches a log line or an exception message. Tests log the exceptions they catch
 * through {@link #caught(Throwable)}, as an application would, so those messages are checked too.
 */
final class SecretTokens {
    private static final Set<String> VALUES = ConcurrentHashMap.newKeySet();
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final Logger log = LoggerFactory.getLogger("test.caught");

    private SecretTokens() {
    }

    /** A fresh, distinctive token value (registered), e.g. {@code AT-load-7-d5e1c0a29f0b3e47}. */
    static String next(String label) {
        long n = COUNTER.incrementAndGet();
        return register(label + "-" + n + "-" + Long.toHexString(new SplittableRandom(n).nextLong() | Long.MIN_VALUE));
    }

    /** Registers a value used in a test file, and returns it. */
    static String register(String value) {
        VALUES.add(value);
        return value;
    }

    static Set<String> all() {
        return Set.copyOf(VALUES);
    }

    /** Logs a caught exception with its whole cause chain, the way an application would report it. */
    static <T extends Throwable> T caught(T e) {
        log.info("caught", e);
        return e;
    }
}
