package io.github.netatmotoken.exporter;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The value of {@code --token-store}: which engine the shared token store is on, and its URL with every password
 * hidden. {@link #toString()} is the redacted form, so that the URL can go into log lines, the status page and
 * {@link Config#toString()} as it is; only {@link #url()} holds the password, for the store's builder.
 *
 * <p>Two forms: {@code jdbc:postgresql://host:port/db?user=…&password=…} (every parameter whose name contains
 * {@code password} is hidden) and {@code redis://[user:password@]host:port[/db]} or {@code rediss://} for TLS (the
 * user info after the first {@code :} up to the last {@code @} is hidden; user info without {@code :} is hidden
 * entirely). The engines' own parsers check the rest when the store is built. Immutable and thread-safe.
 */
final class TokenStoreUrl {
    static final String REDACTED = "***";
    /** The forms, for messages. */
    static final String FORMS = "jdbc:postgresql://host:5432/database?user=…&password=… or"
            + " redis://[user:password@]host:6379[/db] (rediss:// for TLS)";

    /** The engine of a shared store. */
    enum Kind {
        POSTGRESQL("PostgreSQL"),
        REDIS("Redis");

        final String displayName;

        Kind(String displayName) {
            this.displayName = displayName;
        }
    }

    private final Kind kind;
    private final String url;
    private final String redacted;
    private final Set<String> secrets;

    private TokenStoreUrl(Kind kind, String url, String redacted, Set<String> secrets) {
        this.kind = kind;
        this.url = url;
        this.redacted = redacted;
        this.secrets = secrets;
    }

    /**
     * Reads the kind of a {@code --token-store} value and works out its redacted form.
     *
     * @throws IllegalArgumentException for another scheme; the message names the forms and quotes nothing of the
     *     value but a short scheme, since the value may be a password pasted into the wrong setting
     */
    static TokenStoreUrl parse(String url) {
        Objects.requireNonNull(url, "url");
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return postgres(url);
        }
        if (lower.startsWith("redis://") || lower.startsWith("rediss://")) {
            return redis(url);
        }
        throw new IllegalArgumentException("must be " + FORMS + ", but it " + describeStart(url));
    }

    Kind kind() {
        return kind;
    }

    /** The URL as given, password included: for the store's builder only. */
    String url() {
        return url;
    }

    /**
     * {@code text} with every password of this URL replaced by {@code ***}: for messages that a store or a driver
     * wrote, which this exporter passes on to logs and pages.
     */
    String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text.replace(url, redacted);
        for (String secret : secrets) {
            out = out.replace(secret, REDACTED);
        }
        return out;
    }

    /** The URL with its passwords as {@code ***}. */
    @Override
    public String toString() {
        return redacted;
    }

    private static TokenStoreUrl postgres(String url) {
        Set<String> secrets = new LinkedHashSet<>();
        int question = url.indexOf('?');
        String location = question < 0 ? url : url.substring(0, question);
        // libpq's user:password@host, which PgJDBC refuses: hidden all the same, in case it is written.
        int hosts = location.indexOf("//");
        int at = hosts < 0 ? -1 : location.indexOf('@', hosts);
        int slash = hosts < 0 ? -1 : location.indexOf('/', hosts + 2);
        if (at >= 0 && (slash < 0 || at < slash)) {
            addSecret(secrets, location.substring(hosts + 2, at));
            location = location.substring(0, hosts + 2) + REDACTED + location.substring(at);
        }
        if (question < 0) {
            return new TokenStoreUrl(Kind.POSTGRESQL, url, location, Set.copyOf(secrets));
        }
        List<String> pairs = new ArrayList<>();
        for (String pair : url.substring(question + 1).split("&", -1)) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            if (name.toLowerCase(Locale.ROOT).contains("password") && !value.isEmpty()) {
                addSecret(secrets, value);
                pairs.add(name + "=" + REDACTED);
            } else {
                pairs.add(pair);
            }
        }
        return new TokenStoreUrl(Kind.POSTGRESQL, url, location + "?" + String.join("&", pairs),
                Set.copyOf(secrets));
    }

    private static TokenStoreUrl redis(String url) {
        int start = url.indexOf("://") + 3;
        int at = url.lastIndexOf('@');
        if (at < start) {
            return new TokenStoreUrl(Kind.REDIS, url, url, Set.of());
        }
        String userInfo = url.substring(start, at);
        int colon = userInfo.indexOf(':');
        String secret = colon < 0 ? userInfo : userInfo.substring(colon + 1);
        String shown = colon < 0 ? REDACTED : userInfo.substring(0, colon + 1) + (secret.isEmpty() ? "" : REDACTED);
        Set<String> secrets = new LinkedHashSet<>();
        addSecret(secrets, secret);
        return new TokenStoreUrl(Kind.REDIS, url, url.substring(0, start) + shown + url.substring(at),
                Set.copyOf(secrets));
    }

    /** The raw and the percent-decoded form, since a driver's message may quote either. */
    private static void addSecret(Set<String> secrets, String raw) {
        if (raw.isEmpty()) {
            return;
        }
        secrets.add(raw);
        try {
            secrets.add(URLDecoder.decode(raw, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            // Broken percent-encoding: the store's parser refuses it; the raw form is hidden.
        }
    }

    /** Names the scheme a value starts with, or says that it has none, but quotes nothing else of it. */
    private static String describeStart(String url) {
        int schemeEnd = url.indexOf(':');
        String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd);
        boolean named = !scheme.isEmpty() && scheme.length() <= 16 && Character.isLetter(scheme.charAt(0))
                && scheme.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+' || c == '.' || c == '-');
        if (!named) {
            return "does not start with a scheme";
        }
        if (scheme.equalsIgnoreCase("jdbc")) {
            int sub = url.indexOf(':', schemeEnd + 1);
            String subprotocol = sub < 0 ? "" : url.substring(schemeEnd + 1, sub);
            boolean subNamed = !subprotocol.isEmpty() && subprotocol.length() <= 16
                    && subprotocol.chars().allMatch(Character::isLetterOrDigit);
            return "starts with jdbc:" + (subNamed ? subprotocol + ":" : "");
        }
        return "starts with " + scheme + ":";
    }
}
