package io.github.netatmotoken.core;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The many-process fault run of issue 12: {@code workers} child JVMs ({@link ManyProcessesWorker}) share one store
 * against a {@link StrictTokenEndpoint} with 10-second tokens; after seeded numbers of refreshes the process that
 * holds the lease (the one whose request the endpoint is answering, or answered last) is killed with
 * {@link Process#destroyForcibly()} and started again, until {@code refreshes} refreshes are done. When a kill
 * loses the chain (the holder died after NetAtmo rotated the token and before its write landed: the window of
 * guarantee 6), a person authorizes again: a new token saved into the store, as
 * {@link RefreshingTokenSource#setToken} does. The run returns a {@link ManyProcessesOutcome} that the test asserts
 * on.
 *
 * <p>Three kinds of kill moment, drawn from the seed: while the endpoint is answering the holder's request (the
 * chain is lost), just after the answer (a race with the holder's write), and at a seeded moment of the next few
 * refresh cycles (the process that held the lease last, mostly idle by then).
 *
 * <p>Not thread-safe: one run, on one thread.
 */
public final class ManyProcessesRun {
    /** The kinds of kill moment. */
    public enum Moment { DURING_ANSWER, AFTER_ANSWER, ANY_MOMENT }

    /** A kill: the {@link System#nanoTime()} just before {@code destroyForcibly()}. */
    public record Kill(int n, Moment moment, String tag, long nanos) {
    }

    /** One process of a worker slot, from its start to its kill or its end. */
    static final class Child {
        final String tag;
        final int slot;
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Thread reader;
        volatile boolean killed;

        Child(String tag, int slot, Process process, Path log) throws IOException {
            this.tag = tag;
            this.slot = slot;
            this.process = process;
            Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
            this.reader = new Thread(() -> copy(out), "output-of-" + tag);
            reader.setDaemon(true);
            reader.start();
        }

        private void copy(Writer out) {
            try (out; BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    out.write(line);
                    out.write('\n');
                    if (!line.startsWith("[log]")) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                lines.add("OUTPUT_LOST " + e);
            }
        }

        boolean said(String word) {
            return lines.stream().anyMatch(l -> l.startsWith(word + " "));
        }

        void stop() throws IOException {
            Writer in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            in.write("STOP\n");
            in.flush();
        }
    }

    /** The longest wait for the refreshes that the next kill or the end waits for. */
    static final Duration MAX_RUN_TIME = Duration.ofSeconds(60);

    private final String name;
    private final Class<?> workerMain;
    private final List<String> engineArgs;
    private final TokenStore store;
    private final int workers;
    private final int kills;
    private final long seed;
    private final int refreshes;
    private final int speed;
    private final Duration answerDelay;

    private final Path logs;
    private final List<Child> children = new ArrayList<>();
    private final @Nullable Child[] current;
    private final int[] incarnations;
    private final List<Kill> killed = new ArrayList<>();
    private final AtomicInteger reauthorizations = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private @Nullable StrictTokenEndpoint endpoint;
    private long originMillis;

    /**
     * @param name names the run in its summary and its log directory, {@code target/many-processes/<name>}
     * @param workerMain the engine's main class, which opens its store and calls {@link ManyProcessesWorker#run}
     * @param engineArgs the arguments that class needs before the worker's own (the store's URL, key, ...)
     * @param store the person's store on the same key: the run seeds it and authorizes again through it
     */
    public ManyProcessesRun(String name, Class<?> workerMain, List<String> engineArgs, TokenStore store,
            int workers, int kills, long seed, int refreshes, int speed, Duration answerDelay) {
        this.name = name;
        this.workerMain = workerMain;
        this.engineArgs = List.copyOf(engineArgs);
        this.store = store;
        this.workers = workers;
        this.kills = kills;
        this.seed = seed;
        this.refreshes = refreshes;
        this.speed = speed;
        this.answerDelay = answerDelay;
        this.logs = Path.of("target", "many-processes", name);
        this.current = new Child[workers];
        this.incarnations = new int[workers];
    }

    /** Runs the whole scenario; every child is gone when it returns. */
    public ManyProcessesOutcome run() throws Exception {
        Files.createDirectories(logs);
        originMillis = System.currentTimeMillis();
        ScaledClock clock = new ScaledClock(originMillis, speed);
        long started = System.nanoTime();
        try (StrictTokenEndpoint tokens = StrictTokenEndpoint.start(clock, answerDelay, 10)) {
            endpoint = tokens;
            saveAsPerson(tokens.authorize());
            Thread person = new Thread(this::authorizeAfterLosses, "person-" + name);
            person.setDaemon(true);
            person.start();
            try {
                for (int slot = 0; slot < workers; slot++) {
                    startChild(slot);
                }
                awaitAll("HOLDING", Duration.ofSeconds(60));
                killAtSeededMoments(tokens);
                settle(tokens);
                stopAll();
            } finally {
                stopping.set(true);
                person.join(5_000);
                for (Child child : children) {
                    child.process.destroyForcibly();
                }
            }
            List<String> finals = new ArrayList<>();
            for (Child child : current) {
                if (child != null) {
                    child.reader.join(5_000);
                    finals.add(child.tag + " " + child.lines.stream().filter(l -> l.startsWith("FINAL "))
                            .reduce((a, b) -> b).orElse("FINAL missing; exit "
                                    + (child.process.isAlive() ? "none" : child.process.exitValue())));
                }
            }
            for (Child child : children) {
                child.reader.join(1_000);
            }
            ManyProcessesOutcome outcome = new ManyProcessesOutcome(name, workers, speed,
                    Duration.ofNanos(System.nanoTime() - started), tokens.ledger(), List.copyOf(killed), outputs(),
                    finals, reauthorizations.get(), tokens.chain(), tokens.validRefreshToken(),
                    store.load().orElse(null), logs.toAbsolutePath());
            Files.write(logs.resolve("ledger.txt"), outcome.timeline(started), StandardCharsets.UTF_8);
            return outcome;
        }
    }

    private List<ManyProcessesOutcome.Output> outputs() {
        List<ManyProcessesOutcome.Output> outputs = new ArrayList<>();
        for (Child child : children) {
            outputs.add(new ManyProcessesOutcome.Output(child.tag, child.killed, List.copyOf(child.lines)));
        }
        return outputs;
    }

    /** The run's clock is the chain: kill {@code n} comes after a seeded number of refreshes, whatever the speed. */
    private void killAtSeededMoments(StrictTokenEndpoint tokens) throws Exception {
        Random random = new Random(seed);
        int[] at = new int[kills];
        for (int i = 0; i < kills; i++) {
            at[i] = refreshes / 20 + random.nextInt(refreshes * 17 / 20);
        }
        Arrays.sort(at);
        Moment[] moments = Moment.values();
        for (int n = 1; n <= kills; n++) {
            awaitRefreshes(tokens, at[n - 1]);
            Moment moment = moments[random.nextInt(moments.length)];
            long pause = switch (moment) {
                case DURING_ANSWER -> random.nextInt((int) answerDelay.toMillis());
                case AFTER_ANSWER -> answerDelay.toMillis() + random.nextInt(10);
                case ANY_MOMENT -> random.nextInt(300); // the count was reached at an answer: the next few cycles
            };
            String victim;
            if (moment == Moment.ANY_MOMENT) {
                Thread.sleep(pause);
                victim = tokens.lastClient();
            } else {
                victim = tokens.awaitNextRequest(Duration.ofSeconds(10));
                Thread.sleep(pause);
            }
            if (victim == null) {
                throw new IllegalStateException("kill " + n + ": no token request within 10 s, the processes have"
                        + " stopped refreshing; see " + logs.toAbsolutePath());
            }
            Child child = current[slotOf(victim)];
            if (child == null) {
                throw new IllegalStateException("no process in the slot of " + victim);
            }
            child.killed = true;
            killed.add(new Kill(n, moment, child.tag, System.nanoTime()));
            child.process.destroyForcibly();
            if (!child.process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(child.tag + " did not die within 10 s of its kill");
            }
            startChild(child.slot);
        }
        awaitRefreshes(tokens, refreshes);
    }

    private void awaitRefreshes(StrictTokenEndpoint tokens, int count) throws InterruptedException {
        long deadline = System.nanoTime() + MAX_RUN_TIME.toNanos();
        while (tokens.refreshCount() < count) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("only " + tokens.refreshCount() + " refreshes of " + count + " within "
                        + MAX_RUN_TIME + "; see " + logs.toAbsolutePath());
            }
            Thread.sleep(10);
        }
    }

    /** After the last kill: the person repairs a chain the last kills lost, and every process gets to adopt it. */
    private void settle(StrictTokenEndpoint tokens) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (tokens.lastSpentRefused() && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
        }
        Thread.sleep(1_000);
    }

    private void stopAll() throws Exception {
        for (Child child : current) {
            if (child != null) {
                child.stop();
            }
        }
        for (Child child : current) {
            if (child != null && !child.process.waitFor(30, TimeUnit.SECONDS)) {
                child.lines.add("DID_NOT_STOP within 30 s");
            }
        }
    }

    /** The person: when the store's chain was lost, authorizes again a moment later. */
    private void authorizeAfterLosses() {
        StrictTokenEndpoint tokens = endpoint;
        while (!stopping.get() && tokens != null) {
            try {
                if (tokens.lastSpentRefused()) {
                    Thread.sleep(300); // a person reads the alert
                    Token token = tokens.authorize();
                    reauthorizations.incrementAndGet();
                    while (!saved(token) && !stopping.get()) {
                        Thread.sleep(200); // and tries again
                    }
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private boolean saved(Token token) {
        try {
            saveAsPerson(token);
            return true;
        } catch (IOException e) {
            System.err.println(name + ": the person could not save the new authorization: " + e);
            return false;
        }
    }

    private void saveAsPerson(Token token) throws IOException {
        try (TokenStore.Lock ignored = store.lock(Duration.ofSeconds(10))) {
            store.save(token);
        }
    }

    private void startChild(int slot) throws IOException {
        StrictTokenEndpoint tokens = Objects.requireNonNull(endpoint);
        String tag = "w" + slot + "." + incarnations[slot]++;
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx96m", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), workerMain.getName()));
        command.addAll(engineArgs);
        command.addAll(List.of(tag, tokens.baseUrl(tag).toString(), String.valueOf(originMillis),
                String.valueOf(speed)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Child child = new Child(tag, slot, process, logs.resolve(tag + ".log"));
        children.add(child);
        current[slot] = child;
    }

    private void awaitAll(String word, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Child child : current) {
            while (child != null && !child.said(word)) {
                if (System.nanoTime() - deadline > 0 || !child.process.isAlive()) {
                    throw new IllegalStateException(child.tag + " did not say " + word + " within " + timeout
                            + ": " + child.lines + "; see " + logs.toAbsolutePath());
                }
                Thread.sleep(20);
            }
        }
    }

    private static int slotOf(String tag) {
        return Integer.parseInt(tag.substring(1, tag.indexOf('.')));
    }
}
