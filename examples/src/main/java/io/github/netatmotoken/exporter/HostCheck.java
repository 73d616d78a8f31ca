package io.github.netatmotoken.exporter;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which {@code Host} header values a browser may use to reach the exporter, against DNS rebinding: a page on
 * {@code rebind.example} that makes its name resolve to this machine reaches the exporter as
 * {@code rebind.example}, a name that is not this exporter's. Allowed: IP addresses (a rebinding page never has
 * one as its origin), {@code localhost} and its subdomains, and the names given, from {@code --external-url},
 * the listen address and this machine's host name. Immutable.
 */
final class HostCheck {
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private final Set<String> names;

    /** {@code names}: host names (no port) that are this exporter's, in any case. */
    HostCheck(Set<String> names) {
        this.names = names.stream().map(HostCheck::normalize).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Whether a request with this {@code Host} header (name or address, with or without port) may pass. */
    boolean allows(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return false;
        }
        String host = hostOf(hostHeader);
        if (host == null) {
            return false;
        }
        return host.contains(":") || IPV4.matcher(host).matches() || host.equals("localhost")
                || host.endsWith(".localhost") || names.contains(host);
    }

    /**
     * The host of a {@code Host} header without port or brackets, lower case, without a trailing dot; an IPv6
     * address keeps its colons. {@code null} if it is not a well-formed host.
     */
    static String hostOf(String hostHeader) {
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0 || (end + 1 < h.length() && !isPort(h.substring(end + 1)))) {
                return null;
            }
            String v6 = h.substring(1, end);
            return v6.matches("[0-9A-Fa-f:.]+") ? v6.toLowerCase(Locale.ROOT) : null;
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (!isPort(h.substring(colon))) {
                return null;
            }
            h = h.substring(0, colon);
        }
        String name = normalize(h);
        return name.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?") ? name : null;
    }

    private static boolean isPort(String colonAndPort) {
        return colonAndPort.matches(":\\d{1,5}");
    }

    private static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
