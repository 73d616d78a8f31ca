package io.github.netatmotoken.core;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Hands out valid NetAtmo tokens to any number of threads, refreshing ahead of expiry, once at a time, and saving
 * every new token before anybody uses it.
 *
 * <pre>{@code
 * RefreshingTokenSource tokens = RefreshingTokenSource.builder()
 *     .store(new FileTokenStore(Path.of("netatmo-token.json")))
 *     .client(NetatmoOAuthClient.builder().clientId(id).clientSecret(secret).build())
 *     .build();                                   // loads the token file
 * String bearer = tokens.token().accessToken();   // refreshed first if needed
 * ...
 * tokens.close();                                 // saves the current token
 * }</pre>
 *
 * <p><b>Freshness.</b> A token is fresh until {@code expiry - refreshMargin} (5 minutes by default); then one caller
 * starts a background refresh and everybody keeps using the still-valid token. Within {@code expiryMargin} of the
 * expiry (30 seconds by default), or past it, callers wait for the one shared refresh, at most
 * {@code refreshTimeout}. For a token whose lifetime is known, the margins are capped at a half and a tenth of it,
 * so that short-lived tokens are refreshed at a steady cadence.
 *
 * <p><b>Faults.</b> A transient failure (network, timeout, 5xx, 429, bad response) keeps the current token in use
 * while it is valid and retries with exponential backoff and jitter, from 1 second doubling to 5 minutes; the
 * refresh token is never discarded. A permanent failure ({@code invalid_grant}, {@code invalid_client},
 * {@code unauthorized_client}) puts the source into the "reauthorization required" state until
 * {@link #setToken(Token)}: {@link #token()} then throws {@link ReauthorizationRequiredException} at once.
 *
 * <p><b>Several processes.</b> A refresh holds the store's {@link TokenStore#lock() lock}, reads the store again and
 * adopts a token that another process has already refreshed instead of spending a dead refresh token.
 *
 * <p>This class is thread-safe. {@link #token()} on a fresh token takes no lock and makes one volatile read and one
 * clock read.
 */
public final class RefreshingTokenSource implements TokenSource, AutoCloseable {
    /*
     * Design notes.
     *
     * All token state is one immutable Snapshot in an AtomicReference, so that the hot path is a volatile read and
     * a compare with a precomputed millisecond deadline. Only three kinds of code write it:
     *  - the refresh job, setToken and close, which all hold refreshLock, and set it unconditionally;
     *  - invalidate, which only CASes an ACTIVE snapshot of the rejected token to an INVALIDATED copy.
     * Single flight: at most one refresh future exists (inFlight); whoever installs it submits the job. The job
     * publishes the new snapshot before it completes the future and clears inFlight, so a caller that misses the
     * future sees the new snapshot, and a late duplicate job finds the snapshot fresh and returns at once.
     * Persist before publish: the job saves inside the store lock before it publishes.
     */
    private static final Logger log = LoggerFactory.getLogger(RefreshingTokenSource.class);

    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(RefreshingTokenSource.class, "current", Snapshot.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final TokenStore store;
    private final TokenClient client;
    private final Clock clock;
    private final long refreshMarginMillis;
    private final long expiryMarginMillis;
    private final Duration refreshTimeout;
    private final TokenListener listener;
    private final Executor executor;
    private final @Nullable ExecutorService ownedExecutor;
    private final RandomGenerator random;

    private volatile Snapshot current;
    private final AtomicReference<@Nullable CompletableFuture<Snapshot>> inFlight = new AtomicReference<>();
    private final ReentrantLock refreshLock = new ReentrantLock();

    // Written under refreshLock (nextAttemptMillis also cleared by invalidate, a benign race: both writers only
    // ever make a refresh due sooner after a rejection or a success), read anywhere.
    private volatile long nextAttemptMillis = Long.MIN_VALUE;
    private volatile @Nullable IOException lastFailure;
    private volatile @Nullable Instant lastRefresh;
    private volatile @Nullable Duration lastRefreshDuration;
    private volatile long refreshCount;
    private volatile long failureCount;
    private int consecutiveFailures;

    private RefreshingTokenSource(Builder b, Optional<Token> initial) {
        this.store = Objects.requireNonNull(b.store);
        this.client = Objects.requireNonNull(b.client);
        this.clock = b.clock;
        this.refreshMarginMillis = b.refreshMargin.toMillis();
        this.expiryMarginMillis = b.expiryMargin.toMillis();
        this.refreshTimeout = b.refreshTimeout;
        this.listener = b.listener;
        this.random = b.random;
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "netatmo-token-refresh");
                t.setDaemon(true);
                return t;
            });
            this.executor = ownedExecutor;
        }
        this.current = initial.map(t -> active(t, null, true)).orElse(Snapshot.NONE);
    }

    /**
     * Starts configuring a source.
     *
     * @return a builder with the defaults listed at {@link Builder}; the store and the client must be set
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * <p>In the "reauthorization required" state this throws at once, without asking NetAtmo again, until
     * {@link #setToken(Token)}.
     *
     * @throws IllegalStateException if this source is closed
     */
    @Override
    public Token token() throws IOException {
        Snapshot s = current;
        if (clock.millis() < s.freshUntil) {
            return s.token();
        }
        return slowToken(s);
    }

    private Token slowToken(Snapshot s) throws IOException {
        long now = clock.millis();
        switch (s.kind) {
            case CLOSED -> throw new IllegalStateException("This RefreshingTokenSource is closed");
            case NONE -> throw new NotAuthenticatedException("No NetAtmo token yet: authorize this app first (the"
                    + " authorize flow, or a refresh token from NetAtmo's token generator) and pass the result to"
                    + " setToken");
            case REAUTHORIZATION_REQUIRED -> throw reauthorizationRequired(s.reauth());
            default -> {
                if (now < s.freshUntil) {
                    return s.token();
                }
            }
        }
        if (!s.token().hasRefreshToken()) {
            // Nothing can renew it: freshUntil was the expiry, or the server rejected it.
            throw enterReauthorization(s, new ReauthorizationRequiredException(s.kind == Kind.INVALIDATED
                    ? "NetAtmo rejected the access token and there is no refresh token to renew it; authorize again"
                    : "The NetAtmo access token expired at " + s.token().expiry() + " and there is no refresh token"
                            + " to renew it; authorize again"));
        }
        boolean stillValid = s.kind == Kind.ACTIVE && now < s.expiresAt;
        if (s.kind == Kind.ACTIVE && now < s.usableUntil) {
            if (now >= nextAttemptMillis) {
                refreshInBackground();
            }
            return s.token();
        }
        if (now < nextAttemptMillis) {
            if (stillValid) {
                return s.token();
            }
            IOException failure = lastFailure;
            throw new TokenRefreshException("The NetAtmo access token is no longer usable and the last refresh"
                    + " failed (" + (failure == null ? "unknown error" : failure.getMessage()) + "); the next"
                    + " attempt is at " + Instant.ofEpochMilli(nextAttemptMillis), failure);
        }
        try {
            // The wait is real time (a future cannot wait on the injected clock), bounded by refreshTimeout in all.
            long deadline = System.nanoTime() + refreshTimeout.toNanos();
            Snapshot next = startRefresh().get(refreshTimeout.toNanos(), TimeUnit.NANOSECONDS);
            if (s.kind == Kind.INVALIDATED && next.kind == Kind.ACTIVE
                    && Objects.equals(next.token().accessToken(), s.token().accessToken())) {
                // We joined a refresh that published the rejected token just before the rejection; any refresh
                // started from now on reads the invalidated snapshot and replaces it.
                next = startRefresh().get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
            return next.kind == Kind.ACTIVE ? next.token() : slowToken(next);
        } catch (TimeoutException e) {
            if (stillValid && clock.millis() < s.expiresAt) {
                return s.token();
            }
            throw new TokenRefreshException("Timed out after " + refreshTimeout + " waiting for the NetAtmo token"
                    + " refresh; it goes on in the background", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("Interrupted while waiting for the"
                    + " NetAtmo token refresh");
            interrupted.initCause(e);
            throw interrupted;
        } catch (ExecutionException e) {
            Throwable failure = e.getCause();
            Throwable cause = failure != null ? failure : e;
            if (cause instanceof ReauthorizationRequiredException r) {
                throw reauthorizationRequired(r);
            }
            if (stillValid && clock.millis() < s.expiresAt) {
                return s.token();
            }
            String why = cause.getMessage() != null ? cause.getMessage() : cause.toString();
            throw new TokenRefreshException("Could not refresh the NetAtmo token: " + why, cause);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @param rejected the token whose access token the request carried, as {@link #token()} returned it; if the
     *     source has moved on to another token meanwhile, or {@code rejected} is {@code null}, the call does nothing
     */
    @Override
    public void invalidate(@Nullable Token rejected) {
        if (rejected == null) {
            return;
        }
        for (;;) {
            Snapshot s = current;
            if (s.kind != Kind.ACTIVE || !Objects.equals(s.token().accessToken(), rejected.accessToken())) {
                return;
            }
            Snapshot invalidated = s.invalidated();
            if (CURRENT.compareAndSet(this, s, invalidated)) {
                log.info("NetAtmo rejected access token {}; refreshing", Token.describe(rejected.accessToken()));
                if (s.token().hasRefreshToken()) {
                    nextAttemptMillis = Long.MIN_VALUE;
                    refreshInBackground();
                }
                return;
            }
        }
    }

    /**
     * Replaces the token with one obtained by authorization (a code exchange, or a refresh token pasted from
     * NetAtmo's token generator), saves it, and ends the "reauthorization required" state. A token without a
     * usable access token is refreshed in the background at once.
     *
     * @param token the token from the authorization: {@link TokenClient#exchangeCode(String, java.net.URI)}'s
     *     result, or {@link Token#ofRefreshToken(String)} of a pasted refresh token; it replaces the current token
     *     even if that one is still valid
     * @throws IllegalArgumentException if the token has neither an access nor a refresh token
     * @throws IllegalStateException if this source is closed
     * @throws IOException if the token could not be saved; it is used in memory all the same, and saving is
     *     retried at the next refresh and on close
     */
    public void setToken(Token token) throws IOException {
        Objects.requireNonNull(token, "token");
        if (!token.hasAccessToken() && !token.hasRefreshToken()) {
            throw new IllegalArgumentException("token has neither an access token nor a refresh token");
        }
        IOException saveFailure = null;
        Snapshot next;
        refreshLock.lock();
        try {
            if (current.kind == Kind.CLOSED) {
                throw new IllegalStateException("This RefreshingTokenSource is closed");
            }
            try (TokenStore.Lock ignored = store.lock()) {
                store.save(token);
            } catch (IOException | RuntimeException e) {
                saveFailure = e instanceof IOException io ? io : new IOException(e.toString(), e);
                persistFailed(saveFailure);
            }
            // A token handed over by authorization was just issued: its whole lifetime lies ahead, so the margins
            // are capped as for a refreshed one (a short-lived token is not refreshed again at once).
            next = active(token, clock.instant(), saveFailure == null);
            setCurrent(next);
            consecutiveFailures = 0;
            nextAttemptMillis = Long.MIN_VALUE;
            lastFailure = null;
            log.info("New NetAtmo token set ({}), expiry {}", token.hasRefreshToken() ? "with refresh token"
                    : "without refresh token", token.expiry() == null ? "unknown" : token.expiry());
        } finally {
            refreshLock.unlock();
        }
        if (token.hasRefreshToken() && clock.millis() >= next.freshUntil) {
            refreshInBackground();
        }
        if (saveFailure != null) {
            throw new IOException("The new NetAtmo token is in use but could not be saved to " + store + ": "
                    + saveFailure.getMessage(), saveFailure);
        }
    }

    /**
     * A point-in-time view for metrics and status pages; never contains a token value.
     *
     * @return the state, the expiry and the refresh history as of now; it takes no lock and never calls NetAtmo,
     *     so a metrics scrape or a health check may call it as often as it likes
     */
    public Status status() {
        Snapshot s = current;
        long now = clock.millis();
        State state = switch (s.kind) {
            case NONE -> State.NOT_AUTHENTICATED;
            case CLOSED -> State.CLOSED;
            case REAUTHORIZATION_REQUIRED -> State.REAUTHORIZATION_REQUIRED;
            case INVALIDATED -> s.token().hasRefreshToken() ? State.EXPIRED : State.REAUTHORIZATION_REQUIRED;
            case ACTIVE -> now < s.expiresAt ? State.VALID
                    : s.token().hasRefreshToken() ? State.EXPIRED : State.REAUTHORIZATION_REQUIRED;
        };
        IOException failure = s.kind == Kind.REAUTHORIZATION_REQUIRED ? s.reauth : lastFailure;
        Token token = s.token;
        return new Status(state, token == null ? null : token.expiry(), token != null && token.hasRefreshToken(), lastRefresh, lastRefreshDuration, refreshCount,
                failureCount, failure == null ? null : failure.getMessage());
    }

    /**
     * Saves the current token, if it is valid, and stops the refresh thread. A failure to save is logged as an
     * ERROR naming the store and not retried. If another process has since stored a newer token, that one is
     * kept. Later calls to {@link #token()} throw {@link IllegalStateException}.
     */
    @Override
    public void close() {
        refreshLock.lock();
        try {
            Snapshot s = current;
            if (s.kind == Kind.CLOSED) {
                return;
            }
            setCurrent(Snapshot.CLOSED);
            if (s.kind == Kind.ACTIVE && (s.token().hasRefreshToken() || clock.millis() < s.expiresAt)) {
                saveOnClose(s);
            }
        } finally {
            refreshLock.unlock();
            if (ownedExecutor != null) {
                ownedExecutor.shutdownNow();
            }
        }
    }

    private void saveOnClose(Snapshot s) {
        try (TokenStore.Lock ignored = store.lock()) {
            if (s.persisted) {
                Optional<Token> stored = store.load();
                if (stored.isPresent() && stored.get().equals(s.token())) {
                    log.info("{} already holds the current NetAtmo token; nothing to save on shutdown", store);
                    return;
                }
                if (stored.isPresent() && stored.get().hasRefreshToken()
                        && !Objects.equals(stored.get().refreshToken(), s.token().refreshToken())) {
                    log.info("{} holds a token stored by another process since; keeping it", store);
                    return;
                }
            }
            store.save(s.token());
            log.info("Saved the NetAtmo token to {} on shutdown", store);
        } catch (IOException | RuntimeException e) {
            log.error("Could not save the NetAtmo token to {} on shutdown: {}", store, e.getMessage());
        }
    }

    /**
     * Starts a refresh nobody waits for. Its outcome is not lost with the future: a failure is recorded by
     * {@link #failed} (log, listener, backoff) and reaches the next caller through {@link #token()}.
     */
    @SuppressWarnings("FutureReturnValueIgnored")
    private void refreshInBackground() {
        startRefresh();
    }

    private CompletableFuture<Snapshot> startRefresh() {
        for (;;) {
            CompletableFuture<Snapshot> running = inFlight.get();
            if (running != null && !running.isDone()) {
                return running;
            }
            if (running != null) {
                // Finished, but its job has not cleared it yet: its result may be the token just rejected.
                inFlight.compareAndSet(running, null);
                continue;
            }
            CompletableFuture<Snapshot> mine = new CompletableFuture<>();
            if (inFlight.compareAndSet(null, mine)) {
                try {
                    executor.execute(() -> runRefresh(mine));
                } catch (RejectedExecutionException e) {
                    inFlight.compareAndSet(mine, null);
                    mine.completeExceptionally(new TokenRefreshException("The refresh executor rejected the token"
                            + " refresh (is it shut down?)", e));
                }
                return mine;
            }
        }
    }

    private void runRefresh(CompletableFuture<Snapshot> result) {
        try {
            result.complete(refresh());
        } catch (Throwable t) {
            result.completeExceptionally(t);
        } finally {
            inFlight.compareAndSet(result, null);
        }
    }

    /** The one place that talks to the token endpoint. */
    private Snapshot refresh() throws IOException {
        refreshLock.lock();
        try {
            Snapshot basis = current;
            if (basis.kind == Kind.NONE || basis.kind == Kind.CLOSED || basis.kind == Kind.REAUTHORIZATION_REQUIRED
                    || clock.millis() < basis.freshUntil) {
                return basis;
            }
            String refreshToken = basis.token().refreshToken();
            if (refreshToken == null) {
                return basis;
            }
            Instant started = clock.instant();
            try (TokenStore.Lock ignored = store.lock()) {
                if (basis.persisted) {
                    Token stored = loadQuietly();
                    String storedRefreshToken = stored == null ? null : stored.refreshToken();
                    if (stored != null && storedRefreshToken != null && !storedRefreshToken.equals(refreshToken)) {
                        Snapshot adopted = active(stored, null, true);
                        if (clock.millis() < adopted.freshUntil) {
                            log.info("Adopted the NetAtmo token that another process refreshed and stored in {}",
                                    store);
                            return succeeded(adopted, started);
                        }
                        refreshToken = storedRefreshToken;
                    }
                }
                Token fresh = client.refresh(refreshToken);
                if (!fresh.hasRefreshToken()) {
                    fresh = fresh.withRefreshToken(refreshToken);
                }
                boolean persisted = persist(fresh);
                log.info("Refreshed the NetAtmo token; the new access token expires at {}",
                        fresh.expiry() == null ? "an unknown time" : fresh.expiry());
                return succeeded(active(fresh, started, persisted), started);
            } catch (ReauthorizationRequiredException e) {
                throw enterReauthorization(basis, e);
            } catch (IOException | RuntimeException e) {
                throw failed(e);
            }
        } finally {
            refreshLock.unlock();
        }
    }

    private Snapshot succeeded(Snapshot next, Instant started) {
        setCurrent(next);
        Instant now = clock.instant();
        lastRefresh = now;
        lastRefreshDuration = Duration.between(started, now);
        refreshCount++;
        consecutiveFailures = 0;
        nextAttemptMillis = Long.MIN_VALUE;
        lastFailure = null;
        notify(() -> listener.refreshed(next.token()));
        return next;
    }

    private IOException failed(Exception e) {
        IOException failure = e instanceof IOException io ? io
                : new TokenRefreshException("The token refresh failed unexpectedly: " + e, e);
        failureCount++;
        consecutiveFailures++;
        long ceiling = MAX_BACKOFF.toMillis();
        long delay = Math.min(ceiling, MIN_BACKOFF.toMillis() << Math.min(consecutiveFailures - 1, 20));
        long jittered = delay / 2 + random.nextLong(delay / 2 + 1);
        Instant next = clock.instant().plusMillis(jittered);
        nextAttemptMillis = next.toEpochMilli();
        lastFailure = failure;
        log.warn("NetAtmo token refresh failed ({} in a row): {}; the current token stays in use while valid;"
                + " next attempt at {}", consecutiveFailures, failure.getMessage(), next);
        notify(() -> listener.refreshFailed(failure, next));
        return failure;
    }

    private ReauthorizationRequiredException enterReauthorization(Snapshot s, ReauthorizationRequiredException e) {
        refreshLock.lock();
        try {
            Snapshot now = current;
            if (now.kind == Kind.REAUTHORIZATION_REQUIRED || now.kind == Kind.CLOSED
                    || (now != s && !Objects.equals(now.token, s.token))) {
                return e;
            }
            setCurrent(Snapshot.reauthorizationRequired(s.token, e));
            failureCount++;
        } finally {
            refreshLock.unlock();
        }
        log.error("NetAtmo token can no longer be renewed: {}", e.getMessage());
        notify(() -> listener.reauthorizationRequired(e));
        return e;
    }

    /** A new exception for this caller's stack, wrapping the shared one. */
    private static ReauthorizationRequiredException reauthorizationRequired(ReauthorizationRequiredException e) {
        return new ReauthorizationRequiredException(String.valueOf(e.getMessage()), e.error(), e);
    }

    private void setCurrent(Snapshot next) {
        current = next;
    }

    private boolean persist(Token fresh) {
        try {
            store.save(fresh);
            return true;
        } catch (IOException | RuntimeException e) {
            persistFailed(e instanceof IOException io ? io : new IOException(e.toString(), e));
            return false;
        }
    }

    private void persistFailed(IOException e) {
        log.error("Could not save the new NetAtmo token to {}: {}. It is used in memory, and saving is retried at"
                + " the next refresh and on shutdown; if the process dies before that, authorize again",
                store, e.getMessage());
        notify(() -> listener.persistFailed(e));
    }

    private @Nullable Token loadQuietly() {
        try {
            return store.load().orElse(null);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not read {} before refreshing ({}); refreshing with the token in memory", store,
                    e.getMessage());
            return null;
        }
    }

    private void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.warn("TokenListener threw {}; ignored", e.toString());
        }
    }

    private Snapshot active(Token token, @Nullable Instant issuedAt, boolean persisted) {
        long expiresAt = !token.hasAccessToken() ? Long.MIN_VALUE
                : token.expiry() == null ? Long.MAX_VALUE : millis(token.expiry());
        long freshUntil;
        long usableUntil;
        if (!token.hasRefreshToken() || expiresAt == Long.MAX_VALUE || expiresAt == Long.MIN_VALUE) {
            freshUntil = expiresAt;
            usableUntil = expiresAt;
        } else {
            long refreshMargin = refreshMarginMillis;
            long expiryMargin = expiryMarginMillis;
            if (issuedAt != null) {
                long lifetime = Math.max(0, expiresAt - millis(issuedAt));
                refreshMargin = Math.min(refreshMargin, lifetime / 2);
                expiryMargin = Math.min(expiryMargin, lifetime / 10);
            }
            freshUntil = expiresAt - refreshMargin;
            usableUntil = expiresAt - expiryMargin;
        }
        return new Snapshot(Kind.ACTIVE, token, freshUntil, usableUntil, expiresAt, persisted, null);
    }

    private static long millis(Instant instant) {
        try {
            return instant.toEpochMilli();
        } catch (ArithmeticException e) {
            return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE + 1 : Long.MAX_VALUE - 1;
        }
    }

    @Override
    public String toString() {
        return "RefreshingTokenSource[" + store + ", " + status().state() + "]";
    }

    private enum Kind { NONE, ACTIVE, INVALIDATED, REAUTHORIZATION_REQUIRED, CLOSED }

    /** Immutable token state with precomputed millisecond deadlines. */
    private static final class Snapshot {
        static final Snapshot NONE = new Snapshot(Kind.NONE, null, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE,
                true, null);
        static final Snapshot CLOSED = new Snapshot(Kind.CLOSED, null, Long.MIN_VALUE, Long.MIN_VALUE,
                Long.MIN_VALUE, true, null);

        final Kind kind;
        final @Nullable Token token;
        final long freshUntil;
        final long usableUntil;
        final long expiresAt;
        final boolean persisted;
        final @Nullable ReauthorizationRequiredException reauth;

        Snapshot(Kind kind, @Nullable Token token, long freshUntil, long usableUntil, long expiresAt,
                boolean persisted, @Nullable ReauthorizationRequiredException reauth) {
            this.kind = kind;
            this.token = token;
            this.freshUntil = freshUntil;
            this.usableUntil = usableUntil;
            this.expiresAt = expiresAt;
            this.persisted = persisted;
            this.reauth = reauth;
        }

        /** The token of an ACTIVE, INVALIDATED or REAUTHORIZATION_REQUIRED snapshot. */
        Token token() {
            if (token == null) {
                throw new IllegalStateException("a " + kind + " snapshot has no token");
            }
            return token;
        }

        ReauthorizationRequiredException reauth() {
            if (reauth == null) {
                throw new IllegalStateException("a " + kind + " snapshot has no reauthorization cause");
            }
            return reauth;
        }

        Snapshot invalidated() {
            return new Snapshot(Kind.INVALIDATED, token, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, persisted,
                    null);
        }

        static Snapshot reauthorizationRequired(@Nullable Token token, ReauthorizationRequiredException e) {
            return new Snapshot(Kind.REAUTHORIZATION_REQUIRED, token, Long.MIN_VALUE, Long.MIN_VALUE,
                    Long.MIN_VALUE, true, e);
        }
    }

    /**
     * The lifecycle state of a {@link RefreshingTokenSource}, as {@link #status()} reports it. Only
     * {@code NOT_AUTHENTICATED} and {@code REAUTHORIZATION_REQUIRED} need a person; {@code EXPIRED} heals by itself
     * as soon as NetAtmo answers a refresh.
     *
     * <pre>{@code
     * boolean needsLogin = switch (tokens.status().state()) {
     *     case NOT_AUTHENTICATED, REAUTHORIZATION_REQUIRED -> true;   // show the authorize link
     *     case VALID, EXPIRED, CLOSED -> false;                       // EXPIRED: a refresh is due or retrying
     * };
     * }</pre>
     */
    public enum State {
        /** No token yet: authorize first. */
        NOT_AUTHENTICATED,
        /** The access token is valid now. */
        VALID,
        /** The access token expired or was rejected; a refresh is due or failing. */
        EXPIRED,
        /** Only a new authorization can help. */
        REAUTHORIZATION_REQUIRED,
        /** {@link #close()} was called. */
        CLOSED
    }

    /**
     * A point-in-time view of a {@link RefreshingTokenSource}, without any token value, so that it can be logged,
     * exported as metrics or shown on a status page as it is. An immutable, thread-safe value.
     *
     * <pre>{@code
     * RefreshingTokenSource.Status status = tokens.status();
     * log.info("NetAtmo token {}, expiry {}, {} refreshes, {} failures",
     *         status.state(), status.expiry(), status.refreshCount(), status.failureCount());
     * if (status.state() == RefreshingTokenSource.State.REAUTHORIZATION_REQUIRED) {
     *     alert("NetAtmo needs a new authorization: " + status.lastError());
     * }
     * }</pre>
     *
     * @param state the lifecycle state
     * @param expiry when the access token expires, or {@code null} if unknown or there is none
     * @param hasRefreshToken whether a refresh token is present
     * @param lastRefresh when the last successful refresh finished, or {@code null}
     * @param lastRefreshDuration how long it took, or {@code null}
     * @param refreshCount successful refreshes since start
     * @param failureCount failed refreshes since start
     * @param lastError the message of the last failure, or {@code null} after a success
     */
    public record Status(State state, @Nullable Instant expiry, boolean hasRefreshToken, @Nullable Instant lastRefresh,
            @Nullable Duration lastRefreshDuration, long refreshCount, long failureCount, @Nullable String lastError) {
    }

    /**
     * Configures a {@link RefreshingTokenSource}. Defaults:
     * <ul>
     *   <li>{@code clock}: the system clock</li>
     *   <li>{@code refreshMargin}: 5 minutes before expiry a background refresh starts</li>
     *   <li>{@code expiryMargin}: 30 seconds before expiry callers wait for the refresh</li>
     *   <li>{@code refreshTimeout}: 30 seconds, the longest a caller waits for a refresh</li>
     *   <li>{@code listener}: none</li>
     *   <li>{@code executor}: a daemon thread of the source's own, stopped by {@code close()}</li>
     * </ul>
     * Not thread-safe: configure it on one thread; the source it builds is thread-safe.
     *
     * <pre>{@code
     * RefreshingTokenSource tokens = RefreshingTokenSource.builder()
     *     .store(new FileTokenStore(Path.of("netatmo-token.json")))
     *     .client(NetatmoOAuthClient.builder().clientId(id).clientSecret(secret).build())
     *     .refreshMargin(Duration.ofMinutes(10))   // start refreshing earlier than the default 5 minutes
     *     .listener(metrics)
     *     .build();                                // checks the configuration and loads the store
     * }</pre>
     */
    public static final class Builder {
        private @Nullable TokenStore store;
        private @Nullable TokenClient client;
        private Clock clock = Clock.systemUTC();
        private Duration refreshMargin = Duration.ofMinutes(5);
        private Duration expiryMargin = Duration.ofSeconds(30);
        private Duration refreshTimeout = Duration.ofSeconds(30);
        private TokenListener listener = new TokenListener() { };
        private @Nullable Executor executor;
        private RandomGenerator random = RandomGenerator.of("L64X128MixRandom");

        private Builder() {
        }

        /**
         * Where tokens are loaded from and saved to. Required.
         *
         * @param store the store, usually a {@link FileTokenStore}; no other program should refresh with its
         *     tokens unless it takes the store's {@link TokenStore#lock() lock} too
         * @return this builder
         */
        public Builder store(TokenStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * The token endpoint client. Required.
         *
         * @param client the client that refreshes, usually a {@link NetatmoOAuthClient} (or the OkHttp one)
         *     configured with the app whose client id issued the stored token
         * @return this builder
         */
        public Builder client(TokenClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * The clock for every expiry decision.
         *
         * @param clock the clock that {@link #token()} compares expiries with and that times retries; tests pass
         *     a fake one and move it instead of sleeping
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long before expiry a background refresh starts while callers keep the current token.
         *
         * @param refreshMargin zero or more, and at least {@code expiryMargin}; 5 minutes by default. For a token
         *     whose lifetime is known it is capped at half of that lifetime
         * @return this builder
         */
        public Builder refreshMargin(Duration refreshMargin) {
            this.refreshMargin = Objects.requireNonNull(refreshMargin, "refreshMargin");
            return this;
        }

        /**
         * How long before expiry callers stop using the current token and wait for the refresh.
         *
         * @param expiryMargin between zero and {@code refreshMargin}; 30 seconds by default: time enough for a
         *     request that carries the last token handed out to reach NetAtmo before that token expires. For a
         *     token whose lifetime is known it is capped at a tenth of that lifetime
         * @return this builder
         */
        public Builder expiryMargin(Duration expiryMargin) {
            this.expiryMargin = Objects.requireNonNull(expiryMargin, "expiryMargin");
            return this;
        }

        /**
         * The longest a {@link #token()} call waits for a refresh before it fails.
         *
         * @param refreshTimeout a positive duration, 30 seconds by default. A caller that gives up does not stop
         *     the refresh, which goes on in the background for the next caller
         * @return this builder
         */
        public Builder refreshTimeout(Duration refreshTimeout) {
            this.refreshTimeout = Objects.requireNonNull(refreshTimeout, "refreshTimeout");
            return this;
        }

        /**
         * Hears refreshes and failures.
         *
         * @param listener the listener, replacing any set before; its callbacks must not block, because most of
         *     them run on the refresh thread
         * @return this builder
         */
        public Builder listener(TokenListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Runs refreshes; the caller owns it and shuts it down.
         *
         * @param executor runs each refresh job; one thread is enough, because refreshes never overlap. If it
         *     rejects a job (for example because it was shut down), callers that need that refresh get a
         *     {@link TokenRefreshException}
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The jitter of the retry backoff; for tests. */
        Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Builds the source and loads the store.
         *
         * @return a new source with the stored token, or in the {@link State#NOT_AUTHENTICATED} state if the store
         *     is empty; {@link RefreshingTokenSource#close() close} it when done, to save the token and stop its thread
         * @throws IllegalStateException if the store or client is missing, or a duration is out of range
         * @throws IOException if the store cannot be read, for example a {@link TokenFileException}
         */
        public RefreshingTokenSource build() throws IOException {
            if (store == null) {
                throw new IllegalStateException("store is required, for example new FileTokenStore(path)");
            }
            if (client == null) {
                throw new IllegalStateException("client is required, for example NetatmoOAuthClient.builder()"
                        + ".clientId(id).clientSecret(secret).build()");
            }
            if (refreshMargin.isNegative()) {
                throw new IllegalStateException("refreshMargin must not be negative, but is " + refreshMargin);
            }
            if (expiryMargin.isNegative() || expiryMargin.compareTo(refreshMargin) > 0) {
                throw new IllegalStateException("expiryMargin must be between zero and refreshMargin ("
                        + refreshMargin + "), but is " + expiryMargin);
            }
            if (refreshTimeout.isNegative() || refreshTimeout.isZero()) {
                throw new IllegalStateException("refreshTimeout must be positive, but is " + refreshTimeout);
            }
            return new RefreshingTokenSource(this, store.load());
        }
    }
}
