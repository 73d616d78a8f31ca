package io.github.netatmotoken.exporter;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the Go netatmo-exporter's flags and environment variables (environment wins over flags), in both
 * {@code --flag value} and {@code --flag=value} forms, and validates them into a {@link Config}.
 */
final class ConfigParser {

    /** One flag: its names, environment variable, default and help. */
    record Option(String longName, String shortName, String env, String defaultValue, boolean bool, String help) {
        String names() {
            return (shortName == null ? "    " : "-" + shortName + ", ") + "--" + longName;
        }
    }

    static final List<Option> OPTIONS = List.of(
            new Option("addr", "a", "NETATMO_EXPORTER_ADDR", ":9210", false,
                    "Address to listen on, host:port (an empty host means all interfaces)"),
            new Option("external-url", null, "NETATMO_EXPORTER_EXTERNAL_URL", "", false,
                    "URL browsers reach this exporter at, for the OAuth redirect (default http://<host of --addr>:<port>,"
                            + " http://127.0.0.1:<port> for an empty host, as in the Go exporter)"),
            new Option("token-file", null, "NETATMO_EXPORTER_TOKEN_FILE", "", false,
                    "File the token is loaded from and saved to; required, except with --demo or --token-store"),
            new Option("token-store", null, "NETATMO_EXPORTER_TOKEN_STORE", "", false,
                    "Token store that replicas share: jdbc:postgresql://host:5432/db?user=…&password=… or"
                            + " redis://[user:password@]host:6379[/db] (rediss:// for TLS); --token-file then"
                            + " only seeds an empty store"),
            new Option("token-store-key", null, "NETATMO_EXPORTER_TOKEN_STORE_KEY", "", false,
                    "Key of this account's token in --token-store (default: the client id)"),
            new Option("client-id", "i", "NETATMO_CLIENT_ID", "", false,
                    "Client id of your NetAtmo app (https://dev.netatmo.com/apps)"),
            new Option("client-secret", "s", "NETATMO_CLIENT_SECRET", "", false,
                    "Client secret of your NetAtmo app"),
            new Option("refresh-interval", null, "NETATMO_REFRESH_INTERVAL", "8m", false,
                    "How often to read new data from NetAtmo (Go duration: 90s, 8m, 1h30m)"),
            new Option("age-stale", null, "NETATMO_AGE_STALE", "60m", false,
                    "Readings older than this are left out of the metrics; not below --refresh-interval"),
            new Option("log-level", null, "NETATMO_LOG_LEVEL", "info", false,
                    "Log level: debug, info, warn or error"),
            new Option("debug-handlers", null, "DEBUG_HANDLERS", "false", true,
                    "Serve /debug/data (last API response) and /debug/token (token state, no token values)"),
            new Option("api-url", null, "NETATMO_API_URL", Config.DEFAULT_API_URL.toString(), false,
                    "NetAtmo API base URL, for OAuth and data calls"),
            new Option("home-coach", null, "NETATMO_HOME_COACH", "false", true,
                    "Also read Healthy Home Coach devices (needs the read_homecoach scope: authorize again)"),
            new Option("demo", null, "NETATMO_DEMO", "false", true,
                    "Run against a built-in simulated NetAtmo API: no account or internet needed"),
            new Option("help", "h", null, "false", true, "Show this help and exit"));

    private static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "error");

    private ConfigParser() {
    }

    /** Thrown for {@code --help}. */
    static final class HelpRequested extends Exception {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super("help requested");
        }
    }

    /**
     * Parses and validates flags and environment.
     *
     * @throws ConfigException with one line saying what to fix
     * @throws HelpRequested for {@code -h} or {@code --help}
     */
    static Config parse(String[] args, Map<String, String> env) throws ConfigException, HelpRequested {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                throw new ConfigException("Unexpected argument \"" + arg + "\"; every setting is a flag, see --help");
            }
            String name = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option option = find(name);
            if (option == null) {
                throw new ConfigException("Unknown flag " + arg.split("=", 2)[0] + "; see --help for the flags");
            }
            if (value == null) {
                if (option.bool()) {
                    value = "true";
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new ConfigException("Flag --" + option.longName() + " needs a value");
                }
            }
            values.put(option.longName(), value);
        }
        for (Option option : OPTIONS) {
            String fromEnv = option.env() == null ? null : env.get(option.env());
            if (fromEnv != null && !fromEnv.isEmpty()) {
                values.put(option.longName(), fromEnv);
            }
        }
        if (bool(values, "help")) {
            throw new HelpRequested();
        }
        return validate(values);
    }

    private static Config validate(Map<String, String> values) throws ConfigException {
        boolean demo = bool(values, "demo");
        String addr = value(values, "addr");
        int colon = addr.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException("--addr \"" + addr + "\" has no port; use host:port, for example :9210");
        }
        String host = addr.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(addr.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("--addr \"" + addr + "\" has no valid port; use host:port with a port from 0"
                    + " to 65535, for example :9210");
        }

        Duration refresh = duration(values, "refresh-interval");
        Duration stale = duration(values, "age-stale");
        if (refresh.isNegative() || refresh.isZero()) {
            throw new ConfigException("--refresh-interval must be positive, but is " + value(values,
                    "refresh-interval"));
        }
        if (stale.compareTo(refresh) < 0) {
            throw new ConfigException("--age-stale (" + GoDuration.format(stale) + ") must not be shorter than"
                    + " --refresh-interval (" + GoDuration.format(refresh) + "), or fresh readings would count as"
                    + " stale between refreshes");
        }

        String level = value(values, "log-level").toLowerCase(Locale.ROOT);
        level = switch (level) {
            case "warning" -> "warn";
            case "fatal", "panic" -> "error"; // the Go exporter's logrus levels
            default -> level;
        };
        if (!LOG_LEVELS.contains(level)) {
            throw new ConfigException("--log-level \"" + value(values, "log-level") + "\" is not one of debug,"
                    + " info, warn, error");
        }

        URI externalUrl = null;
        if (!value(values, "external-url").isEmpty()) {
            externalUrl = httpUrl(values, "external-url");
        }
        URI apiUrl = httpUrl(values, "api-url");
        if (demo && values.containsKey("api-url")) {
            throw new ConfigException("--demo runs its own simulated API; drop --api-url (or drop --demo)");
        }

        String store = value(values, "token-store").trim();
        Path tokenFile = null;
        String file = value(values, "token-file");
        if (!file.isEmpty()) {
            try {
                tokenFile = Path.of(file);
            } catch (InvalidPathException e) {
                throw new ConfigException("--token-file \"" + file + "\" is not a valid path: " + e.getReason());
            }
        }

        String clientId = value(values, "client-id").trim();
        String clientSecret = value(values, "client-secret").trim();
        if (demo) {
            clientId = clientId.isEmpty() ? Config.DEMO_CLIENT_ID : clientId;
            clientSecret = clientSecret.isEmpty() ? Config.DEMO_CLIENT_SECRET : clientSecret;
        } else if (clientId.isEmpty()) {
            throw new ConfigException("Missing NetAtmo client id: pass -i/--client-id or set NETATMO_CLIENT_ID"
                    + " (create an app at https://dev.netatmo.com/apps), or try --demo");
        } else if (clientSecret.isEmpty()) {
            throw new ConfigException("Missing NetAtmo client secret: pass -s/--client-secret or set"
                    + " NETATMO_CLIENT_SECRET (from your app at https://dev.netatmo.com/apps)");
        }
        TokenStoreUrl tokenStore = null;
        String storeKey = value(values, "token-store-key").trim();
        if (!store.isEmpty()) {
            if (demo) {
                throw new ConfigException("--demo runs its own simulated NetAtmo API in each exporter, so replicas"
                        + " sharing --token-store would each refresh against a different one; drop --token-store"
                        + " (or drop --demo)");
            }
            try {
                tokenStore = TokenStoreUrl.parse(store);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--token-store " + e.getMessage());
            }
            storeKey = storeKey.isEmpty() ? clientId : storeKey;
            if (storeKey.length() > 200) {
                throw new ConfigException("--token-store-key must have from 1 to 200 characters, but has "
                        + storeKey.length());
            }
            try {
                SharedStores.check(tokenStore, storeKey);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--token-store " + tokenStore.kind().displayName + " URL: "
                        + e.getMessage());
            }
        } else if (!storeKey.isEmpty()) {
            throw new ConfigException("--token-store-key names the token in a shared store: it needs --token-store"
                    + " too");
        }
        if (tokenFile == null && store.isEmpty() && !demo) {
            // As the Go exporter: NetAtmo rotates refresh tokens, so a token kept in memory only is lost on restart.
            throw new ConfigException("Missing --token-file: the exporter keeps NetAtmo's rotating refresh token in"
                    + " it, and without one a restart would need a new authorization in a browser; pass --token-file"
                    + " (for example /var/lib/netatmo-exporter/token.json) or set NETATMO_EXPORTER_TOKEN_FILE, or"
                    + " share a --token-store, or try --demo");
        }
        return new Config(host.isEmpty() ? null : host, port, externalUrl, tokenFile, bool(values, "debug-handlers"),
                level, refresh, stale, clientId, clientSecret, apiUrl, demo, bool(values, "home-coach"), tokenStore,
                tokenStore == null ? null : storeKey);
    }

    /** The text of {@code --help}. */
    static String help() {
        StringBuilder out = new StringBuilder();
        out.append("netatmo-exporter: a Prometheus exporter for NetAtmo weather stations and Home Coaches.\n\n")
                .append("Usage: java -jar netatmo-exporter.jar [flags]\n")
                .append("Environment variables win over flags. Durations use Go syntax: 90s, 8m, 1h30m, 1.5h.\n\n");
        for (Option option : OPTIONS) {
            out.append(String.format("  %-24s %s%n", option.names() + (option.bool() ? "" : " <value>"),
                    option.help()));
            StringBuilder meta = new StringBuilder();
            if (option.env() != null) {
                meta.append("env ").append(option.env());
            }
            if (!option.defaultValue().isEmpty() && !option.longName().equals("help")) {
                meta.append(meta.length() > 0 ? ", " : "").append("default ").append(option.defaultValue());
            }
            if (meta.length() > 0) {
                out.append(String.format("  %-24s (%s)%n", "", meta));
            }
        }
        return out.toString();
    }

    private static Option find(String name) {
        for (Option option : OPTIONS) {
            if (name.equals(option.longName()) || name.equals(option.shortName())) {
                return option;
            }
        }
        return null;
    }

    private static String value(Map<String, String> values, String name) {
        String v = values.get(name);
        return v != null ? v : find(name).defaultValue();
    }

    private static boolean bool(Map<String, String> values, String name) throws ConfigException {
        String v = value(values, name).trim();
        switch (v) {
            case "1", "t", "T", "true", "TRUE", "True", "yes" -> {
                return true;
            }
            case "0", "f", "F", "false", "FALSE", "False", "no" -> {
                return false;
            }
            default -> throw new ConfigException("--" + name + " \"" + v + "\" is not a boolean; use true or false");
        }
    }

    private static Duration duration(Map<String, String> values, String name) throws ConfigException {
        try {
            return GoDuration.parse(value(values, name));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--" + name + ": " + e.getMessage());
        }
    }

    private static URI httpUrl(Map<String, String> values, String name) throws ConfigException {
        String text = value(values, name).trim();
        try {
            URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new URISyntaxException(text, "not an absolute http or https URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException("--" + name + " \"" + text + "\" is not an http(s) URL such as"
                    + " https://api.netatmo.com");
        }
    }
}
