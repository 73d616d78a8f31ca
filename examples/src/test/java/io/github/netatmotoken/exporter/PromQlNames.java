package io.github.netatmotoken.exporter;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found by a small tokenizer rather than a full parser: an identifier is
 * a metric name unless a {@code (} follows it (a function), it is a keyword or aggregation, or it stands in a label
 * list ({@code by (…)}, {@code on (…)}) or a label matcher ({@code {…}}). Strings, numbers, durations, range and
 * subquery brackets ({@code [5m]}, {@code [1h:5m]}) and Grafana variables ({@code $station}, {@code ${module}},
 * {@code $__rate_interval}) are skipped. A selector by {@code __name__} is refused, so no name goes unchecked.
 */
final class PromQlNames {
    private static final Set<String> KEYWORDS = Set.of(
            // aggregations, which may put "by (…)" between their name and their "("
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
            "quantile", "limitk", "limit_ratio",
            // binary operators and modifiers
            "and", "or", "unless", "atan2", "bool", "offset", "start", "end",
            // number literals
            "inf", "nan");
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right");

    private static final Pattern NAME_MATCHER = Pattern.compile("(^|[\\s,])__name__\\s*[=!]");
    private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    private static final Pattern COMMA = Pattern.compile(",");
    private static final Pattern STRING = Pattern.compile("\"(\\\\.|[^\"\\\\])*\"|'(\\\\.|[^'\\\\])*'|`[^`]*`");

    private final String expr;
    private final Set<String> labels = new LinkedHashSet<>();
    private int pos;

    private PromQlNames(String expr) {
        this.expr = expr;
    }

    /**
     * The metric names in {@code expr}, in order of first appearance.
     *
     * @throws IllegalArgumentException if it has an unclosed string, bracket or brace, or selects by {@code __name__}
     */
    static Set<String> of(String expr) {
        return new PromQlNames(expr).names();
    }

    /**
     * The label names {@code expr} reads: in label matchers ({@code {station=~"…"}}) and label lists
     * ({@code by (…)}, {@code without (…)}, {@code on (…)}, {@code ignoring (…)}, {@code group_left (…)}).
     *
     * @throws IllegalArgumentException as {@link #of}
     */
    static Set<String> labelsOf(String expr) {
        PromQlNames tokens = new PromQlNames(expr);
        tokens.names();
        return tokens.labels;
    }

    private Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        while (pos < expr.length()) {
            char c = expr.charAt(pos);
            if (c == '"' || c == '\'' || c == '`') {
                pos = afterString(pos);
            } else if (c == '{') {
                skipMatchers();
            } else if (c == '[') {
                pos = closing('[', ']');
            } else if (c == '$') {
                skipVariable();
            } else if (c == '#') {
                skipComment();
            } else if (Character.isDigit(c) || (c == '.' && pos + 1 < expr.length()
                    && Character.isDigit(expr.charAt(pos + 1)))) {
                skipNumber();
            } else if (isIdentifierStart(c)) {
                String word = identifier();
                String lower = word.toLowerCase(Locale.ROOT);
                if (LABEL_LISTS.contains(lower)) {
                    skipLabelList();
                } else if (!KEYWORDS.contains(lower) && next() != '(') {
                    names.add(word);
                }
            } else {
                pos++;
            }
        }
        return names;
    }

    private String identifier() {
        int start = pos;
        while (pos < expr.length() && isIdentifierPart(expr.charAt(pos))) {
            pos++;
        }
        return expr.substring(start, pos);
    }

    /** The next character that is not white space, without consuming it; 0 at the end. */
    private char next() {
        int i = pos;
        while (i < expr.length() && Character.isWhitespace(expr.charAt(i))) {
            i++;
        }
        return i < expr.length() ? expr.charAt(i) : 0;
    }

    private void skipLabelList() {
        if (next() == '(') {
            int open = expr.indexOf('(', pos);
            pos = open;
            pos = closing('(', ')');
            for (String label : COMMA.split(expr.substring(open + 1, pos - 1))) {
                if (!label.isBlank()) {
                    labels.add(label.strip());
                }
            }
        }
    }

    private void skipMatchers() {
        int end = closing('{', '}');
        String inside = expr.substring(pos + 1, end - 1);
        if (NAME_MATCHER.matcher(inside).find()) {
            throw new IllegalArgumentException("selects by __name__, which this check cannot follow: " + expr);
        }
        Matcher label = MATCHER_LABEL.matcher(STRING.matcher(inside).replaceAll("\"\""));
        while (label.find()) {
            labels.add(label.group(1));
        }
        pos = end;
    }

    /** The position after the bracket that closes the one at {@code pos}, skipping strings inside. */
    private int closing(char open, char close) {
        int depth = 0;
        for (int i = pos; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(i) - 1;
            } else if (c == open) {
                depth++;
            } else if (c == close && --depth == 0) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("unclosed " + open + " in " + expr);
    }

    /** The position after the string that opens at {@code start}. */
    private int afterString(int start) {
        char quote = expr.charAt(start);
        for (int i = start + 1; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '\\' && quote != '`') {
                i++;
            } else if (c == quote) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("unclosed string in " + expr);
    }

    private void skipVariable() {
        pos++;
        if (pos < expr.length() && expr.charAt(pos) == '{') {
            pos = closing('{', '}');
        } else {
            identifier();
        }
    }

    private void skipComment() {
        int end = expr.indexOf('\n', pos);
        pos = end < 0 ? expr.length() : end;
    }

    /** Numbers, durations ({@code 5m}, {@code 1h30m}) and exponents: a digit and what sticks to it. */
    private void skipNumber() {
        while (pos < expr.length() && (isIdentifierPart(expr.charAt(pos)) || expr.charAt(pos) == '.')) {
            char c = expr.charAt(pos);
            pos++;
            if ((c == 'e' || c == 'E') && pos < expr.length() && (expr.charAt(pos) == '+' || expr.charAt(pos) == '-')) {
                pos++;
            }
        }
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || (c >= '0' && c <= '9');
    }
}
