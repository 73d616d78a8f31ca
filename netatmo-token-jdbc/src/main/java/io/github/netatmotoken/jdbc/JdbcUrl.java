package io.github.netatmotoken.jdbc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL JDBC URL taken apart, so that a log line or a message can say which database is meant without its
 * password: {@code jdbc:postgresql://db.example.org:5432/netatmo?user=app&password=s3cret} is shown as
 * {@code jdbc:postgresql://db.example.org:5432/netatmo?user=app&password=***}.
 *
 * <p>It reads what PgJDBC reads: {@code jdbc:postgresql:database}, and
 * {@code jdbc:postgresql://host[:port][,host[:port]]/[database][?name=value&name=value]} with IPv6 hosts in
 * brackets, an empty host meaning {@code localhost} and a missing port 5432. Parameter names and values and the
 * database are percent-decoded, as PgJDBC does. What PgJDBC refuses is refused here with an
 * {@link IllegalArgumentException} that names the part in error and never quotes a password: a missing {@code /}
 * after the hosts, a port outside 1 to 65535, broken percent-encoding, and {@code user:password@host} (libpq's
 * form, which PgJDBC takes for a bad port, and logs). Stricter than PgJDBC only there: a database name alone
 * ({@code jdbc:postgresql:name}) with an {@code @} is refused too, since it is most likely such a password.
 *
 * <p>The value of every parameter whose name contains {@code password} ({@code password}, {@code sslpassword}) is
 * replaced by {@code ***} in {@link #toString()}. Immutable and thread-safe.
 */
final class JdbcUrl {
    /** How every PostgreSQL JDBC URL starts. */
    static final String PREFIX = "jdbc:postgresql:";
    /** The port of a host without one. */
    static final int DEFAULT_PORT = 5432;
    /** What {@link #toString()} shows instead of a password. */
    static final String REDACTED = "***";

    /**
     * One server of the URL; PgJDBC tries them in order.
     *
     * @param host a host name or address; an IPv6 address without brackets
     * @param port from 1 to 65535
     */
    record Address(String host, int port) {
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private final List<Address> addresses;
    private final String database;
    private final Map<String, String> parameters;
    private final String redacted;

    private JdbcUrl(List<Address> addresses, String database, Map<String, String> parameters, String redacted) {
        this.addresses = addresses;
        this.database = database;
        this.parameters = parameters;
        this.redacted = redacted;
    }

    /**
     * Takes {@code url} apart.
     *
     * @param url a PostgreSQL JDBC URL
     * @return its parts
     * @throws NullPointerException if {@code url} is null
     * @throws IllegalArgumentException naming what is wrong, without quoting any password
     */
    static JdbcUrl parse(String url) {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith(PREFIX)) {
            throw new IllegalArgumentException("A PostgreSQL JDBC URL starts with " + PREFIX + ", but this one "
                    + describeStart(url));
        }
        String rest = url.substring(PREFIX.length());
        int question = rest.indexOf('?');
        String location = question < 0 ? rest : rest.substring(0, question);
        String query = question < 0 ? "" : rest.substring(question + 1);

        List<Address> addresses;
        String rawDatabase;
        if (location.startsWith("//")) {
            String hostsAndDatabase = location.substring(2);
            int slash = hostsAndDatabase.indexOf('/');
            String hosts = slash < 0 ? hostsAndDatabase : hostsAndDatabase.substring(0, slash);
            if (hosts.indexOf('@') >= 0) {
                throw new IllegalArgumentException("A PostgreSQL JDBC URL cannot hold user:password@ before the"
                        + " host; pass them as parameters (jdbc:postgresql://host:5432/database?user=…&password=…)"
                        + " or to the DataSource");
            }
            if (slash < 0) {
                throw new IllegalArgumentException("A PostgreSQL JDBC URL needs a / after the host and port"
                        + " (jdbc:postgresql://host:5432/database or jdbc:postgresql://host:5432/), but "
                        + PREFIX + "//" + hosts + " has none");
            }
            addresses = addresses(hosts);
            rawDatabase = hostsAndDatabase.substring(slash + 1);
        } else {
            if (location.indexOf('/') >= 0 || location.indexOf('@') >= 0) {
                throw new IllegalArgumentException("A PostgreSQL JDBC URL is jdbc:postgresql:database or"
                        + " jdbc:postgresql://host:5432/database?user=…&password=…; a database name alone cannot"
                        + " contain / or @");
            }
            addresses = List.of(new Address("localhost", DEFAULT_PORT));
            rawDatabase = location;
        }
        String database = decode(rawDatabase, "the database name");

        Map<String, String> parameters = new LinkedHashMap<>();
        List<String> redactedQuery = new ArrayList<>();
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals), "a parameter name");
            String rawValue = equals < 0 ? "" : pair.substring(equals + 1);
            String value = decode(rawValue, "the value of parameter '" + name + "'");
            parameters.put(name, value);
            redactedQuery.add(isSecret(name) && !value.isEmpty() ? pair.substring(0, equals) + "=" + REDACTED : pair);
        }
        String redacted = PREFIX + location + (question < 0 ? "" : "?" + String.join("&", redactedQuery));
        return new JdbcUrl(addresses, database, Collections.unmodifiableMap(parameters), redacted);
    }

    /** {@return the servers, in the order PgJDBC tries them; at least one} */
    List<Address> addresses() {
        return addresses;
    }

    /** {@return the database; empty when the URL names none (PostgreSQL then takes the user name)} */
    String database() {
        return database;
    }

    /** {@return the {@code user} parameter, or null} */
    @Nullable String user() {
        return parameters.get("user");
    }

    /** {@return whether the URL holds a {@code password} parameter} */
    boolean hasPassword() {
        return parameters.containsKey("password");
    }

    /**
     * {@return the decoded value of a parameter (the last one of that name), or null}
     *
     * @param name the parameter's name, as in the URL
     */
    @Nullable String parameter(String name) {
        return parameters.get(name);
    }

    /** The URL as given, with every password value replaced by {@code ***}: for log lines and messages. */
    @Override
    public String toString() {
        return redacted;
    }

    private static List<Address> addresses(String hosts) {
        List<Address> addresses = new ArrayList<>();
        for (String address : hosts.split(",", -1)) {
            addresses.add(address(address));
        }
        return List.copyOf(addresses);
    }

    private static Address address(String address) {
        String host;
        String port; // null without a colon
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("The IPv6 address " + address + " in the JDBC URL has no"
                        + " closing ]");
            }
            host = address.substring(1, close);
            String afterHost = address.substring(close + 1);
            if (!afterHost.isEmpty() && !afterHost.startsWith(":")) {
                throw new IllegalArgumentException("After the IPv6 address [" + host + "] the JDBC URL needs"
                        + " :port, a comma or /");
            }
            port = afterHost.isEmpty() ? null : afterHost.substring(1);
        } else {
            int colon = address.lastIndexOf(':');
            host = colon < 0 ? address : address.substring(0, colon);
            port = colon < 0 ? null : address.substring(colon + 1);
        }
        if (host.isEmpty()) {
            host = "localhost";
        }
        return new Address(host, port == null ? DEFAULT_PORT : port(host, port));
    }

    private static int port(String host, String port) {
        boolean digits = !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9');
        int value = digits ? Integer.parseInt(port) : -1;
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException("The port of host " + host + " in the JDBC URL must be a number"
                    + " from 1 to 65535" + (digits ? ", but is " + port : ""));
        }
        return value;
    }

    /** Percent-decodes as {@code java.net.URLDecoder} does ({@code +} is a space), but says where it failed. */
    private static String decode(String text, String what) {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
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
                    throw new IllegalArgumentException("In the JDBC URL, " + what + " has a % that is not"
                            + " followed by two hexadecimal digits (write %25 for %)");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else {
                if (bytes.size() > 0) {
                    out.append(bytes.toString(StandardCharsets.UTF_8));
                    bytes.reset();
                }
                out.append(c == '+' ? ' ' : c);
            }
        }
        out.append(bytes.toString(StandardCharsets.UTF_8));
        return out.toString();
    }

    private static boolean isSecret(String parameterName) {
        return parameterName.toLowerCase(Locale.ROOT).contains("password");
    }

    /**
     * Names the scheme a URL starts with ({@code jdbc:mysql:}, {@code postgres://}), but nothing that could be a
     * secret: a text that does not start like a URL, such as a password pasted into the wrong setting, is not quoted.
     */
    private static String describeStart(String url) {
        if (url.regionMatches(true, 0, "jdbc:", 0, 5)) {
            int colon = url.indexOf(':', 5);
            String subprotocol = colon < 0 ? "" : url.substring(5, colon);
            boolean named = !subprotocol.isEmpty() && subprotocol.length() <= 16
                    && subprotocol.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
            return "starts with " + url.substring(0, 5) + (named ? subprotocol + ":" : "");
        }
        int schemeEnd = url.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd);
        boolean named = !scheme.isEmpty() && scheme.length() <= 16 && Character.isLetter(scheme.charAt(0))
                && scheme.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+' || c == '.' || c == '-');
        return named ? "starts with " + scheme + "://" : "does not start with a scheme";
    }
}
