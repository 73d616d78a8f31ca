package io.github.netatmotoken.core;

import io.github.netatmotoken.core.ManyProcessesRun.Kill;
import io.github.netatmotoken.core.StrictTokenEndpoint.Exchange;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link ManyProcessesRun} saw, and what it means: the endpoint's ledger read against the kills. A chain is
 * <em>lost</em> where the endpoint issued a refresh token that nobody ever presented and that is not the live one:
 * the answer never reached the store. Each {@code invalid_grant} is <em>attributed</em> if the token it refused was
 * spent by a request whose answer was lost that way, by a process that was killed and never reported that answer as
 * stored (the window of guarantee 6: intent recorded, NetAtmo answered, the write never landed). Immutable.
 *
 * @param ledger every token request, from the endpoint
 * @param kills every kill, in order
 * @param outputs the protocol lines of every process, killed ones included
 * @param finals one {@code "<tag> FINAL ..."} line per process alive at the end
 * @param chain the endpoint's chain at the end (1 plus the re-authorizations)
 * @param validRefreshToken the one refresh token that works at the end
 * @param stored what the store holds at the end
 */
public record ManyProcessesOutcome(String name, int workers, int speed, Duration took, List<Exchange> ledger,
        List<Kill> kills, List<Output> outputs, List<String> finals, int reauthorizations, int chain,
        @Nullable String validRefreshToken, @Nullable Token stored, Path logs) {

    /** The protocol lines of one process. */
    public record Output(String tag, boolean killed, List<String> lines) {
    }

    /** {@return the requests that rotated the token} */
    public List<Exchange> refreshes() {
        return ledger.stream().filter(e -> !e.refused()).collect(Collectors.toList());
    }

    /** {@return the requests answered with {@code invalid_grant}} */
    public List<Exchange> invalidGrants() {
        return ledger.stream().filter(Exchange::refused).collect(Collectors.toList());
    }

    /** {@return the refreshes whose answer never reached the store: one per lost chain} */
    public List<Exchange> lostAnswers() {
        Set<String> presented = refreshes().stream().map(Exchange::presented).collect(Collectors.toSet());
        return refreshes().stream()
                .filter(e -> !presented.contains(e.issued().refreshToken())
                        && !Objects.equals(e.issued().refreshToken(), validRefreshToken))
                .collect(Collectors.toList());
    }

    /**
     * {@return the lost answers that a kill explains: the process that asked was killed (after it sent the request,
     * since a dead process sends nothing), and never reported the answer as stored: no {@code REFRESHED} line for it,
     * or an {@code UNSAVED} line}
     */
    public List<Exchange> lostByKillInWindow() {
        return lostAnswers().stream().filter(e -> killOf(e.client()) != null && !reportedStored(e))
                .collect(Collectors.toList());
    }

    private boolean reportedStored(Exchange e) {
        List<String> lines = outputs.stream().filter(o -> o.tag().equals(e.client())).findFirst()
                .map(Output::lines).orElse(List.of());
        return lines.contains("REFRESHED " + e.issued().accessToken())
                && lines.stream().noneMatch(l -> l.startsWith("UNSAVED "));
    }

    /** {@return the invalid_grants that no kill in the window explains: caused by the clients} */
    public List<Exchange> unattributedInvalidGrants() {
        Map<String, Exchange> spentBy = new HashMap<>();
        refreshes().forEach(e -> spentBy.put(e.presented(), e));
        Set<Exchange> explained = new HashSet<>(lostByKillInWindow());
        return invalidGrants().stream().filter(e -> !explained.contains(spentBy.get(e.presented())))
                .collect(Collectors.toList());
    }

    /** {@return the tags of the processes whose kill lost a chain} */
    public Set<String> holdersOfLostChains() {
        return lostByKillInWindow().stream().map(Exchange::client).collect(Collectors.toSet());
    }

    /** {@return every INVALID_GRANT (and REAUTHORIZATION) line the processes printed, with the tag first} */
    public List<String> reauthorizationMessages() {
        List<String> messages = new ArrayList<>();
        for (Output output : outputs) {
            for (String line : output.lines()) {
                if (line.startsWith("INVALID_GRANT ") || line.startsWith("REAUTHORIZATION ")) {
                    messages.add(output.tag() + " " + line);
                }
            }
        }
        return messages;
    }

    /**
     * {@return the refreshes that spent a token less than {@code fraction} of its lifetime after the request that got
     * it arrived: a process refreshing a token that another had just refreshed, or a refresh long before it was due}
     */
    public List<Exchange> earlyRefreshes(double fraction) {
        long least = (long) (TimeUnit.SECONDS.toNanos(10) * fraction / speed);
        return refreshes().stream().filter(e -> ageNanos(e) >= 0 && ageNanos(e) < least).collect(Collectors.toList());
    }

    /** {@return the median age of a token when it was refreshed, as a fraction of its lifetime} */
    public double medianTokenAge() {
        List<Long> ages = refreshes().stream().map(this::ageNanos).filter(a -> a >= 0).sorted()
                .collect(Collectors.toList());
        return ages.isEmpty() ? 0 : ages.get(ages.size() / 2) * (double) speed / TimeUnit.SECONDS.toNanos(10);
    }

    /** How long after the request that got it the refresh token {@code e} presented was spent; -1 if unknown. */
    private long ageNanos(Exchange e) {
        return refreshes().stream().filter(i -> e.presented().equals(i.issued().refreshToken())).findFirst()
                .map(i -> e.arrivedNanos() - i.arrivedNanos()).orElse(-1L);
    }

    /** {@return the number of lines that start with {@code word} over all processes} */
    public long count(String word) {
        return outputs.stream().flatMap(o -> o.lines().stream()).filter(l -> l.startsWith(word + " ")).count();
    }

    /** {@return what happened around each kill, one line each} */
    public List<String> killReport() {
        Set<String> lost = holdersOfLostChains();
        List<String> lines = new ArrayList<>();
        for (Kill kill : kills) {
            Exchange last = ledger.stream().filter(e -> e.client().equals(kill.tag())).reduce((a, b) -> b)
                    .orElse(null);
            String where = last == null ? "no request"
                    : kill.nanos() - last.answeredNanos() < 0
                            ? "during its request" + (last.refused() ? " (refused)" : "")
                    : TimeUnit.NANOSECONDS.toMillis(kill.nanos() - last.answeredNanos()) + " ms after its answer";
            lines.add("kill " + kill.n() + " " + kill.moment() + " " + kill.tag() + ": " + where + ", "
                    + (lost.contains(kill.tag()) ? "chain lost" : "chain kept"));
        }
        return lines;
    }

    /** {@return the requests and the kills in the order of time, in milliseconds since {@code startNanos}} */
    public List<String> timeline(long startNanos) {
        List<Map.Entry<Long, String>> events = new ArrayList<>();
        for (Exchange e : ledger) {
            events.add(Map.entry(e.arrivedNanos(), String.format("request %d from %s presents %s, answered +%d ms: %s",
                    e.seq(), e.client(), e.presented(), TimeUnit.NANOSECONDS.toMillis(e.answeredNanos()
                            - e.arrivedNanos()), e.refused() ? "invalid_grant" : e.issued().refreshToken())));
        }
        for (Kill k : kills) {
            events.add(Map.entry(k.nanos(), "kill " + k.n() + " " + k.moment() + " " + k.tag()));
        }
        events.sort(Map.Entry.comparingByKey());
        return events.stream().map(e -> TimeUnit.NANOSECONDS.toMillis(e.getKey() - startNanos) + " ms " + e.getValue())
                .collect(Collectors.toList());
    }

    /** {@return the summary that the test prints} */
    public String summary() {
        int refreshes = refreshes().size();
        return String.format("%s: %d processes (%d started), %d s at clock speed %d: %d token requests, %d refreshes"
                        + " (%d reached the store), %d invalid_grant (%d not attributed), %d kills (%d in the window"
                        + " of guarantee 6), %d lost chains, %d re-authorizations, %.3f token requests per refresh,"
                        + " median token age at refresh %.2f of its lifetime; REFRESHED %d, ADOPTED %d, FAILED %d,"
                        + " NO_TOKEN %d lines; logs in %s",
                name, workers, outputs.size(), took.toSeconds(), speed, ledger.size(), refreshes,
                refreshes - lostAnswers().size(), invalidGrants().size(), unattributedInvalidGrants().size(),
                kills.size(), holdersOfLostChains().size(), lostAnswers().size(), reauthorizations,
                refreshes == 0 ? 0.0 : (double) ledger.size() / refreshes, medianTokenAge(), count("REFRESHED"),
                count("ADOPTED"), count("FAILED"), count("NO_TOKEN"), logs);
    }

    private @Nullable Kill killOf(String tag) {
        return kills.stream().filter(k -> k.tag().equals(tag)).findFirst().orElse(null);
    }
}
