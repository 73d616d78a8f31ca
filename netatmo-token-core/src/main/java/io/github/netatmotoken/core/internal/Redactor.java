package io.github.netatmotoken.core.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Replaces secrets in text that the server sent, before that text goes into a message, an {@code error()} value or
 * a log line: a server or proxy may echo the refresh token or client secret it was sent (as a value, or inside the
 * form-encoded request body), or the tokens of its own answer. Each secret is looked for as it is and form-encoded.
 * Immutable and thread-safe.
 */
final class Redactor {
    static final String REDACTED = "[redacted]";

    /** Longest first, so that a secret containing another one is replaced whole. */
    private final List<String> secrets;

    private Redactor(List<String> secrets) {
        this.secrets = secrets;
    }

    /**
     * @param secrets the values to hide; {@code null} and empty ones are skipped
     */
    static Redactor of(Collection<? extends @Nullable String> secrets) {
        Set<String> forms = new LinkedHashSet<>();
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                forms.add(secret);
                forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
                forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        List<String> sorted = new ArrayList<>(forms);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        return new Redactor(List.copyOf(sorted));
    }

    /** {@return {@code text} with every occurrence of every secret replaced by {@value #REDACTED}} */
    String apply(String text) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, REDACTED);
        }
        return result;
    }
}
