package io.github.netatmotoken.benchmarks;

import java.util.HashMap;
import java.util.Map;

/** The {@code --name value} options of the load programs in this module. Not thread-safe. */
final class Arguments {
    private final Map<String, String> values = new HashMap<>();

    Arguments(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, but got '" + args[i] + "'");
            }
            values.put(args[i], args[++i]);
        }
    }

    int integer(String name, int defaultValue) {
        String v = values.get(name);
        try {
            return v == null ? defaultValue : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, but is '" + v + "'");
        }
    }

    String text(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }
}
