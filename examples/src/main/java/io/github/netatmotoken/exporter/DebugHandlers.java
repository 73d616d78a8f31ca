package io.github.netatmotoken.exporter;

import com.sun.net.httpserver.HttpExchange;
import io.github.netatmotoken.core.RefreshingTokenSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * With {@code --debug-handlers}: {@code /debug/data} shows the last raw API response, {@code /debug/token} the
 * token's validity, presence flags and expiry (never a token value), and with {@code --token-store} the store's
 * kind and problem (never its password).
 */
final class DebugHandlers {
    private final Supplier<DataSnapshot> data;
    private final Supplier<RefreshingTokenSource.Status> tokenStatus;
    private final TokenStoreUrl.Kind sharedStore;
    private final UnaryOperator<String> redact;

    DebugHandlers(Supplier<DataSnapshot> data, Supplier<RefreshingTokenSource.Status> tokenStatus) {
        this(data, tokenStatus, null, UnaryOperator.identity());
    }

    /**
     * @param sharedStore the engine of {@code --token-store}, or null for a token file or memory
     * @param redact hides the token store's password in errors ({@link TokenStoreUrl#redact})
     */
    DebugHandlers(Supplier<DataSnapshot> data, Supplier<RefreshingTokenSource.Status> tokenStatus,
            TokenStoreUrl.Kind sharedStore, UnaryOperator<String> redact) {
        this.data = data;
        this.tokenStatus = tokenStatus;
        this.sharedStore = sharedStore;
        this.redact = redact;
    }

    void data(HttpExchange exchange) throws IOException {
        DataSnapshot snapshot = data.get();
        if (snapshot.rawStations() == null) {
            Reply.text(exchange, 404, "No data from NetAtmo yet; see / for why.\n");
            return;
        }
        if (snapshot.rawHomeCoaches() == null) {
            Reply.send(exchange, 200, "application/json", snapshot.rawStations());
            return;
        }
        String both = "{\"getstationsdata\":" + new String(snapshot.rawStations(), StandardCharsets.UTF_8)
                + ",\"gethomecoachsdata\":" + new String(snapshot.rawHomeCoaches(), StandardCharsets.UTF_8) + "}";
        Reply.json(exchange, 200, both);
    }

    void token(HttpExchange exchange) throws IOException {
        RefreshingTokenSource.Status status = tokenStatus.get();
        Reply.json(exchange, 200, JsonText.pretty(json -> {
            json.writeStartObject();
            json.writeStringField("state", status.state().name());
            json.writeBooleanField("valid", status.state() == RefreshingTokenSource.State.VALID);
            json.writeBooleanField("hasAccessToken", status.state() == RefreshingTokenSource.State.VALID
                    || status.state() == RefreshingTokenSource.State.EXPIRED);
            json.writeBooleanField("hasRefreshToken", status.hasRefreshToken());
            json.writeStringField("expiry", status.expiry() == null ? null : status.expiry().toString());
            json.writeStringField("lastRefresh", status.lastRefresh() == null ? null
                    : status.lastRefresh().toString());
            json.writeNumberField("refreshCount", status.refreshCount());
            json.writeNumberField("failureCount", status.failureCount());
            json.writeStringField("lastError", redact.apply(status.lastError()));
            if (sharedStore != null) {
                json.writeStringField("tokenStore", sharedStore.displayName);
                json.writeStringField("storeProblem", redact.apply(status.storeProblem()));
            }
            json.writeEndObject();
        }) + "\n");
    }
}
