package io.github.netatmotoken.exporter;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The exporter's settings, validated, as {@link ConfigParser} reads them from flags and environment variables.
 *
 * @param host the address to listen on, or {@code null} for all interfaces (Go's {@code :9210})
 * @param port the port to listen on; 0 picks a free one
 * @param externalUrl the URL browsers reach the exporter at, for the OAuth redirect; {@code null} derives it
 * @param tokenFile where the token is kept; {@code null} only with a {@code tokenStore} (then nothing seeds it)
 * @param debugHandlers whether {@code /debug/data} and {@code /debug/token} are served
 * @param logLevel trace, debug, info, warn or error
 * @param refreshInterval how often NetAtmo is asked for new readings
 * @param ageStale readings older than this are left out of the metrics
 * @param clientId the NetAtmo app's client id
 * @param clientSecret the NetAtmo app's client secret
 * @param apiUrl the NetAtmo API base URL, for OAuth and data calls
 * @param demo whether to start the simulated NetAtmo API and use it
 * @param homeCoach whether to read Healthy Home Coach devices as well
 * @param tokenStore the shared token store that replicas on several hosts use, or {@code null} for the token file
 *     as without {@code --token-store}; {@code tokenFile} then only seeds an empty store
 * @param tokenStoreKey the key of this account's token in the shared store (the client id by default), or
 *     {@code null} without a shared store
 */
record Config(String host, int port, URI externalUrl, Path tokenFile, boolean debugHandlers, String logLevel,
        Duration refreshInterval, Duration ageStale, String clientId, String clientSecret, URI apiUrl, boolean demo,
        boolean homeCoach, TokenStoreUrl tokenStore, String tokenStoreKey) {

    static final URI DEFAULT_API_URL = URI.create("https://api.netatmo.com");
    static final String DEMO_CLIENT_ID = "demo-client-id";
    static final String DEMO_CLIENT_SECRET = "demo-client-secret";

    Config {
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        Objects.requireNonNull(ageStale, "ageStale");
        Objects.requireNonNull(apiUrl, "apiUrl");
        if (tokenStore != null) {
            Objects.requireNonNull(tokenStoreKey, "tokenStoreKey");
        }
    }

    /** Settings without a shared token store. */
    Config(String host, int port, URI externalUrl, Path tokenFile, boolean debugHandlers, String logLevel,
            Duration refreshInterval, Duration ageStale, String clientId, String clientSecret, URI apiUrl,
            boolean demo, boolean homeCoach) {
        this(host, port, externalUrl, tokenFile, debugHandlers, logLevel, refreshInterval, ageStale, clientId,
                clientSecret, apiUrl, demo, homeCoach, null, null);
    }

    /** A copy pointing at another API, as demo mode does. */
    Config withApiUrl(URI url) {
        return new Config(host, port, externalUrl, tokenFile, debugHandlers, logLevel, refreshInterval, ageStale,
                clientId, clientSecret, url, demo, homeCoach, tokenStore, tokenStoreKey);
    }

    /** A copy with another token file. */
    Config withTokenFile(Path file) {
        return new Config(host, port, externalUrl, file, debugHandlers, logLevel, refreshInterval, ageStale,
                clientId, clientSecret, apiUrl, demo, homeCoach, tokenStore, tokenStoreKey);
    }

    /** A copy with a shared token store under {@code key}. */
    Config withTokenStore(TokenStoreUrl store, String key) {
        return new Config(host, port, externalUrl, tokenFile, debugHandlers, logLevel, refreshInterval, ageStale,
                clientId, clientSecret, apiUrl, demo, homeCoach, store, key);
    }

    /** Never shows the client secret nor the token store's password. */
    @Override
    public String toString() {
        return "Config[addr=" + (host == null ? "" : host) + ":" + port + ", externalUrl=" + externalUrl
                + ", tokenFile=" + tokenFile + ", debugHandlers=" + debugHandlers + ", logLevel=" + logLevel
                + ", refreshInterval=" + GoDuration.format(refreshInterval) + ", ageStale="
                + GoDuration.format(ageStale) + ", clientId=" + clientId + ", clientSecret="
                + (clientSecret == null ? "absent" : "present") + ", apiUrl=" + apiUrl + ", demo=" + demo
                + ", homeCoach=" + homeCoach + ", tokenStore=" + (tokenStore == null ? "none" : tokenStore)
                + (tokenStore == null ? "" : ", tokenStoreKey=" + tokenStoreKey) + "]";
    }
}
