package io.github.netatmotoken.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A JSON value read into plain Java values with jackson-core's streaming parser, so that this project needs no
 * Jackson databind (about 640 classes and a quarter of a second at start). <b>Not a public API</b>.
 *
 * <p>A value is one of: a {@code Map<String, Object>} for an object, its members in document order (a repeated
 * name keeps its first place and its last value, as databind's {@code readTree} does); a {@code List<Object>} for
 * an array; a {@code String}; for a number without fraction or exponent the smallest of {@code Integer},
 * {@code Long} and {@code BigInteger} that holds it, and for every other number a {@code Double} (which may be
 * infinite, for {@code 1e400}); a {@code Boolean}; or {@link #NULL} for JSON's {@code null}. Java's {@code null}
 * stands for "nothing": no document, or no such member. The limits are the parser's
 * ({@link com.fasterxml.jackson.core.StreamReadConstraints}: nesting depth, number and string lengths); the
 * reader itself uses no recursion, so the nesting depth costs no stack.
 *
 * <pre>{@code
 * Object root = JsonTree.parse(body);                          // null for an empty body
 * String error = JsonTree.string(JsonTree.get(root, "error")); // null unless root.error is a string
 * }</pre>
 *
 * <p>Stateless and thread-safe; the values it returns are mutable collections owned by the caller.
 */
public final class JsonTree {
    /** JSON's {@code null}. */
    public static final Object NULL = Null.NULL;

    /**
     * The parser and generator factory of this project's modules: default features, thread-safe, so that its
     * symbol tables are shared.
     */
    public static final JsonFactory FACTORY = new JsonFactory();

    private enum Null {
        NULL;

        @Override
        public String toString() {
            return "null";
        }
    }

    private JsonTree() {
    }

    /**
     * Reads the first JSON value of {@code json} and ignores whatever follows it, as databind's
     * {@code ObjectMapper.readTree(byte[])} does.
     *
     * @param json the document, in any encoding the parser detects (UTF-8 usually)
     * @return the value, or {@code null} if {@code json} holds nothing but whitespace
     * @throws IOException if the value is not JSON or breaks a limit of the parser, with the parser's location
     */
    public static @Nullable Object parse(byte[] json) throws IOException {
        try (JsonParser parser = FACTORY.createParser(json)) {
            return read(parser);
        }
    }

    /**
     * Reads the value that starts at the parser's next token, and leaves the parser on the value's last token.
     *
     * @param parser a parser before a value
     * @return the value, or {@code null} at the end of the input
     * @throws IOException what the parser throws, unchanged (with its location), for malformed input or a limit
     */
    public static @Nullable Object read(JsonParser parser) throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            return null;
        }
        ArrayDeque<Container> open = new ArrayDeque<>();
        while (true) {
            Object value;
            switch (token) {
                case START_OBJECT -> {
                    open.push(new Container(new LinkedHashMap<String, Object>()));
                    token = parser.nextToken();
                    continue;
                }
                case START_ARRAY -> {
                    open.push(new Container(new ArrayList<>()));
                    token = parser.nextToken();
                    continue;
                }
                case FIELD_NAME -> {
                    // The parser cannot be elsewhere than inside an object here.
                    open.element().name = parser.currentName();
                    token = parser.nextToken();
                    continue;
                }
                case END_OBJECT, END_ARRAY -> value = open.pop().values;
                default -> value = scalar(parser, token);
            }
            Container parent = open.peek();
            if (parent == null) {
                return value;
            }
            parent.add(value);
            token = parser.nextToken();
        }
    }

    private static Object scalar(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> parser.getIntValue();
                case LONG -> parser.getLongValue();
                default -> parser.getBigIntegerValue();
            };
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NULL;
            // A JSON text parser makes no other tokens (embedded objects come from binary formats).
            default -> throw new JsonParseException(parser, "Unexpected token " + token);
        };
    }

    /** An object or array being filled, and for an object the name of the member being read. */
    private static final class Container {
        final Object values;
        @Nullable String name;

        Container(Object values) {
            this.values = values;
        }

        @SuppressWarnings("unchecked")
        void add(Object value) {
            if (values instanceof List<?> list) {
                ((List<Object>) list).add(value);
            } else {
                ((Map<String, Object>) values).put(String.valueOf(name), value);
            }
        }
    }

    /**
     * The member {@code name} of an object.
     *
     * @param value any value, or {@code null}
     * @param name the member's name
     * @return the member's value, or {@code null} if {@code value} is not an object or has no such member
     */
    public static @Nullable Object get(@Nullable Object value, String name) {
        return value instanceof Map<?, ?> object ? object.get(name) : null;
    }

    /**
     * The value as a string.
     *
     * @param value any value, or {@code null}
     * @return {@code value} if it is a string, otherwise {@code null}
     */
    public static @Nullable String string(@Nullable Object value) {
        return value instanceof String s ? s : null;
    }

    /**
     * What a value is, for error messages: never the value itself, which might be a token.
     *
     * @param value any value, or {@code null} for nothing
     * @return {@code an object}, {@code an array}, {@code a string}, {@code a number}, {@code a boolean},
     *     {@code null} or {@code nothing}
     */
    public static String kind(@Nullable Object value) {
        if (value == null) {
            return "nothing";
        } else if (value instanceof Map) {
            return "an object";
        } else if (value instanceof List) {
            return "an array";
        } else if (value instanceof String) {
            return "a string";
        } else if (value instanceof Number) {
            return "a number";
        } else if (value instanceof Boolean) {
            return "a boolean";
        }
        return "null";
    }

    /**
     * A scalar's text, as databind's {@code JsonNode.asText()}: a string itself, a number in Java's notation
     * ({@code 2}, {@code 1.5E10}), {@code true}, {@code false}, {@code null}; an empty string for an object, an
     * array and nothing.
     *
     * @param value any value, or {@code null}
     * @return the text
     */
    public static String text(@Nullable Object value) {
        if (value == null || value instanceof Map || value instanceof List) {
            return "";
        }
        return value.toString();
    }

    /**
     * The value as a {@code long}, as databind's {@code canConvertToLong()} and {@code longValue()}: an integer
     * in the range of {@code long}, or a finite fractional number in that range, its fraction cut off.
     *
     * @param value any value, or {@code null}
     * @return the number, or {@code null} if {@code value} is not a number or out of range
     */
    public static @Nullable Long toLong(@Nullable Object value) {
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        } else if (value instanceof BigInteger big) {
            return big.bitLength() <= 63 ? big.longValue() : null;
        } else if (value instanceof Double d) {
            return d >= Long.MIN_VALUE && d <= Long.MAX_VALUE ? (long) (double) d : null;
        }
        return null;
    }
}
