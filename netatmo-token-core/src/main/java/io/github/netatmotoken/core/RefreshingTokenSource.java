package io.github.netatmotoken.core;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import io.github.netatmotoken.core.TokenSnapshot.Kind;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * tokens.close();                                 // saves the newest token, stops the refresh thread
 * }</pre>
 *
 * <p><b>Freshness.</b> A token is fresh until {@code expiry - refreshMargin} (5 minutes by default). The source
 * renews it then on its own schedule, without waiting for a caller; a caller that finds it inside the margin starts
 * the refresh too and keeps using the still-valid token. Within {@code expiryMargin} of the expiry (30 seconds by
 * default), or past it, callers wait for the one shared refresh, at most {@code refreshTimeout}. For a token whose
 * lifetime is known, the margins are capped at a half and a tenth of it, and refreshes are at least
 * {@code minRefreshInterval} apart, so that short-lived tokens are refreshed at a steady cadence, never in a storm.
 * An expired token is never handed out.
 *
 * <p><b>Faults.</b> A transient failure (network, timeout, 5xx, 429, bad response, a busy store lock) keeps the
 * current token in use while it is valid and retries with exponential backoff and jitter, from 1 second doubling
 * to 5 minutes, measured in elapsed time (a wall-clock step does not stall it); the refresh token is never
 * discarded. A permanent failure ({@code invalid_grant}, {@code invalid_client}, {@code unauthorized_client}) puts
 * the source into the "reauthorization required" state until {@link #setToken(Token)} or until another process
 * stores a new token: {@link #token()} then throws {@link ReauthorizationRequiredException} at once. A new token
 * that cannot be saved is used in memory and its save is retried every few seconds (1 second doubling to 1 minute)
 * until it lands.
 *
 * <p><b>Several processes.</b> A refresh holds the store's {@link TokenStore#lock(Duration) lock}, reads the store
 * again and adopts a token that another process has already refreshed instead of spending a dead refresh token. A
 * source without a token, or one that needs a new authorization, reads the store again every few seconds and
 * adopts a token that another process stored. On a {@link SharedTokenStore} (processes on several hosts) the lock
 * is the store's lease, the new token is stored by compare-and-set on its generation, the store's notifications make
 * the source adopt another process's token at once (the hot path never reads the store), and a refused refresh token
 * ({@code invalid_grant}) sends the source back to the store before it gives up.
 *
 * <p>This class is thread-safe. {@link #token()} and {@link #tokenAsync()} on a fresh token take no lock and make one
 * volatile read and one clock read. No caller ever blocks inside a {@code synchronized} block: a caller that waits
 * for a refresh parks on a {@link CompletableFuture}, so a virtual thread that waits unmounts and pins no carrier
 * thread, and {@link #tokenAsync()} waits on no thread at all. {@link #close()} and {@link #setToken(Token)} return within {@code closeTimeout} (5 seconds by
 * default) even while a refresh is stuck.
 */
public final class RefreshingTokenSource implements TokenSource, AutoCloseable {
    /*
     * Design notes.
     *
     * All token state is one immutable TokenSnapshot, so that the hot path is a volatile read and a compare with a
     * precomputed millisecond deadline. Every other write happens under stateLock, which is held only for
     * bookkeeping: never across I/O, never while a listener runs. Only invalidate's first step is a CAS.
     *
     * Jobs: all store and network work happens in one kind of job (runJob), single flight through inFlight. A job
     * takes the store lock, saves a token whose earlier save failed, and refreshes if a refresh is due. Whoever
     * installs the future submits the job; the job completes the future after it published, then tells the
     * listeners, then schedules the next background check.
     *
     * Persist before publish: the job saves inside the store lock before it publishes. A job whose basis was
     * replaced meanwhile (setToken) throws its result away unsaved; one that finds the source closed still saves
     * its result, because a spent refresh token cannot be taken back.
     *
     * Time: expiries are wall-clock instants compared with the Clock; backoff, the minimum interval and every
     * schedule are Ticker nanoseconds (RefreshTiming has the arithmetic).
     */
    private static final Logger log = LoggerFactory.getLogger(RefreshingTokenSource.class);

    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(RefreshingTokenSource.class, "current", TokenSnapshot.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** How often a source without a usable token looks into the store for one that another process stored. */
    static final long STORE_RECHECK_NANOS = Duration.ofSeconds(5).toNanos();
    /** How often {@link #reload()} reads the store when refreshes keep replacing the token during its read. */
    private static final int RELOAD_ATTEMPTS = 3;

    /** How long one wait for a shared store's lease lasts before the source looks whether the store told of news. */
    static final long LEASE_SLICE_NANOS = Duration.ofMillis(50).toNanos();

    private final TokenStore store;
    private final StoreAccess access;
    private final SharedTokenStore.Subscription subscription;
    private final TokenClient client;
    private final Clock clock;
    private final Ticker ticker;
    private final RefreshTiming timing;
    private final Duration refreshTimeout;
    private final Duration closeTimeout;
    private final boolean backgroundRefresh;
    private final List<TokenListener> listeners = new CopyOnWriteArrayList<>();
    private final Executor executor;
    private final Scheduler scheduler;
    private final @Nullable ScheduledThreadPoolExecutor ownedThread;
    private final RandomGenerator random;

    private volatile TokenSnapshot current;
    private final AtomicReference<@Nullable CompletableFuture<TokenSnapshot>> inFlight = new AtomicReference<>();
    private final Object stateLock = new Object();
    private final ReentrantLock storeRecheck = new ReentrantLock();

    // Written under stateLock, read anywhere.
    private volatile long notBeforeNanos = Long.MIN_VALUE;
    private volatile @Nullable IOException lastFailure;
    private volatile @Nullable Instant lastRefresh;
    private volatile @Nullable Duration lastRefreshDuration;
    private volatile long refreshCount;
    private volatile long failureCount;
    private volatile int consecutiveFailures;
    /** The newest token, if the store does not hold it yet: saving it is retried until it lands. */
    private volatile @Nullable Token unsaved;
    /** The token that {@link #unsaved} replaces: the one its refresh spent, or the one an authorization replaced. */
    private volatile @Nullable Token unsavedBasis;
    /** A shared store told of a new generation that the next job reads. */
    private volatile boolean storeChanged;
    private volatile long saveAtNanos = Long.MAX_VALUE;
    private volatile int consecutiveSaveFailures;
    private volatile @Nullable IOException lastSaveFailure;
    private volatile long storeCheckedAtNanos;
    private volatile boolean storeCheckFailed;
    /** The snapshot that close() replaced, so that a job finishing after close knows whose result it holds. */
    private volatile @Nullable TokenSnapshot closedFrom;
    private final RejectionPolicy rejections = new RejectionPolicy();
    private Scheduler.@Nullable Cancellable nextCheck;

    // Written by the running job.
    private volatile @Nullable Thread jobThread;
    private volatile String jobPhase = "starting";
    private volatile long jobStartedNanos;

    private RefreshingTokenSource(Builder b, Optional<Token> initial) {
        this.store = Objects.requireNonNull(b.store);
        this.access = new StoreAccess(store);
        this.client = Objects.requireNonNull(b.client);
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.timing = new RefreshTiming(b.refreshMargin, b.expiryMargin, b.minRefreshInterval);
        this.refreshTimeout = b.refreshTimeout;
        this.closeTimeout = b.closeTimeout;
        this.backgroundRefresh = b.backgroundRefresh;
        this.listeners.addAll(b.listeners);
        this.random = b.random;
        if (b.scheduler != null && b.executor != null) {
            this.ownedThread = null;
            this.scheduler = b.scheduler;
            this.executor = b.executor;
        } else {
            ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "netatmo-token-refresh");
                t.setDaemon(true);
                return t;
            });
            thread.setRemoveOnCancelPolicy(true);
            thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            this.ownedThread = thread;
            this.scheduler = b.scheduler != null ? b.scheduler : Scheduler.of(thread);
            this.executor = b.executor != null ? b.executor : thread;
        }
        this.storeCheckedAtNanos = ticker.read();
        this.current = initial.map(t -> active(t, Long.MIN_VALUE)).orElse(TokenSnapshot.NONE);
        synchronized (stateLock) {
            reschedule();
        }
        this.subscription = access.subscribe(this::onStoreChange);
    }

    /** A shared store's callback: another process stored a new token. Quick: it only schedules the read. */
    private void onStoreChange() {
        TokenSnapshot s = current;
        if (s.kind == Kind.CLOSED) {
            return;
        }
        if (s.kind == Kind.NONE || s.kind == Kind.REAUTHORIZATION_REQUIRED) {
            storeCheckedAtNanos = ticker.read() - STORE_RECHECK_NANOS;
            try {
                executor.execute(() -> recheckStore(current));
            } catch (RejectedExecutionException e) {
                // Closing: nothing to adopt any more.
            }
            return;
        }
        storeChanged = true;
        startInBackground();
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
     * {@link #setToken(Token)} or until another process stores a new token. Waits at most {@code refreshTimeout}.
     *
     * <p>The hot path (a fresh token) takes no lock: one volatile read and one clock read. A wait for the refresh
     * parks on a future, never inside a {@code synchronized} block, so on a virtual thread it pins no carrier thread.
     *
     * @throws IllegalStateException if this source is closed
     */
    @Override
    public Token token() throws IOException {
        TokenSnapshot s = current;
        if (clock.millis() < s.freshUntil) {
            return s.token();
        }
        return slowToken(s, refreshTimeout.toNanos());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Waits at most the shorter of {@code maxWait} and {@code refreshTimeout}.
     *
     * @throws IllegalStateException if this source is closed
     */
    @Override
    public Token token(Duration maxWait) throws IOException {
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, but is " + maxWait);
        }
        TokenSnapshot s = current;
        if (clock.millis() < s.freshUntil) {
            return s.token();
        }
        return slowToken(s, Math.min(saturatedNanos(maxWait), refreshTimeout.toNanos()));
    }

    private Token slowToken(TokenSnapshot seen, long waitNanos) throws IOException {
        TokenSnapshot s = withStoreRechecked(seen);
        Token ready = readyToken(s);
        if (ready != null) {
            return ready;
        }
        CompletableFuture<TokenSnapshot> job = startJob();
        // refreshTimeout counts from the start of the refresh, not of this call: callers that keep asking while a
        // refresh hangs (the interceptor asks in slices) are still told after refreshTimeout.
        long jobAge = Math.max(0, ticker.read() - jobStartedNanos);
        waitNanos = Math.min(waitNanos, Math.max(0, refreshTimeout.toNanos() - jobAge));
        long deadline = ticker.read() + waitNanos;
        try {
            // The wait is real time (a future cannot wait on the injected ticker), bounded by waitNanos in all.
            TokenSnapshot next = job.get(waitNanos, TimeUnit.NANOSECONDS);
            if (joinedBeforeRejection(s, next)) {
                next = startJob().get(Math.max(0, deadline - ticker.read()), TimeUnit.NANOSECONDS);
            }
            return usableOrThrow(next);
        } catch (TimeoutException e) {
            return afterTimeout(s, Duration.ofNanos(Math.max(waitNanos, jobAge)), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("Interrupted while waiting for the"
                    + " NetAtmo token refresh");
            interrupted.initCause(e);
            throw interrupted;
        } catch (ExecutionException e) {
            Throwable failure = e.getCause();
            return afterFailedRefresh(s, failure != null ? failure : e);
        }
    }

    /** In the states that need a person, the store is read again first (at most every few seconds). */
    private TokenSnapshot withStoreRechecked(TokenSnapshot s) {
        return s.kind == Kind.NONE || s.kind == Kind.REAUTHORIZATION_REQUIRED ? recheckStore(s) : s;
    }

    /**
     * The token of {@code s} if it can be handed out without waiting for a refresh (starting one in the background
     * if it is due); {@code null} if the caller has to wait for the refresh; otherwise the exception that says why
     * there is none.
     */
    private @Nullable Token readyToken(TokenSnapshot s) throws IOException {
        switch (s.kind) {
            case CLOSED -> throw new IllegalStateException("This RefreshingTokenSource is closed");
            case NONE -> throw new NotAuthenticatedException("No NetAtmo token yet: authorize this app first (the"
                    + " authorize flow, or a refresh token from NetAtmo's token generator) and pass the result to"
                    + " setToken");
            case REAUTHORIZATION_REQUIRED -> throw reauthorizationRequired(s.reauth());
            default -> {
                if (clock.millis() < s.freshUntil) {
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
        long now = clock.millis();
        if (s.kind == Kind.ACTIVE && now < s.usableUntil) {
            if (mayRefreshNow()) {
                startInBackground();
            }
            return s.token();
        }
        if (!mayRefreshNow()) {
            // A refresh may have finished since s was read, and set the minimum interval.
            return usableOrThrow(current);
        }
        return null;
    }

    /**
     * Whether the refresh that a caller who saw {@code s} waited for published the very token that was rejected
     * just before: any refresh started from now on reads the invalidated snapshot and replaces it, so the caller
     * waits once more.
     */
    private static boolean joinedBeforeRejection(TokenSnapshot s, TokenSnapshot next) {
        return s.kind == Kind.INVALIDATED && next.kind == Kind.ACTIVE
                && Objects.equals(next.token().accessToken(), s.token().accessToken());
    }

    /** What a caller who saw {@code s} gets when its wait for the refresh ends after {@code waited}. */
    private Token afterTimeout(TokenSnapshot s, Duration waited, @Nullable Throwable cause) throws IOException {
        if (s.kind == Kind.ACTIVE && clock.millis() < s.expiresAt) {
            return s.token();
        }
        throw new TokenRefreshException("Timed out after " + waited + " waiting for the NetAtmo token refresh, which"
                + " is " + jobPhase + "; it goes on in the background", cause);
    }

    /** What a caller who saw {@code s} gets when the refresh it waited for failed with {@code cause}. */
    private Token afterFailedRefresh(TokenSnapshot s, Throwable cause) throws IOException {
        if (cause instanceof ReauthorizationRequiredException r) {
            throw reauthorizationRequired(r);
        }
        if (s.kind == Kind.ACTIVE && clock.millis() < s.expiresAt) {
            return s.token();
        }
        String why = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        throw new TokenRefreshException("Could not refresh the NetAtmo token: " + why, cause);
    }

    /**
     * {@link TokenSource#tokenAsync()} for this source: a future that completes when a usable token is there, on no
     * caller's thread unless it is there already. The hot path takes no lock, as {@link #token()}'s.
     *
     * <p>A token that is usable now (fresh, or inside the refresh margin while the refresh runs) comes as an already
     * completed future, so that nobody waits; stages added to it run on the thread that adds them (use the
     * {@code ...Async} methods to move them). Otherwise the future completes on the executor of
     * {@link CompletableFuture}'s async methods ({@link java.util.concurrent.ForkJoinPool#commonPool()}, or a new
     * thread per task where that pool has a single thread), never on the refresh thread, once the one shared refresh has
     * ended: with the new token, or exceptionally with what {@link #token()} would have thrown
     * ({@link NotAuthenticatedException}, {@link ReauthorizationRequiredException}, {@link TokenRefreshException}
     * after {@code refreshTimeout}, {@link IllegalStateException} once this source is closed). Where there is no
     * token or a reauthorization is required and the store is due to be looked at again, that look (file, database
     * or network I/O) runs on the same executor too, never on the caller's thread. It always completes
     * within about {@code refreshTimeout}. Cancelling it stops only this wait, not the refresh, which goes on for the
     * other callers; a cancelled or completed future leaves nothing behind once the refresh ends.
     *
     * <pre>{@code
     * tokens.tokenAsync()
     *     .thenCompose(token -> http.sendAsync(HttpRequest.newBuilder(uri)
     *         .header("Authorization", "Bearer " + token.accessToken()).build(), BodyHandlers.ofString()))
     *     .thenAccept(response -> ...);
     * }</pre>
     *
     * @return a future of a token as {@link #token()} returns it; never {@code null}
     */
    @Override
    public CompletableFuture<Token> tokenAsync() {
        TokenSnapshot s = current;
        if (clock.millis() < s.freshUntil) {
            return CompletableFuture.completedFuture(s.token());
        }
        AsyncTokenWait wait = new AsyncTokenWait(this);
        // A look at the store is I/O (a file, a database, Redis): never on the caller's thread.
        return storeRecheckDue(s) ? wait.startElsewhere() : wait.start();
    }

    /** Whether {@link #withStoreRechecked} would read the store for {@code s} now. */
    private boolean storeRecheckDue(TokenSnapshot s) {
        return (s.kind == Kind.NONE || s.kind == Kind.REAUTHORIZATION_REQUIRED)
                && ticker.read() - storeCheckedAtNanos >= STORE_RECHECK_NANOS;
    }

    /**
     * One step of {@link #tokenAsync()}: the token if it is there without waiting (or the exception that says why
     * there is none); otherwise {@code null}, after handing the snapshot seen and the refresh to wait for to
     * {@code wait}.
     */
    @Nullable Token tokenWithoutWaiting(AsyncTokenWait wait) throws IOException {
        TokenSnapshot s = current;
        if (clock.millis() < s.freshUntil) {
            return s.token();
        }
        s = withStoreRechecked(s);
        Token ready = readyToken(s);
        if (ready != null) {
            return ready;
        }
        wait.await(s, startJob());
        return null;
    }

    /** For {@link AsyncTokenWait}: the token once the refresh it waited for published {@code next}; null: it waits again. */
    @Nullable Token afterRefresh(TokenSnapshot s, TokenSnapshot next, AsyncTokenWait wait, boolean rejoined)
            throws IOException {
        failIfClosed();
        if (!rejoined && joinedBeforeRejection(s, next)) {
            wait.await(s, startJob());
            return null;
        }
        return usableOrThrow(next);
    }

    /** For {@link AsyncTokenWait}: the token or exception when the refresh it waited for failed. */
    Token afterAsyncFailure(TokenSnapshot s, Throwable cause) throws IOException {
        failIfClosed();
        return afterFailedRefresh(s, cause);
    }

    /** For {@link AsyncTokenWait}: the token or exception when its wait ran out. */
    Token afterAsyncTimeout(TokenSnapshot s) throws IOException {
        failIfClosed();
        return afterTimeout(s, refreshTimeout, null);
    }

    /** A waiter that the end of a refresh woke after {@link #close()} gets no token: the source is closed. */
    private void failIfClosed() {
        if (current.kind == Kind.CLOSED) {
            throw new IllegalStateException("This RefreshingTokenSource is closed");
        }
    }

    /** For {@link AsyncTokenWait}: how long its wait may last from now, counted from the start of the refresh. */
    long asyncWaitNanos() {
        long jobAge = Math.max(0, ticker.read() - jobStartedNanos);
        return Math.max(0, refreshTimeout.toNanos() - jobAge);
    }

    /** The token of {@code s} if it is usable now; otherwise the exception that says why not, without waiting. */
    private Token usableOrThrow(TokenSnapshot s) throws IOException {
        switch (s.kind) {
            case CLOSED -> throw new IllegalStateException("This RefreshingTokenSource is closed");
            case NONE -> throw new NotAuthenticatedException("No NetAtmo token: authorize this app first");
            case REAUTHORIZATION_REQUIRED -> throw reauthorizationRequired(s.reauth());
            default -> {
            }
        }
        if (s.kind == Kind.ACTIVE && clock.millis() < s.expiresAt) {
            return s.token();
        }
        IOException failure = lastFailure;
        String next = "the next attempt is at " + nextAttempt();
        if (failure != null) {
            throw new TokenRefreshException("The NetAtmo access token is no longer usable and the last refresh"
                    + " failed (" + failure.getMessage() + "); " + next, failure);
        }
        throw new TokenRefreshException(s.kind == Kind.INVALIDATED
                ? "NetAtmo rejected the access token and a new one is not due yet; " + next
                : "The NetAtmo access token expired at " + s.token().expiry() + " (NetAtmo issued it with a lifetime"
                        + " shorter than the minimum interval between refreshes); " + next, null);
    }

    private boolean mayRefreshNow() {
        long notBefore = notBeforeNanos;
        return notBefore == Long.MIN_VALUE || ticker.read() - notBefore >= 0;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A token that worked for a while and is then rejected is renewed at once. When new tokens are rejected
     * again and again right after their renewal (a misconfigured app, an API fault), the source stops renewing
     * after the second such rejection in a row and hands out the same token, so that the caller gets the
     * rejection; one renewal is tried again after a backoff that doubles from 1 to 30 minutes.
     *
     * @param rejected the token whose access token the request carried, as {@link #token()} returned it; if the
     *     source has moved on to another token meanwhile, or {@code rejected} is {@code null}, the call does nothing
     */
    @Override
    public void invalidate(@Nullable Token rejected) {
        if (rejected == null) {
            return;
        }
        boolean renew;
        boolean renewable;
        synchronized (stateLock) {
            TokenSnapshot s = current;
            if (s.kind != Kind.ACTIVE || !Objects.equals(s.token().accessToken(), rejected.accessToken())) {
                return;
            }
            renewable = s.token().hasRefreshToken();
            renew = !renewable || rejections.renew(ticker.read());
            if (renew) {
                CURRENT.setVolatile(this, s.invalidated());
                if (s.token().hasRefreshToken()) {
                    notBeforeNanos = Long.MIN_VALUE;
                }
            }
        }
        if (!renew) {
            log.warn("NetAtmo rejected access token {} right after it was renewed, again; not renewing it for now"
                    + " (check the app's client id and scopes): callers get the rejection", Token.describe(
                    rejected.accessToken()));
            return;
        }
        log.info("NetAtmo rejected access token {}; refreshing", Token.describe(rejected.accessToken()));
        if (renewable) {
            startInBackground();
        }
    }

    /**
     * Replaces the token with one obtained by authorization (a code exchange, or a refresh token pasted from
     * NetAtmo's token generator), saves it, and ends the "reauthorization required" state. A token without a
     * usable access token is refreshed in the background at once. Returns within {@code closeTimeout}, also while
     * a refresh is stuck: a refresh of the old token that finishes later is thrown away.
     *
     * @param token the token from the authorization: {@link TokenClient#exchangeCode(String, java.net.URI)}'s
     *     result, or {@link Token#ofRefreshToken(String)} of a pasted refresh token; it replaces the current token
     *     even if that one is still valid
     * @throws IllegalArgumentException if the token has neither an access nor a refresh token
     * @throws IllegalStateException if this source is closed
     * @throws IOException if the token could not be saved in time; it is used in memory all the same, and saving is
     *     retried in the background until it lands
     */
    public void setToken(Token token) throws IOException {
        Objects.requireNonNull(token, "token");
        if (!token.hasAccessToken() && !token.hasRefreshToken()) {
            throw new IllegalArgumentException("token has neither an access token nor a refresh token");
        }
        if (current.kind == Kind.CLOSED) {
            throw new IllegalStateException("This RefreshingTokenSource is closed");
        }
        Token previous = current.token;
        IOException saveFailure = null;
        try (TokenStore.Lock ignored = store.lock(closeTimeout)) {
            store.save(token);
        } catch (IOException | RuntimeException e) {
            saveFailure = asIOException(e);
        }
        // A token handed over by authorization was just issued: its whole lifetime lies ahead, so the margins are
        // capped as for a refreshed one (a short-lived token is not refreshed again at once).
        TokenSnapshot next = active(token, clock.millis());
        synchronized (stateLock) {
            if (current.kind == Kind.CLOSED) {
                throw new IllegalStateException("This RefreshingTokenSource is closed");
            }
            CURRENT.setVolatile(this, next);
            consecutiveFailures = 0;
            notBeforeNanos = Long.MIN_VALUE;
            lastFailure = null;
            rejections.reset();
            if (saveFailure == null) {
                savedNow(null);
            } else {
                // Retried in place of the token it replaced: if this save landed after all, and another process has
                // built on it since, the retry must not put the authorized (by then spent) token back.
                saveFailedNow(token, previous);
            }
            reschedule();
        }
        log.info("New NetAtmo token set ({}), expiry {}", token.hasRefreshToken() ? "with refresh token"
                : "without refresh token", token.expiry() == null ? "unknown" : token.expiry());
        if (saveFailure != null) {
            persistFailed(saveFailure);
        }
        if (token.hasRefreshToken() && clock.millis() >= next.freshUntil) {
            startInBackground();
        }
        if (saveFailure != null) {
            throw new IOException("The new NetAtmo token is in use but could not be saved to " + store + ": "
                    + saveFailure.getMessage() + "; saving is retried in the background", saveFailure);
        }
    }

    /**
     * Reads the store now and takes its token if it is not the one in use: after a person edited or replaced the
     * token file, or from an admin endpoint. The background check reads the store only while there is no usable
     * token, and the hot path never; this is the way to make a running source see a new token at once.
     *
     * <pre>{@code
     * if (tokens.reload()) {
     *     log.info("Now using the token from the store: {}", tokens.status());
     * }
     * }</pre>
     *
     * <p>The store is the truth: its token is taken even if its expiry is earlier than that of the token in use (a
     * person who pasted a new refresh token means it), and ends the "reauthorization required" state. The one
     * exception is a store that is behind this source: while the newest token is not saved yet (an earlier save
     * failed and is retried, {@link Status#saveFailed()}), the store holds the token that refresh spent, so it is
     * not taken. A token without a usable access token is refreshed in the background at once. Listeners hear
     * {@link TokenListener#adopted(Token)}.
     *
     * @return {@code true} if the source now uses the token it read; {@code false} if the store holds the token in
     *     use, holds none, or is behind this source. A refresh that replaces the token while the store is read
     *     may have spent the token read, so the store is read again (up to three reads in all; if refreshes keep
     *     replacing the token, the answer is {@code false})
     * @throws IOException if the store cannot be read, such as a {@link TokenFileException} for a file that cannot
     *     be understood; the token in use stays. Bounded as the store's {@link TokenStore#load()} is (one read,
     *     three at most)
     * @throws IllegalStateException if this source is closed
     */
    public boolean reload() throws IOException {
        if (current.kind == Kind.CLOSED) {
            throw new IllegalStateException("This RefreshingTokenSource is closed");
        }
        for (int attempt = 1; ; attempt++) {
            // The token in use before the read: if a refresh replaced it during the read, what was read may be the
            // token that refresh spent, so the store is read again rather than taken.
            Token inUse = current.token;
            Optional<Token> loaded = store.load();
            if (loaded.isEmpty()) {
                return false;
            }
            Token stored = loaded.get();
            TokenSnapshot adopted = active(stored, clock.millis());
            synchronized (stateLock) {
                TokenSnapshot before = current;
                if (before.kind == Kind.CLOSED) {
                    throw new IllegalStateException("This RefreshingTokenSource is closed");
                }
                if (!Objects.equals(inUse, before.token)) {
                    if (attempt < RELOAD_ATTEMPTS) {
                        continue;
                    }
                    return false; // the source keeps moving on: its own tokens are newer than any read
                }
                if (unsaved != null || stored.equals(before.token)) {
                    return false;
                }
                adoptOnReload(adopted);
            }
            log.info("Took the NetAtmo token that {} holds, on reload", store);
            notifyListeners(l -> l.adopted(stored));
            if (stored.hasRefreshToken() && clock.millis() >= adopted.freshUntil) {
                startInBackground();
            }
            return true;
        }
    }

    /** For {@link #reload()}, under the state lock: {@code adopted} is the token from now on. */
    private void adoptOnReload(TokenSnapshot adopted) {
        CURRENT.setVolatile(this, adopted);
        consecutiveFailures = 0;
        notBeforeNanos = Long.MIN_VALUE;
        lastFailure = null;
        rejections.reset();
        storeCheckedAtNanos = ticker.read();
        reschedule();
    }

    /**
     * A point-in-time view for metrics and status pages; never contains a token value.
     *
     * @return the state, the expiry and the refresh history as of now; it takes no lock and never calls NetAtmo,
     *     so a metrics scrape or a health check may call it as often as it likes
     */
    public Status status() {
        TokenSnapshot s = current;
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
        IOException saveFailure = unsaved == null ? null : lastSaveFailure;
        Token token = s.token;
        CompletableFuture<TokenSnapshot> job = inFlight.get();
        return new Status(state, token == null ? null : token.expiry(), token != null && token.hasRefreshToken(),
                lastRefresh, lastRefreshDuration, refreshCount, failureCount, failure == null ? null
                        : failure.getMessage(), consecutiveFailures, consecutiveFailures == 0 ? null : nextAttempt(),
                job != null && !job.isDone(), saveFailure == null ? null : saveFailure.getMessage(),
                access.problem());
    }

    private Instant nextAttempt() {
        long notBefore = notBeforeNanos;
        long wait = notBefore == Long.MIN_VALUE ? 0 : Math.max(0, notBefore - ticker.read());
        return clock.instant().plusNanos(wait);
    }

    /**
     * Adds a listener. Listeners are called outside every lock, one after the other, on the thread that caused the
     * event (mostly the refresh thread); one that throws, even an {@link Error}, is logged and the others are
     * still called.
     *
     * @param listener the listener to add; adding the same one twice makes it hear every event twice
     */
    public void addListener(TokenListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Removes a listener added by {@link #addListener} or the builder.
     *
     * @param listener the listener to remove; nothing happens if it was not added
     */
    public void removeListener(TokenListener listener) {
        listeners.remove(listener);
    }

    /**
     * Saves the newest token and stops the refresh thread, within {@code closeTimeout} (5 seconds by default) even
     * while a refresh is stuck. A refresh that NetAtmo is answering gets half of that time to finish (and saves its
     * result itself); then the refresh thread is interrupted, and a token whose save failed before, or that the
     * store no longer holds, is saved. If the store's lock cannot be had in time, a token that only this source
     * holds is saved without it, because the store's token is spent. If another process has since stored a newer
     * token, that one is kept. A failure to save is logged as an ERROR naming the store. Later calls to
     * {@link #token()} throw {@link IllegalStateException}; calling {@code close()} again does nothing.
     */
    @Override
    public void close() {
        TokenSnapshot s;
        synchronized (stateLock) {
            s = current;
            if (s.kind == Kind.CLOSED) {
                return;
            }
            closedFrom = s;
            CURRENT.setVolatile(this, TokenSnapshot.CLOSED);
            if (nextCheck != null) {
                nextCheck.cancel();
                nextCheck = null;
            }
        }
        subscription.close();
        long deadline = ticker.read() + closeTimeout.toNanos();
        awaitRunningJob(closeTimeout.toNanos() / 2);
        stopJobThread();
        // The interrupted job may be recording a failed save of the token it just got: let it finish that.
        awaitRunningJob(Math.max(0, (deadline - ticker.read()) / 2));
        Token pending = unsaved;
        if (pending != null) {
            saveOnClose(pending, false, deadline);
        } else if (s.token != null && s.kind != Kind.REAUTHORIZATION_REQUIRED
                && (s.token().hasRefreshToken() || clock.millis() < s.expiresAt)) {
            saveOnClose(s.token(), true, deadline);
        }
    }

    private void awaitRunningJob(long nanos) {
        CompletableFuture<TokenSnapshot> running = inFlight.get();
        if (running == null || running.isDone()) {
            return;
        }
        try {
            running.get(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // A failed job has recorded its failure; one still running is interrupted next.
        }
    }

    private void stopJobThread() {
        if (ownedThread != null) {
            ownedThread.shutdownNow();
        } else {
            Thread thread = jobThread;
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    private void saveOnClose(Token closing, boolean closingInStore, long deadline) {
        Token token = closing;
        boolean inStore = closingInStore;
        long lockNanos = Math.max(Duration.ofMillis(100).toNanos(), deadline - ticker.read());
        TokenStore.Lock lock;
        try {
            lock = store.lock(Duration.ofNanos(lockNanos));
        } catch (IOException | RuntimeException e) {
            if (inStore) {
                log.warn("Could not check on shutdown that {} still holds the current NetAtmo token, which was saved"
                        + " when it was obtained: {}", store, e.getMessage());
                return;
            }
            // Only this source holds the live refresh token, and the store's is spent: losing ours would lock the
            // user out, so it is written even without the lock.
            log.warn("Saving the NetAtmo token to {} on shutdown without its lock: {}", store, e.getMessage());
            lock = () -> { };
        }
        try (TokenStore.Lock held = lock) {
            Token newer = unsaved;
            if (newer != null && !newer.equals(token)) {
                // A job that was still running recorded a newer token that it could not save.
                token = newer;
                inStore = false;
            }
            if (inStore) {
                Optional<Token> stored = store.load();
                if (stored.isPresent() && stored.get().equals(token)) {
                    log.info("{} already holds the current NetAtmo token; nothing to save on shutdown", store);
                    return;
                }
                if (stored.isPresent() && stored.get().hasRefreshToken()
                        && !Objects.equals(stored.get().refreshToken(), token.refreshToken())) {
                    log.info("{} holds a token stored by another process since; keeping it", store);
                    return;
                }
            }
            if (!access.replace(inStore ? null : unsavedBasisOf(token), token)) {
                log.info("{} holds a newer authorization than the token of this process; keeping it", store);
                return;
            }
            log.info("Saved the NetAtmo token to {} on shutdown", store);
        } catch (IOException | RuntimeException e) {
            log.error("Could not save the NetAtmo token to {} on shutdown: {}{}", store, e.getMessage(),
                    inStore ? "" : "; it was the only copy of the newest refresh token: authorize again after the"
                            + " restart");
        }
    }

    /**
     * Starts the job nobody waits for. Its outcome is not lost with the future: a failure is recorded by
     * {@link #failed} (log, listener, backoff) and reaches the next caller through {@link #token()}.
     */
    @SuppressWarnings("FutureReturnValueIgnored")
    private void startInBackground() {
        startJob();
    }

    /** Starts the job (or joins the one running): saves a pending token, and refreshes if a refresh is due. */
    private CompletableFuture<TokenSnapshot> startJob() {
        for (;;) {
            CompletableFuture<TokenSnapshot> running = inFlight.get();
            if (running != null && !running.isDone()) {
                return running;
            }
            if (running != null) {
                // Finished, but its job has not cleared it yet: its result may be the token just rejected.
                inFlight.compareAndSet(running, null);
                continue;
            }
            CompletableFuture<TokenSnapshot> mine = new CompletableFuture<>();
            long started = ticker.read();
            if (inFlight.compareAndSet(null, mine)) {
                jobStartedNanos = started;
                try {
                    executor.execute(() -> runJob(mine));
                } catch (RejectedExecutionException e) {
                    inFlight.compareAndSet(mine, null);
                    mine.completeExceptionally(new TokenRefreshException("The refresh executor rejected the token"
                            + " refresh (is it shut down?)", e));
                }
                return mine;
            }
        }
    }

    private void runJob(CompletableFuture<TokenSnapshot> result) {
        List<Consumer<TokenListener>> events = new ArrayList<>();
        jobThread = Thread.currentThread();
        boolean interrupted = false;
        try {
            TokenSnapshot outcome;
            try {
                outcome = job(events);
            } finally {
                // An interrupt that arrived while NetAtmo answered was held back so that the answer got saved.
                interrupted = Thread.interrupted();
                jobThread = null;
                jobPhase = "not running";
            }
            result.complete(outcome);
        } catch (Throwable t) {
            result.completeExceptionally(t);
        } finally {
            inFlight.compareAndSet(result, null);
            for (Consumer<TokenListener> event : events) {
                notifyListeners(event);
            }
            synchronized (stateLock) {
                reschedule();
            }
            if (storeChanged && current.kind != Kind.CLOSED) {
                // A shared store told of a new generation while this job ran, after it had read the flag: the
                // callback only joined this job, so the read it asked for is still to be done.
                startInBackground();
            }
            if (interrupted && ownedThread == null) {
                // On the caller's executor, an interrupt from close() is ours; on our own thread it stops the pool.
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The one place that talks to the token endpoint. Listener calls go to {@code events}, for after the locks. */
    private TokenSnapshot job(List<Consumer<TokenListener>> events) throws IOException {
        TokenSnapshot basis = current;
        boolean changed = storeChanged;
        storeChanged = false;
        if (basis.kind == Kind.CLOSED || (unsaved == null && !refreshDue(basis))) {
            return changed && unsaved == null ? adoptChanged(basis, events) : basis;
        }
        jobPhase = "waiting for the lock on " + store;
        long started = ticker.read();
        boolean interrupted = false;
        Token[] whileWaiting = new Token[1];
        try (TokenStore.Lock lock = lockOrNewer(basis, whileWaiting)) {
            if (lock == null) {
                log.info("Adopted the NetAtmo token that another process refreshed and stored in {} while this"
                        + " process waited for its lease", store);
                return publishAdopted(basis, active(Objects.requireNonNull(whileWaiting[0]), clock.millis()),
                        events);
            }
            Token pending = unsaved;
            if (pending != null) {
                jobPhase = "saving the NetAtmo token to " + store;
                IOException notSaved = savePending(pending, events);
                if (storeChanged && unsaved == null) {
                    storeChanged = false;
                    return adoptChanged(current, events);
                }
                if (notSaved != null && access.shared()) {
                    // Refreshing the unsaved token would spend it where no other process can follow.
                    throw new TokenRefreshException("Not refreshing while the newest NetAtmo token is not in " + store
                            + " yet (" + notSaved.getMessage() + "); the token in memory stays in use while valid",
                            notSaved);
                }
            }
            basis = current;
            if (!refreshDue(basis)) {
                return basis;
            }
            String refreshToken = basis.token().refreshToken();
            if (refreshToken == null) {
                return basis;
            }
            Token spent = basis.token();
            if (unsaved == null) {
                Token stored = loadQuietly();
                String storedRefreshToken = stored == null ? null : stored.refreshToken();
                // Not only a new refresh token: the same one with another access token (NetAtmo can answer a
                // refresh with the refresh token it was sent) is the store's newer version of this chain, and a
                // shared store's compare-and-set must be given the token as the store holds it.
                if (stored != null && storedRefreshToken != null && !stored.equals(spent)) {
                    TokenSnapshot adopted = active(stored, clock.millis());
                    if (clock.millis() < adopted.freshUntil) {
                        log.info("Adopted the NetAtmo token that another process refreshed and stored in {}",
                                store);
                        return publishAdopted(basis, adopted, events);
                    }
                    refreshToken = storedRefreshToken;
                    spent = stored;
                }
            }
            jobPhase = "recording the refresh in " + store;
            access.refreshing(spent);
            jobPhase = "waiting for NetAtmo's token endpoint";
            Token fresh;
            TokenRefreshException unusable = null;
            try {
                fresh = client.refresh(refreshToken);
            } catch (ReauthorizationRequiredException e) {
                return afterRefusal(basis, spent, e, started, events);
            } catch (TokenRefreshException e) {
                // An answer that rotated the refresh token but is otherwise unusable: the old one is spent, so the
                // new one is kept like any new token, and the refresh is retried with it after the backoff.
                Optional<Token> rotated = e.rotatedToken();
                if (rotated.isEmpty()) {
                    throw e;
                }
                fresh = rotated.get();
                unusable = e;
            }
            // From here the old refresh token is spent: the answer is saved before an interrupt is honoured.
            interrupted = Thread.interrupted();
            if (!fresh.hasRefreshToken()) {
                fresh = fresh.withRefreshToken(refreshToken);
            }
            if (!sameChain(basis)) {
                // setToken replaced the chain meanwhile, and may not have got the lock we hold: its token is the
                // one to keep, so it is saved now rather than the store being left with the refresh token just spent.
                log.info("A refresh finished after a new token was set; its result is not used");
                Token newer = unsaved;
                if (newer != null) {
                    savePending(newer, events); // a failure is recorded and retried on its schedule
                }
                return current;
            }
            jobPhase = "saving the new NetAtmo token to " + store;
            IOException saveFailure = null;
            try {
                if (!access.replace(spent, fresh)) {
                    log.warn("{} holds a new authorization stored while this process refreshed; the token just"
                            + " refreshed is not used", store);
                    return adoptStored(basis, events);
                }
            } catch (IOException | RuntimeException e) {
                saveFailure = asIOException(e);
            }
            if (unusable == null) {
                log.info("Refreshed the NetAtmo token; the new access token expires at {}",
                        fresh.expiry() == null ? "an unknown time" : fresh.expiry());
            }
            TokenSnapshot next = active(fresh, clock.millis());
            synchronized (stateLock) {
                if (saveFailure == null) {
                    // Supersedes an earlier failed save of this chain, but not a newer authorization set meanwhile.
                    savedNow(Objects.equals(unsaved, basis.token) ? unsaved : fresh);
                } else {
                    saveFailedNow(fresh, spent);
                }
            }
            if (saveFailure != null) {
                persistFailedLater(saveFailure, events);
            }
            if (unusable != null) {
                synchronized (stateLock) {
                    if (current.kind != Kind.CLOSED && sameChain(basis)) {
                        CURRENT.setVolatile(this, next);
                    }
                }
                log.warn("NetAtmo rotated the refresh token in an otherwise unusable answer; the new refresh token"
                        + " was {}, and the refresh is retried with it", saveFailure == null ? "saved" : "kept");
                throw unusable;
            }
            return publishRefresh(basis, next, started, events);
        } catch (ReauthorizationRequiredException e) {
            throw enterReauthorization(basis, e, events);
        } catch (IOException | RuntimeException e) {
            throw failed(e, events);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The store's lock, waiting at most {@code refreshTimeout}. On a shared store the wait is cut into slices: when
     * the store tells of a new token meanwhile (the lease holder's refresh) and it is fresh, the wait ends without
     * the lease, {@code null} is returned and the token is in {@code newer[0]}, so that replicas waiting for one
     * refresh take its result at once instead of taking the lease one after the other.
     */
    private TokenStore.@Nullable Lock lockOrNewer(TokenSnapshot basis, @Nullable Token[] newer) throws IOException {
        if (!access.shared() || unsaved != null) {
            return store.lock(refreshTimeout);
        }
        // Real time: the slices are real waits on the store, as the whole wait was.
        long deadline = System.nanoTime() + refreshTimeout.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            try {
                return store.lock(Duration.ofNanos(Math.max(0, Math.min(left, LEASE_SLICE_NANOS))));
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                if (deadline - System.nanoTime() <= 0 || access.problem() != null) {
                    throw e; // the wait is over, or the store cannot be reached: not worth another slice
                }
            }
            if (storeChanged) {
                storeChanged = false;
                Token stored = loadQuietly();
                if (stored != null && !stored.equals(basis.token)
                        && clock.millis() < active(stored, clock.millis()).freshUntil) {
                    newer[0] = stored;
                    return null;
                }
            }
        }
    }

    private boolean refreshDue(TokenSnapshot s) {
        if (s.kind != Kind.ACTIVE && s.kind != Kind.INVALIDATED) {
            return false;
        }
        return s.token().hasRefreshToken() && clock.millis() >= s.freshUntil && mayRefreshNow();
    }

    /** Whether the current token still descends from {@code basis}: no new authorization replaced it. */
    private boolean sameChain(TokenSnapshot basis) {
        TokenSnapshot now = current;
        if (now.kind == Kind.CLOSED) {
            now = closedFrom;
        }
        return now != null && Objects.equals(now.token, basis.token);
    }

    private TokenSnapshot publishRefresh(TokenSnapshot basis, TokenSnapshot next, long started,
            List<Consumer<TokenListener>> events) {
        synchronized (stateLock) {
            if (current.kind != Kind.CLOSED && sameChain(basis)) {
                CURRENT.setVolatile(this, next);
            }
            long now = ticker.read();
            notBeforeNanos = timing.notBefore(started);
            lastRefresh = clock.instant();
            lastRefreshDuration = Duration.ofNanos(Math.max(0, now - started));
            refreshCount++;
            consecutiveFailures = 0;
            lastFailure = null;
        }
        Token token = next.token();
        events.add(l -> l.refreshed(token));
        return next;
    }

    /** Publishes a token taken from the store: no request went to NetAtmo, so it is not counted as a refresh. */
    private TokenSnapshot publishAdopted(TokenSnapshot basis, TokenSnapshot next, List<Consumer<TokenListener>> events) {
        synchronized (stateLock) {
            if (current.kind == Kind.CLOSED || !sameChain(basis)) {
                return current;
            }
            CURRENT.setVolatile(this, next);
            consecutiveFailures = 0;
            lastFailure = null;
            rejections.reset();
        }
        Token token = next.token();
        events.add(l -> l.adopted(token));
        return next;
    }

    /** A shared store told of a new generation: adopts the store's token if it is not the one in use. */
    private TokenSnapshot adoptChanged(TokenSnapshot basis, List<Consumer<TokenListener>> events) {
        if (basis.kind != Kind.ACTIVE && basis.kind != Kind.INVALIDATED) {
            return basis;
        }
        jobPhase = "reading the new NetAtmo token from " + store;
        Token stored = loadQuietly();
        if (stored == null || stored.equals(basis.token)) {
            return basis;
        }
        log.info("Adopted the NetAtmo token that another process stored in {}", store);
        return publishAdopted(basis, active(stored, clock.millis()), events);
    }

    /** The store holds a new authorization that superseded this source's chain: that token is the one to use. */
    private TokenSnapshot adoptStored(TokenSnapshot basis, List<Consumer<TokenListener>> events) throws IOException {
        synchronized (stateLock) {
            savedNow(null);
        }
        Token stored = store.load().orElseThrow(() -> new TokenRefreshException("The token in " + store
                + " changed while this process refreshed, and is gone now", null));
        return publishAdopted(basis, active(stored, clock.millis()), events);
    }

    /**
     * NetAtmo refused the refresh token. Another process may have rotated it a moment ago (a shared store whose
     * lease ran out meanwhile): the store is read again, and a running lease waited out, before giving up; a chain
     * lost by a crash in the refresh window is explained.
     */
    private TokenSnapshot afterRefusal(TokenSnapshot basis, Token spent, ReauthorizationRequiredException e,
            long started, List<Consumer<TokenListener>> events) throws IOException {
        if (!"invalid_grant".equals(e.error())) {
            throw e;
        }
        jobPhase = "looking in " + store + " for a token another process rotated";
        long left = Math.max(0, refreshTimeout.toNanos() - (ticker.read() - started));
        Optional<Token> newer = access.awaitNewer(spent, Duration.ofNanos(left));
        if (newer.isPresent()) {
            log.info("NetAtmo refused the refresh token because another process had just rotated it; adopted the"
                    + " token it stored in {}", store);
            return publishAdopted(basis, active(newer.get(), clock.millis()), events);
        }
        Optional<String> lost = access.lossExplanation(spent);
        if (lost.isPresent()) {
            throw new ReauthorizationRequiredException("NetAtmo refused the refresh token (invalid_grant): "
                    + lost.get() + ", and the new token never reached " + store + "; authorize again", e.error(), e);
        }
        throw e;
    }

    /** Saves the token whose save failed before; returns the failure if it failed again, {@code null} if not. */
    private @Nullable IOException savePending(Token pending, List<Consumer<TokenListener>> events) {
        Token spent = unsavedBasis;
        IOException failure = null;
        boolean superseded = false;
        try {
            superseded = !access.replace(spent, pending);
        } catch (IOException | RuntimeException e) {
            failure = asIOException(e);
        }
        synchronized (stateLock) {
            if (failure == null) {
                savedNow(pending);
            } else {
                saveFailedNow(pending, spent);
            }
        }
        if (superseded) {
            log.warn("{} holds a newer token, stored by another process while this process could not save its own;"
                    + " that one is used", store);
            storeChanged = true;
        } else if (failure == null) {
            log.info("Saved the NetAtmo token to {} after an earlier failure", store);
        } else {
            persistFailedLater(failure, events);
        }
        return failure;
    }

    private @Nullable Token unsavedBasisOf(Token token) {
        return Objects.equals(unsaved, token) ? unsavedBasis : null;
    }

    /**
     * Under stateLock: the store holds {@code saved}; the pending token is cleared if it is that one. {@code null}
     * for a save that supersedes any pending token (a new authorization).
     */
    private void savedNow(@Nullable Token saved) {
        if (saved == null || Objects.equals(unsaved, saved)) {
            unsaved = null;
            unsavedBasis = null;
            saveAtNanos = Long.MAX_VALUE;
            consecutiveSaveFailures = 0;
            lastSaveFailure = null;
        }
    }

    /**
     * Under stateLock: {@code token} is the newest and not in the store; saving it is retried with backoff.
     * {@code spent} is the token it replaces (see {@link #unsavedBasis}), or {@code null}.
     */
    private void saveFailedNow(Token token, @Nullable Token spent) {
        unsaved = token;
        unsavedBasis = spent;
        consecutiveSaveFailures++;
        saveAtNanos = ticker.read() + RefreshTiming.saveBackoffNanos(consecutiveSaveFailures, random.nextLong());
    }

    private void persistFailedLater(IOException e, List<Consumer<TokenListener>> events) {
        lastSaveFailure = e;
        logPersistFailed(e);
        events.add(l -> l.persistFailed(e));
    }

    private void persistFailed(IOException e) {
        List<Consumer<TokenListener>> events = new ArrayList<>();
        persistFailedLater(e, events);
        events.forEach(this::notifyListeners);
    }

    private void logPersistFailed(IOException e) {
        long wait = Math.max(0, saveAtNanos - ticker.read());
        log.error("Could not save the new NetAtmo token to {}: {}. It is used in memory, and saving is retried at {}"
                + " and on shutdown; if the process dies before that, authorize again", store,
                e.getMessage() != null ? e.getMessage() : e.toString(),
                clock.instant().plusNanos(wait));
    }

    private IOException failed(Exception e, List<Consumer<TokenListener>> events) {
        IOException failure = e instanceof IOException io ? io
                : new TokenRefreshException("The token refresh failed unexpectedly: " + e, e);
        Instant next;
        int failures;
        synchronized (stateLock) {
            failureCount++;
            failures = ++consecutiveFailures;
            long delay = RefreshTiming.backoffNanos(failures, random.nextLong());
            notBeforeNanos = ticker.read() + delay;
            next = nextAttempt();
            lastFailure = failure;
        }
        log.warn("NetAtmo token refresh failed ({} in a row): {}; the current token stays in use while valid;"
                + " next attempt at {}", failures, failure.getMessage(), next);
        events.add(l -> l.refreshFailed(failure, next));
        return failure;
    }

    private ReauthorizationRequiredException enterReauthorization(TokenSnapshot s, ReauthorizationRequiredException e) {
        List<Consumer<TokenListener>> events = new ArrayList<>();
        enterReauthorization(s, e, events);
        events.forEach(this::notifyListeners);
        return e;
    }

    private ReauthorizationRequiredException enterReauthorization(TokenSnapshot s, ReauthorizationRequiredException e,
            List<Consumer<TokenListener>> events) {
        synchronized (stateLock) {
            TokenSnapshot now = current;
            if (now.kind == Kind.REAUTHORIZATION_REQUIRED || now.kind == Kind.CLOSED
                    || (now != s && !Objects.equals(now.token, s.token))) {
                return e;
            }
            CURRENT.setVolatile(this, TokenSnapshot.reauthorizationRequired(s.token, e));
            failureCount++;
            storeCheckedAtNanos = ticker.read();
        }
        log.error("NetAtmo token can no longer be renewed: {}", e.getMessage());
        events.add(l -> l.reauthorizationRequired(e));
        return e;
    }

    /**
     * In the states that need a person, looks into the store (at most every few seconds, one thread at a time)
     * for a token that another process stored, such as after the user authorized through that process.
     */
    private TokenSnapshot recheckStore(TokenSnapshot s) {
        if (ticker.read() - storeCheckedAtNanos < STORE_RECHECK_NANOS || !storeRecheck.tryLock()) {
            return s;
        }
        try {
            storeCheckedAtNanos = ticker.read();
            Optional<Token> loaded;
            try {
                loaded = store.load();
                storeCheckFailed = false;
            } catch (IOException | RuntimeException e) {
                if (!storeCheckFailed) {
                    log.warn("Could not read {} to look for a new NetAtmo token: {}", store, e.getMessage());
                    storeCheckFailed = true;
                }
                return s;
            }
            if (loaded.isEmpty() || (s.token != null && Objects.equals(loaded.get().refreshToken(),
                    s.token().refreshToken()) && Objects.equals(loaded.get().accessToken(), s.token().accessToken()))) {
                return s;
            }
            Token stored = loaded.get();
            TokenSnapshot adopted = active(stored, clock.millis());
            synchronized (stateLock) {
                if (current != s) {
                    return current;
                }
                CURRENT.setVolatile(this, adopted);
                consecutiveFailures = 0;
                notBeforeNanos = Long.MIN_VALUE;
                lastFailure = null;
                rejections.reset();
                reschedule();
            }
            log.info("Adopted the NetAtmo token that another process stored in {}", store);
            notifyListeners(l -> l.adopted(stored));
            return adopted;
        } finally {
            storeRecheck.unlock();
        }
    }

    /** The background check: saves a pending token, refreshes a due one, and looks into the store when needed. */
    private void check() {
        TokenSnapshot s = current;
        if (s.kind == Kind.CLOSED) {
            return;
        }
        if (s.kind == Kind.NONE || s.kind == Kind.REAUTHORIZATION_REQUIRED) {
            recheckStore(s);
        }
        boolean saveDue = unsaved != null && ticker.read() - saveAtNanos >= 0;
        if (saveDue || (backgroundRefresh && refreshDue(current))) {
            if (!startJob().isDone()) {
                return; // its end reschedules
            }
            // Rejected by the executor, or already done on the caller's thread: the schedule must go on.
        }
        synchronized (stateLock) {
            reschedule();
        }
    }

    /** Under stateLock: replaces the pending background check with one at the time the state asks for. */
    private void reschedule() {
        TokenSnapshot s = current;
        if (nextCheck != null) {
            nextCheck.cancel();
            nextCheck = null;
        }
        if (s.kind == Kind.CLOSED) {
            return;
        }
        long delay;
        if (s.kind == Kind.NONE || s.kind == Kind.REAUTHORIZATION_REQUIRED) {
            delay = STORE_RECHECK_NANOS;
        } else {
            boolean renewable = backgroundRefresh && s.token().hasRefreshToken();
            delay = RefreshTiming.nextCheckDelayNanos(clock.millis(), ticker.read(),
                    renewable ? s.freshUntil : Long.MAX_VALUE, notBeforeNanos,
                    unsaved == null ? Long.MAX_VALUE : saveAtNanos);
        }
        try {
            nextCheck = scheduler.schedule(this::check, delay);
        } catch (RejectedExecutionException e) {
            // Shut down by close(), or by the owner of an executor passed to the builder.
            nextCheck = null;
        }
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

    @SuppressWarnings("IllegalCatch") // a listener's Error must not turn a saved refresh into a failure
    private void notifyListeners(Consumer<TokenListener> event) {
        for (TokenListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (Throwable t) {
                log.warn("TokenListener {} threw {}; ignored", listener.getClass().getName(), t.toString());
            }
        }
    }

    /** A new exception for this caller's stack, wrapping the shared one. */
    private static ReauthorizationRequiredException reauthorizationRequired(ReauthorizationRequiredException e) {
        return new ReauthorizationRequiredException(String.valueOf(e.getMessage()), e.error(), e);
    }

    private static IOException asIOException(Exception e) {
        return e instanceof IOException io ? io : new IOException(e.toString(), e);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private TokenSnapshot active(Token token, long issuedAt) {
        long expiresAt = !token.hasAccessToken() ? Long.MIN_VALUE
                : token.expiry() == null ? Long.MAX_VALUE : millis(token.expiry());
        RefreshTiming.Deadlines d = timing.deadlines(expiresAt, issuedAt, token.hasRefreshToken());
        return new TokenSnapshot(Kind.ACTIVE, token, d.freshUntil(), d.usableUntil(), expiresAt, null);
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
     * exported as metrics or shown on a status page as it is. An immutable, thread-safe value; a final class
     * rather than a record, so that later versions can add to it.
     *
     * <pre>{@code
     * RefreshingTokenSource.Status status = tokens.status();
     * log.info("NetAtmo token {}, expiry {}, {} refreshes, {} failures",
     *         status.state(), status.expiry(), status.refreshCount(), status.failureCount());
     * if (status.state() == RefreshingTokenSource.State.REAUTHORIZATION_REQUIRED) {
     *     alert("NetAtmo needs a new authorization: " + status.lastError());
     * }
     * if (status.saveFailed()) {
     *     alert("The NetAtmo token could not be saved: " + status.saveError());
     * }
     * }</pre>
     */
    public static final class Status {
        private final State state;
        private final @Nullable Instant expiry;
        private final boolean hasRefreshToken;
        private final @Nullable Instant lastRefresh;
        private final @Nullable Duration lastRefreshDuration;
        private final long refreshCount;
        private final long failureCount;
        private final @Nullable String lastError;
        private final int consecutiveFailures;
        private final @Nullable Instant nextAttempt;
        private final boolean refreshing;
        private final @Nullable String saveError;
        private final @Nullable String storeProblem;

        @SuppressWarnings("ParameterNumber") // package-private: only the source builds one
        Status(State state, @Nullable Instant expiry, boolean hasRefreshToken, @Nullable Instant lastRefresh,
                @Nullable Duration lastRefreshDuration, long refreshCount, long failureCount,
                @Nullable String lastError, int consecutiveFailures, @Nullable Instant nextAttempt,
                boolean refreshing, @Nullable String saveError, @Nullable String storeProblem) {
            this.state = state;
            this.expiry = expiry;
            this.hasRefreshToken = hasRefreshToken;
            this.lastRefresh = lastRefresh;
            this.lastRefreshDuration = lastRefreshDuration;
            this.refreshCount = refreshCount;
            this.failureCount = failureCount;
            this.lastError = lastError;
            this.consecutiveFailures = consecutiveFailures;
            this.nextAttempt = nextAttempt;
            this.refreshing = refreshing;
            this.saveError = saveError;
            this.storeProblem = storeProblem;
        }

        /** {@return the lifecycle state} */
        public State state() {
            return state;
        }

        /** {@return when the access token expires, or {@code null} if unknown or there is none} */
        public @Nullable Instant expiry() {
            return expiry;
        }

        /** {@return whether a refresh token is present} */
        public boolean hasRefreshToken() {
            return hasRefreshToken;
        }

        /** {@return when the last successful refresh finished, or {@code null}} */
        public @Nullable Instant lastRefresh() {
            return lastRefresh;
        }

        /** {@return how long the last successful refresh took (elapsed time, never negative), or {@code null}} */
        public @Nullable Duration lastRefreshDuration() {
            return lastRefreshDuration;
        }

        /** {@return successful refreshes since start} */
        public long refreshCount() {
            return refreshCount;
        }

        /** {@return failed refreshes since start} */
        public long failureCount() {
            return failureCount;
        }

        /** {@return the message of the last failure, or {@code null} after a success} */
        public @Nullable String lastError() {
            return lastError;
        }

        /** {@return failed refreshes since the last success; 0 when the last refresh worked} */
        public int consecutiveFailures() {
            return consecutiveFailures;
        }

        /** {@return the earliest time of the next refresh attempt after a failure, or {@code null} if none failed} */
        public @Nullable Instant nextAttempt() {
            return nextAttempt;
        }

        /** {@return whether a refresh (or a save) is running now} */
        public boolean refreshing() {
            return refreshing;
        }

        /** {@return whether the token in use is not in the store yet, because saving it failed; it is retried} */
        public boolean saveFailed() {
            return saveError != null;
        }

        /** {@return why the last save failed while the token in use is not in the store, or {@code null}} */
        public @Nullable String saveError() {
            return saveError;
        }

        /**
         * {@return what is wrong with a {@link SharedTokenStore} right now (for example that it cannot be reached:
         * tokens in memory keep working until they expire, and refreshes wait for the store), or {@code null} when
         * it works or the store is not shared}
         */
        public @Nullable String storeProblem() {
            return storeProblem;
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Status other && state == other.state && Objects.equals(expiry, other.expiry)
                    && hasRefreshToken == other.hasRefreshToken && Objects.equals(lastRefresh, other.lastRefresh)
                    && Objects.equals(lastRefreshDuration, other.lastRefreshDuration)
                    && refreshCount == other.refreshCount && failureCount == other.failureCount
                    && Objects.equals(lastError, other.lastError) && consecutiveFailures == other.consecutiveFailures
                    && Objects.equals(nextAttempt, other.nextAttempt) && refreshing == other.refreshing
                    && Objects.equals(saveError, other.saveError) && Objects.equals(storeProblem, other.storeProblem);
        }

        @Override
        public int hashCode() {
            return Objects.hash(state, expiry, hasRefreshToken, lastRefresh, lastRefreshDuration, refreshCount,
                    failureCount, lastError, consecutiveFailures, nextAttempt, refreshing, saveError, storeProblem);
        }

        @Override
        public String toString() {
            return "Status[state=" + state + ", expiry=" + expiry + ", hasRefreshToken=" + hasRefreshToken
                    + ", lastRefresh=" + lastRefresh + ", lastRefreshDuration=" + lastRefreshDuration
                    + ", refreshCount=" + refreshCount + ", failureCount=" + failureCount + ", lastError="
                    + lastError + ", consecutiveFailures=" + consecutiveFailures + ", nextAttempt=" + nextAttempt
                    + ", refreshing=" + refreshing + ", saveError=" + saveError + ", storeProblem=" + storeProblem + "]";
        }
    }

    /**
     * Configures a {@link RefreshingTokenSource}. Each setter checks its value at once and throws
     * {@link IllegalArgumentException} naming the parameter and the allowed range. Defaults:
     * <ul>
     *   <li>{@code clock}: the system clock, for expiries</li>
     *   <li>{@code ticker}: {@link System#nanoTime()}, for backoff, intervals and schedules</li>
     *   <li>{@code refreshMargin}: 5 minutes before expiry the token is renewed</li>
     *   <li>{@code expiryMargin}: 30 seconds before expiry callers wait for the refresh</li>
     *   <li>{@code minRefreshInterval}: 5 seconds at least between two refreshes</li>
     *   <li>{@code refreshTimeout}: 30 seconds, the longest a caller waits for a refresh, and the longest a refresh
     *       waits for the store's lock</li>
     *   <li>{@code closeTimeout}: 5 seconds, the longest {@code close()} and {@code setToken} take</li>
     *   <li>{@code backgroundRefresh}: on; the token is renewed on the source's own schedule</li>
     *   <li>{@code listener}: none</li>
     *   <li>{@code executor}: a daemon thread of the source's own, named {@code netatmo-token-refresh}, stopped by
     *       {@code close()}; it also runs the background schedule</li>
     * </ul>
     * Not thread-safe: configure it on one thread; the source it builds is thread-safe.
     *
     * <pre>{@code
     * RefreshingTokenSource tokens = RefreshingTokenSource.builder()
     *     .store(new FileTokenStore(Path.of("netatmo-token.json")))
     *     .client(NetatmoOAuthClient.builder().clientId(id).clientSecret(secret).build())
     *     .refreshMargin(Duration.ofMinutes(10))   // renew earlier than the default 5 minutes
     *     .listener(metrics)
     *     .build();                                // checks the configuration and loads the store
     * }</pre>
     */
    public static final class Builder {
        private @Nullable TokenStore store;
        private @Nullable TokenClient client;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.systemTicker();
        private Duration refreshMargin = Duration.ofMinutes(5);
        private Duration expiryMargin = Duration.ofSeconds(30);
        private Duration minRefreshInterval = Duration.ofSeconds(5);
        private Duration refreshTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private boolean backgroundRefresh = true;
        private final List<TokenListener> listeners = new ArrayList<>();
        private @Nullable Executor executor;
        private @Nullable Scheduler scheduler;
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
         * Optional: the clock for every expiry decision; the system clock by default. Backoff and timeouts do not
         * use it: they count elapsed time, so that a clock step cannot stall them.
         *
         * @param clock the clock that {@link #token()} compares expiries with; tests pass a fake one and move it
         *     instead of sleeping
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Optional: elapsed time for backoff, the minimum interval, timeouts and the background schedule;
         * {@link Ticker#systemTicker()} by default. Tests that move a fake {@link #clock(Clock) clock} move a fake
         * ticker with it.
         *
         * @param ticker the source of elapsed nanoseconds
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Optional: how long before expiry the token is renewed while callers keep using it; 5 minutes by default.
         *
         * @param refreshMargin zero to one day, and at least {@code expiryMargin}. For a token whose lifetime is
         *     known it is capped at half of that lifetime
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder refreshMargin(Duration refreshMargin) {
            this.refreshMargin = DurationRange.NOT_NEGATIVE.check("refreshMargin", refreshMargin);
            return this;
        }

        /**
         * Optional: how long before expiry callers stop using the current token and wait for the refresh; 30
         * seconds by default.
         *
         * @param expiryMargin zero to one day, and at most {@code refreshMargin}: time enough for a request that
         *     carries the last token handed out to reach NetAtmo before that token expires. For a token whose
         *     lifetime is known it is capped at a tenth of that lifetime
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder expiryMargin(Duration expiryMargin) {
            this.expiryMargin = DurationRange.NOT_NEGATIVE.check("expiryMargin", expiryMargin);
            return this;
        }

        /**
         * Optional: the least time between the starts of two refreshes; 5 seconds by default. It keeps a token
         * with a lifetime of zero or a few seconds from causing a refresh storm; a renewal after NetAtmo rejected a
         * token is not held back by it.
         *
         * @param minRefreshInterval zero to one hour
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder minRefreshInterval(Duration minRefreshInterval) {
            this.minRefreshInterval = new DurationRange(Duration.ZERO, true, Duration.ofHours(1))
                    .check("minRefreshInterval", minRefreshInterval);
            return this;
        }

        /**
         * Optional: the longest a {@link #token()} call waits for a refresh before it fails, and the longest a
         * refresh waits for the store's lock; 30 seconds by default.
         *
         * @param refreshTimeout more than zero, at most one day. A caller that gives up does not stop the refresh,
         *     which goes on in the background for the next caller
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder refreshTimeout(Duration refreshTimeout) {
            this.refreshTimeout = DurationRange.POSITIVE.check("refreshTimeout", refreshTimeout);
            return this;
        }

        /**
         * Optional: the longest {@link #close()} and {@link #setToken(Token)} take, also while a refresh is stuck;
         * 5 seconds by default.
         *
         * @param closeTimeout more than zero, at most one minute
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = new DurationRange(Duration.ZERO, false, Duration.ofMinutes(1))
                    .check("closeTimeout", closeTimeout);
            return this;
        }

        /**
         * Optional: whether the source renews the token on its own schedule, at the start of the refresh margin,
         * without waiting for a caller; on by default. Off, a token is renewed only when a caller asks for one
         * inside the refresh margin (saves that failed are still retried in the background).
         *
         * @param backgroundRefresh false to renew only on demand
         * @return this builder
         */
        public Builder backgroundRefresh(boolean backgroundRefresh) {
            this.backgroundRefresh = backgroundRefresh;
            return this;
        }

        /**
         * Optional: a listener that hears refreshes and failures; none by default. Call it again to add more; the
         * source's {@link RefreshingTokenSource#addListener addListener} adds them later.
         *
         * @param listener the listener to add; its callbacks must not block, because most of them run on the
         *     refresh thread
         * @return this builder
         */
        public Builder listener(TokenListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Optional: runs refreshes; the caller owns it and shuts it down. By default the source's own thread does.
         *
         * @param executor runs each refresh job; one thread is enough, because refreshes never overlap. If it
         *     rejects a job (for example because it was shut down), callers that need that refresh get a
         *     {@link TokenRefreshException}. {@code close()} interrupts a refresh that runs on it
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The background schedule; for tests. */
        Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
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
         * @throws IllegalStateException if the store or client is missing, or {@code expiryMargin} is larger than
         *     {@code refreshMargin}
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
            if (expiryMargin.compareTo(refreshMargin) > 0) {
                throw new IllegalStateException("expiryMargin must be between zero and refreshMargin ("
                        + refreshMargin + "), but is " + expiryMargin);
            }
            return new RefreshingTokenSource(this, store.load());
        }
    }
}
