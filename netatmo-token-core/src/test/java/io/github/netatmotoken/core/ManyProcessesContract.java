package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12's many-process fault test, for any store: {@value #WORKERS} child JVMs share the store against a
 * {@link StrictTokenEndpoint} with 10-second tokens (on a {@link ScaledClock} running {@value #SPEED} times fast, so
 * that {@value #REFRESHES} refreshes fit in about a minute), and the lease holder is killed {@value #KILLS} times at
 * seeded moments and started again. One run per class ({@link #run()}), one expectation per test. An engine's test
 * class names its worker main, that main's arguments and a store of its own for the person who authorizes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ManyProcessesContract {
    static final int WORKERS = 4;
    static final int KILLS = 12;
    static final int SPEED = 40;
    static final long SEED = 20261202L;
    static final int REFRESHES = 200;
    static final Duration ANSWER_DELAY = Duration.ofMillis(40);

    private ManyProcessesOutcome outcome;
    private TokenStore store;

    /** The main class of a child: opens the engine's store and calls {@link ManyProcessesWorker#run}. */
    protected abstract Class<?> workerMain();

    /** What {@link #workerMain()} needs before the worker's own arguments: the store's URL and key, say. */
    protected abstract List<String> workerArgs() throws Exception;

    /** A store on the same key for the person who authorizes; closed after the run if it is closeable. */
    protected abstract TokenStore personStore() throws Exception;

    /** Whether a refused refresh names the process that was refreshing (a {@link SharedTokenStore} does). */
    protected abstract boolean explainsLostChains();

    @BeforeAll
    @Timeout(value = 150, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void run() throws Exception {
        store = personStore();
        outcome = new ManyProcessesRun(getClass().getSimpleName(), workerMain(), workerArgs(), store, WORKERS, KILLS,
                SEED, REFRESHES, SPEED, ANSWER_DELAY).run();
        System.out.println(outcome.summary());
        outcome.killReport().forEach(line -> System.out.println(getClass().getSimpleName() + ": " + line));
    }

    @AfterAll
    void closeStore() throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @Test
    void theLeaseHolderIsKilledAtLeastTenTimesInAFewHundredRefreshes() {
        assertTrue(outcome.kills().size() >= 10, outcome.summary());
        assertTrue(outcome.refreshes().size() >= REFRESHES, outcome.summary());
        assertEquals(WORKERS + outcome.kills().size(), outcome.outputs().size(), "a process started after each kill");
    }

    @Test
    void noInvalidGrantIsCausedByTheClients() {
        assertEquals(List.of(), outcome.unattributedInvalidGrants(), "refused refresh tokens that no kill in the"
                + " window explains; " + outcome.summary());
    }

    @Test
    void everyLostChainIsAKillInTheWindowOfGuaranteeSix() {
        assertEquals(outcome.lostAnswers(), outcome.lostByKillInWindow(), outcome.summary());
        assertEquals(outcome.lostAnswers().size(), outcome.reauthorizations(), "one new authorization per lost chain; "
                + outcome.summary());
    }

    @Test
    void theSurvivorsOfALostChainNameTheKilledHolder() {
        List<String> messages = outcome.reauthorizationMessages();
        List<String> unexplained = messages.stream()
                .filter(m -> !m.contains(" INVALID_GRANT ") || (explainsLostChains()
                        && outcome.holdersOfLostChains().stream().noneMatch(
                                tag -> m.contains("lost while worker " + tag + " was refreshing it at "))))
                .collect(Collectors.toList());
        assertEquals(List.of(), unexplained, outcome.summary());
        assertEquals(outcome.lostAnswers().isEmpty(), messages.isEmpty(), "a lost chain is noticed; "
                + outcome.summary());
    }

    @Test
    void oneTokenRequestPerRefresh() {
        // A process stalled between reading the clock and sending its request gets a token that is older than it
        // looks to the endpoint, and refreshes it early; one that refreshed tokens another had just refreshed would
        // drag the typical age down.
        assertTrue(outcome.medianTokenAge() >= 0.4, "tokens spent before they were due; " + outcome.summary());
        assertTrue(outcome.earlyRefreshes(0.3).size() <= outcome.refreshes().size() / 20, "tokens spent long"
                + " before they were due: " + outcome.earlyRefreshes(0.3) + "; " + outcome.summary());
        // Each process (a restarted one is a new process: it loads the dead token afresh) presents a dead token at
        // most once before it is told of the loss.
        long distinct = outcome.invalidGrants().stream().map(e -> e.client() + " " + e.presented()).distinct().count();
        assertEquals(distinct, outcome.invalidGrants().size(),
                "at most one refused request per process and lost chain; " + outcome.summary());
    }

    @Test
    void everySurvivingProcessHoldsAValidTokenOfTheLiveChainAtTheEnd() {
        assertEquals(WORKERS, outcome.finals().size(), outcome.finals().toString());
        for (String line : outcome.finals()) {
            assertTrue(line.matches("w\\d+\\.\\d+ FINAL at-" + outcome.chain() + "-\\d+ \\S+ valid"),
                    line + "; " + outcome.summary());
        }
        assertEquals(outcome.validRefreshToken(), outcome.stored() == null ? null : outcome.stored().refreshToken(),
                "the store holds the one refresh token that works");
    }
}
