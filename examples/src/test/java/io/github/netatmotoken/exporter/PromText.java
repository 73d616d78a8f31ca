package io.github.netatmotoken.exporter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A reader of the Prometheus text format (version 0.0.4) for tests: families with their HELP, TYPE and samples.
 * Strict where a difference matters to a scraper (a sample line it cannot read fails), tolerant of comments.
 */
final class PromText {
    /** One metric family: a HELP and TYPE line and the samples after them. */
    record Family(String name, String type, String help, List<Sample> samples) {
    }

    /** One sample line; the labels sorted by name. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private PromText() {
    }

    /** The families of {@code text} by name, in the order they appear. */
    static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        Family current = null;
        int lineNumber = 0;
        for (String line : text.split("\n")) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                help.put(parts[0], parts.length > 1 ? parts[1] : "");
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", 2);
                current = new Family(parts[0], parts[1], help.getOrDefault(parts[0], null), new ArrayList<>());
                if (families.put(parts[0], current) != null) {
                    throw new IllegalArgumentException("line " + lineNumber + ": family " + parts[0] + " twice");
                }
            } else if (!line.startsWith("#")) {
                Sample sample = sample(line, lineNumber);
                if (current == null || !sample.name().startsWith(current.name())) {
                    throw new IllegalArgumentException("line " + lineNumber + ": sample " + sample.name()
                            + " outside its family");
                }
                current.samples().add(sample);
            }
        }
        return families;
    }

    private static Sample sample(String line, int lineNumber) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new TreeMap<>();
        String name;
        int at;
        if (brace >= 0 && (space < 0 || brace < space)) {
            name = line.substring(0, brace);
            at = brace + 1;
            while (line.charAt(at) != '}') {
                int eq = line.indexOf("=\"", at);
                String label = line.substring(at, eq);
                StringBuilder value = new StringBuilder();
                int i = eq + 2;
                for (; line.charAt(i) != '"'; i++) {
                    char c = line.charAt(i);
                    if (c == '\\') {
                        char next = line.charAt(++i);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(label, value.toString());
                at = i + 1;
                if (line.charAt(at) == ',') {
                    at++;
                }
            }
            at++;
        } else {
            name = line.substring(0, space);
            at = space;
        }
        String[] rest = line.substring(at).trim().split(" ");
        try {
            return new Sample(name, labels, Double.parseDouble(rest[0]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line " + lineNumber + ": not a value: " + line, e);
        }
    }
}
