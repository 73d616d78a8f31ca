package io.github.netatmotoken.redis;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A Redis URL taken apart: {@code redis://[[user]:password@]host[:port][/database]}, and {@code rediss://} for TLS.
 * Its {@link #toString()} shows the password as {@code ***}, for log lines and messages.
 *
 * <p>The user and the password are percent-decoded ({@code %40} is {@code @}); an empty user is Redis's default
 * user, an empty password none. The port defaults to 6379, the database to 0; IPv6 hosts go in brackets. The last
 * {@code @} ends the user info, so a password may hold {@code @}, {@code /} or {@code :} unencoded. Anything else is
 * refused with an {@link IllegalArgumentException} that names the part in error and never quotes the password:
 * user info without {@code :} (a password alone is written {@code :password}: Jedis reads it so, and redis-cli reads
 * {@code password@} differently), a port outside 1 to 65535, a database that is not a number, query parameters and
 * fragments. Immutable and thread-safe.
 */
final class RedisUrl {
    /** The port of a URL without one. */
    static final int DEFAULT_PORT = 6379;
    /** What {@link #toString()} shows instead of the password. */
    static final String REDACTED = "***";

    private final boolean tls;
    private final String host;
    private final int port;
    private final @Nullable String user;
    private final @Nullable String password;
    private final int database;

    private RedisUrl(boolean tls, String host, int port, @Nullable String user, @Nullable String password,
            int database) {
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
    }

    /**
     * Takes {@code url} apart.
     *
     * @param url a Redis URL
     * @return its parts
     * @throws NullPointerException if {@code url} is null
     * @throws IllegalArgumentException naming what is wrong, without quoting the password
     */
    static RedisUrl parse(String url) {
        Objects.requireNonNull(url, "url");
        int schemeEnd = url.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalArgumentException("A Redis URL starts with redis:// or rediss:// (TLS), but this one "
                    + (isSchemeName(scheme) ? "starts with " + scheme + "://" : "does not"));
        }
        String rest = url.substring(schemeEnd + 3);

        int at = rest.lastIndexOf('@');
        String user = null;
        String password = null;
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("The user info of a Redis URL is user:password or :password (a"
                        + " password alone); this one has no ':' before the @");
            }
            user = emptyToNull(decode(userInfo.substring(0, colon), "the user name"));
            password = emptyToNull(decode(userInfo.substring(colon + 1), "the password"));
            rest = rest.substring(at + 1);
        }

        int queryOrFragment = indexOfAny(rest, "?#");
        if (queryOrFragment >= 0) {
            throw new IllegalArgumentException("A Redis URL here is " + scheme + "://[user:password@]host[:port]"
                    + "[/database]; query parameters and fragments (" + rest.charAt(queryOrFragment)
                    + "…) are not supported");
        }
        int slash = rest.indexOf('/');
        String hostAndPort = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);

        String host;
        String portText; // null without a colon
        if (hostAndPort.startsWith("[")) {
            int close = hostAndPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("The IPv6 address " + hostAndPort + " in the Redis URL has no"
                        + " closing ]");
            }
            host = hostAndPort.substring(1, close);
            String afterHost = hostAndPort.substring(close + 1);
            if (!afterHost.isEmpty() && !afterHost.startsWith(":")) {
                throw new IllegalArgumentException("After the IPv6 address [" + host + "] the Redis URL needs"
                        + " :port or /database");
            }
            portText = afterHost.isEmpty() ? null : afterHost.substring(1);
        } else {
            int colon = hostAndPort.lastIndexOf(':');
            host = colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
            portText = colon < 0 ? null : hostAndPort.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("The Redis URL names no host (" + scheme + "://host:6379)");
        }
        int port = portText == null ? DEFAULT_PORT : port(host, portText);
        return new RedisUrl(scheme.equals("rediss"), host, port, user, password, database(path));
    }

    /** {@return whether the URL asks for TLS ({@code rediss://})} */
    boolean tls() {
        return tls;
    }

    /** {@return the host name or address; an IPv6 address without brackets} */
    String host() {
        return host;
    }

    /** {@return the port, from 1 to 65535} */
    int port() {
        return port;
    }

    /** {@return the user for Redis 6 ACLs, or null for the default user} */
    @Nullable String user() {
        return user;
    }

    /** {@return the password, or null for none} Never log it; {@link #toString()} does not show it. */
    @Nullable String password() {
        return password;
    }

    /** {@return the database number, 0 unless the URL names one} */
    int database() {
        return database;
    }

    /**
     * The URL with the password replaced by {@code ***}, and the port and database written out: it reads back the
     * same, but for the password.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(tls ? "rediss://" : "redis://");
        if (user != null || password != null) {
            text.append(user == null ? "" : encode(user)).append(':');
            text.append(password == null ? "" : REDACTED).append('@');
        }
        text.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(port);
        return text.append('/').append(database).toString();
    }

    private static int port(String host, String port) {
        boolean digits = !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9');
        int value = digits ? Integer.parseInt(port) : -1;
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException("The port of host " + host + " in the Redis URL must be a number"
                    + " from 1 to 65535" + (digits ? ", but is " + port : ""));
        }
        return value;
    }

    private static int database(String path) {
        if (path.isEmpty()) {
            return 0;
        }
        boolean digits = path.length() <= 9 && path.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits) {
            throw new IllegalArgumentException("The database in a Redis URL is a number from 0 (redis://host:6379/0),"
                    + " after the only /");
        }
        return Integer.parseInt(path);
    }

    /** Percent-decodes {@code %XX} (UTF-8); a {@code +} stays a {@code +}, as in the user info of any URI. */
    private static String decode(String text, String what) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int high = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(text.charAt(i + 2), 16);
                if (low < 0) {
                    throw new IllegalArgumentException("In the Redis URL, " + what + " has a % that is not followed"
                            + " by two hexadecimal digits (write %25 for %)");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else {
                if (bytes.size() > 0) {
                    out.append(bytes.toString(StandardCharsets.UTF_8));
                    bytes.reset();
                }
                out.append(c);
            }
        }
        out.append(bytes.toString(StandardCharsets.UTF_8));
        return out.toString();
    }

    /** Percent-encodes what would otherwise end or split the user info, so that the text reads back the same. */
    private static String encode(String userName) {
        StringBuilder out = new StringBuilder(userName.length());
        for (byte b : userName.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '%' || c == ':' || c == '@' || c == '/' || c <= ' ' || c >= 0x7f) {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    private static @Nullable String emptyToNull(String text) {
        return text.isEmpty() ? null : text;
    }

    private static int indexOfAny(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isSchemeName(String text) {
        return !text.isEmpty() && text.length() <= 16 && Character.isLetter(text.charAt(0))
                && text.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
                        || c == '.' || c == '-');
    }
}
