package io.github.netatmotoken.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The streaming tree reader reads what databind's {@code readTree} read, in the same forms, and fails where it
 * failed, at the same place: checked on hand-picked documents, on random documents written by a
 * {@link JsonGenerator}, and on random damage to them.
 */
class JsonTreeTest {
    private static final ObjectMapper DATABIND = new ObjectMapper();
    private static final long SEED = 20_230_716L;

    @Test
    void anObjectKeepsItsMembersInDocumentOrder() throws IOException {
        Object value = parse("{\"z\":1,\"a\":\"x\",\"m\":[true,false,null]}");
        Map<?, ?> object = assertInstanceOf(Map.class, value);
        assertEquals(List.of("z", "a", "m"), List.copyOf(object.keySet()));
        assertEquals(1, object.get("z"));
        assertEquals("x", object.get("a"));
        assertEquals(List.of(true, false, JsonTree.NULL), object.get("m"));
    }

    @Test
    void aRepeatedNameKeepsItsFirstPlaceAndItsLastValueAsReadTreeDid() throws IOException {
        Map<?, ?> object = assertInstanceOf(Map.class, parse("{\"a\":1,\"b\":2,\"a\":3}"));
        assertEquals(List.of("a", "b"), List.copyOf(object.keySet()));
        assertEquals(3, object.get("a"));
        agreesWithDatabind("{\"a\":1,\"b\":2,\"a\":{\"c\":[1]}}");
    }

    @Test
    void integersTakeTheSmallestTypeThatHoldsThem() throws IOException {
        assertEquals(List.of(0, -2147483648, 2147483648L, -9223372036854775808L,
                new BigInteger("9223372036854775808"), new BigInteger("-123456789012345678901234567890")),
                parse("[0,-2147483648,2147483648,-9223372036854775808,9223372036854775808,"
                        + "-123456789012345678901234567890]"));
    }

    @Test
    void everyNumberWithAFractionOrAnExponentIsADoubleEvenWhenItOverflows() throws IOException {
        assertEquals(List.of(1.5, 10800.0, 1e10, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0),
                parse("[1.5,10800.0,1E10,-0.0,1e400,-1e400,1e-999999]"));
        agreesWithDatabind("[1.5,10800.0,1E10,-0.0,1e400,-1e400,1e-999999,2.5e+3,0.1]");
    }

    @Test
    void theLimitsAreTheParsersDefaultsAsForReadTree() throws IOException {
        int depth = StreamReadConstraints.DEFAULT_MAX_DEPTH;
        Object deepest = parse("[".repeat(depth) + "]".repeat(depth));
        for (int i = 1; i < depth; i++) {
            deepest = ((List<?>) deepest).get(0);
        }
        assertEquals(List.of(), deepest);
        StreamConstraintsException tooDeep = assertThrows(StreamConstraintsException.class,
                () -> parse("[".repeat(depth + 1) + "]".repeat(depth + 1)));
        assertTrue(tooDeep.getMessage().contains("nesting depth"), tooDeep.getMessage());
        agreesWithDatabind("{\"a\":".repeat(depth + 1) + "1" + "}".repeat(depth + 1));

        String longest = "9".repeat(StreamReadConstraints.DEFAULT_MAX_NUM_LEN);
        assertEquals(new BigInteger(longest), parse(longest));
        assertThrows(StreamConstraintsException.class, () -> parse(longest + "9"));
        agreesWithDatabind("[" + longest + "9]");
        agreesWithDatabind("1." + longest);
    }

    @Test
    void deepNestingNeedsNoStack() throws Exception {
        // The limit raised far beyond what a recursive reader could do on a small thread stack.
        int depth = 100_000;
        byte[] json = ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
        Object[] read = new Object[1];
        Thread small = new Thread(null, () -> {
            try (JsonParser parser = JsonTree.FACTORY.rebuild()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(depth).build())
                    .build().createParser(json)) {
                read[0] = JsonTree.read(parser);
            } catch (IOException e) {
                read[0] = e;
            }
        }, "small-stack", 64 * 1024);
        small.start();
        small.join();
        assertInstanceOf(List.class, read[0]);
    }

    @Test
    void nothingButWhitespaceIsNothing() throws IOException {
        assertNull(parse(""));
        assertNull(parse(" \r\n\t "));
    }

    @Test
    void parseReadsTheFirstValueAndIgnoresWhatFollowsAsReadTreeDid() throws IOException {
        assertEquals(Map.of("a", 1), parse("{\"a\":1} trailing garbage {"));
        assertEquals("s", parse("\"s\" 1"));
        agreesWithDatabind("{\"a\":1} trailing garbage {");
    }

    @Test
    void readLeavesTheParserOnTheLastTokenOfTheValue() throws IOException {
        try (JsonParser parser = JsonTree.FACTORY.createParser("{\"a\":[1]} [2] 3")) {
            assertEquals(Map.of("a", List.of(1)), JsonTree.read(parser));
            assertEquals(List.of(2), JsonTree.read(parser));
            assertEquals(3, JsonTree.read(parser));
            assertNull(JsonTree.read(parser));
        }
    }

    @Test
    void malformedInputFailsWithTheParsersExceptionAndLocation() throws IOException {
        JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> parse("{\n  \"a\": tru }"));
        assertEquals(2, e.getLocation().getLineNr());
        assertThrows(JsonEOFException.class, () -> parse("{\"a\":[1,2"));
        for (String bad : List.of("{", "[1,]", "{\"a\" 1}", "{a:1}", "'a'", "[01]", "NaN", "[1 2]", "{\"a\":1,}",
                "\"\\x\"", "\"a\u0001\"", "}", "[\"\\ud800\"]", "-", "1e", "[.5]", "+1")) {
            agreesWithDatabind(bad);
        }
    }

    @Test
    void invalidUtf8FailsAsForReadTree() throws IOException {
        agreesWithDatabind(new byte[] {'"', (byte) 0xC3, '"'});
        agreesWithDatabind(new byte[] {'"', (byte) 0xFF, '"'});
        agreesWithDatabind(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'});
        agreesWithDatabind("\"caf\u00e9 \u2603 \ud83d\ude00\"".getBytes(StandardCharsets.UTF_16BE));
    }

    @Test
    void accessorsAnswerForEveryKindOfValue() throws IOException {
        String text = "{\"s\":\"text\",\"i\":7,\"l\":8589934592,\"b\":123456789012345678901234567890,"
                + "\"d\":1.5e3,\"big\":1e300,\"inf\":1e400,\"t\":true,\"n\":null,\"o\":{},\"a\":[]}";
        Object root = parse(text);
        assertEquals("text", JsonTree.string(JsonTree.get(root, "s")));
        assertNull(JsonTree.string(JsonTree.get(root, "i")));
        assertNull(JsonTree.get(root, "missing"));
        assertNull(JsonTree.get(JsonTree.get(root, "a"), "s"));
        assertNull(JsonTree.get(null, "s"));

        List<String> kinds = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (String name : List.of("s", "i", "d", "t", "n", "o", "a", "missing")) {
            kinds.add(JsonTree.kind(JsonTree.get(root, name)));
            texts.add(JsonTree.text(JsonTree.get(root, name)));
        }
        assertEquals(List.of("a string", "a number", "a number", "a boolean", "null", "an object", "an array",
                "nothing"), kinds);
        assertEquals(List.of("text", "7", "1500.0", "true", "null", "", "", ""), texts);
        assertEquals("null", String.valueOf(JsonTree.NULL));

        JsonNode databind = DATABIND.readTree(text);
        for (String name : List.of("s", "i", "l", "b", "d", "big", "inf", "t", "n", "o", "a")) {
            JsonNode node = databind.get(name);
            Object value = JsonTree.get(root, name);
            assertEquals(node.asText(), JsonTree.text(value), name);
            Long asLong = JsonTree.toLong(value);
            assertEquals(node.isNumber() && node.canConvertToLong(), asLong != null, name);
            if (asLong != null) {
                assertEquals(node.longValue(), asLong, name);
            }
        }
        assertEquals(1500L, JsonTree.toLong(1500.9));
        assertEquals(9_223_372_036_854_775_807L, JsonTree.toLong(BigInteger.valueOf(Long.MAX_VALUE)));
        assertNull(JsonTree.toLong(Double.NaN));
    }

    @Test
    void randomDocumentsWrittenByTheGeneratorReadBackEqual() throws IOException {
        Random random = new Random(SEED);
        for (int i = 0; i < 2_000; i++) {
            Object value = randomValue(random, 0);
            boolean pretty = random.nextBoolean();
            byte[] json = json(value, pretty);
            assertEquals(describe(value), describe(JsonTree.parse(json)), () -> new String(json,
                    StandardCharsets.UTF_8));
            agreesWithDatabind(json);
        }
    }

    @Test
    void randomDamageToDocumentsFailsOrSucceedsAsForReadTree() throws IOException {
        Random random = new Random(SEED + 1);
        for (int i = 0; i < 5_000; i++) {
            byte[] json = json(randomValue(random, 0), random.nextBoolean());
            ByteArrayOutputStream damaged = new ByteArrayOutputStream();
            int at = random.nextInt(json.length);
            damaged.write(json, 0, at);
            switch (random.nextInt(4)) {
                case 0 -> { } // cut off
                case 1 -> damaged.write("{}[]\",:0-.eE\\ nt\u00ff".charAt(random.nextInt(17)));
                case 2 -> damaged.write(json, at + 1, json.length - at - 1); // one byte left out
                default -> {
                    damaged.write(random.nextInt(256));
                    damaged.write(json, at, json.length - at);
                }
            }
            agreesWithDatabind(damaged.toByteArray());
        }
    }

    private static Object randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 4 ? 8 : 10);
        return switch (kind) {
            case 0 -> randomString(random);
            case 1 -> random.nextInt();
            case 2 -> random.nextLong();
            case 3 -> new BigInteger(64 + random.nextInt(200), random).negate().subtract(BigInteger.valueOf(
                    Long.MAX_VALUE));
            case 4 -> random.nextBoolean() ? random.nextDouble() * Math.pow(10, random.nextInt(600) - 300)
                    : -random.nextGaussian();
            case 5 -> random.nextBoolean();
            case 6 -> JsonTree.NULL;
            case 7 -> random.nextInt(1000);
            case 8 -> {
                Map<String, Object> object = new LinkedHashMap<>();
                for (int n = random.nextInt(6); n > 0; n--) {
                    object.put(randomString(random), randomValue(random, depth + 1));
                }
                yield object;
            }
            default -> {
                List<Object> array = new ArrayList<>();
                for (int n = random.nextInt(6); n > 0; n--) {
                    array.add(randomValue(random, depth + 1));
                }
                yield array;
            }
        };
    }

    private static String randomString(Random random) {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(12); n > 0; n--) {
            switch (random.nextInt(6)) {
                case 0 -> s.append((char) random.nextInt(0x20)); // control characters, escaped
                case 1 -> s.append("\"\\/".charAt(random.nextInt(3)));
                case 2 -> s.append((char) (0x80 + random.nextInt(0xD800 - 0x80)));
                case 3 -> s.appendCodePoint(0x10000 + random.nextInt(0x10FFFF - 0x10000)); // a surrogate pair
                default -> s.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return s.toString();
    }

    private static byte[] json(@Nullable Object value, boolean pretty) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator generator = JsonTree.FACTORY.createGenerator(out)) {
            if (pretty) {
                generator.useDefaultPrettyPrinter();
            }
            write(generator, value);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator generator, @Nullable Object value) throws IOException {
        if (value instanceof Map<?, ?> object) {
            generator.writeStartObject();
            for (Map.Entry<?, ?> member : object.entrySet()) {
                generator.writeFieldName((String) member.getKey());
                write(generator, member.getValue());
            }
            generator.writeEndObject();
        } else if (value instanceof List<?> array) {
            generator.writeStartArray();
            for (Object element : array) {
                write(generator, element);
            }
            generator.writeEndArray();
        } else if (value instanceof String s) {
            generator.writeString(s);
        } else if (value instanceof Integer n) {
            generator.writeNumber(n);
        } else if (value instanceof Long n) {
            generator.writeNumber(n);
        } else if (value instanceof BigInteger n) {
            generator.writeNumber(n);
        } else if (value instanceof Double n) {
            generator.writeNumber(n);
        } else if (value instanceof Boolean b) {
            generator.writeBoolean(b);
        } else {
            assertSame(JsonTree.NULL, value);
            generator.writeNull();
        }
    }

    private static @Nullable Object parse(String json) throws IOException {
        return JsonTree.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void agreesWithDatabind(String json) throws IOException {
        agreesWithDatabind(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Both read the same value, or both fail with the same kind of exception at the same place. */
    private static void agreesWithDatabind(byte[] json) throws IOException {
        String shown = new String(json, StandardCharsets.ISO_8859_1);
        Object ours;
        try {
            ours = JsonTree.parse(json);
        } catch (JsonProcessingException e) {
            JsonProcessingException theirs = assertThrows(JsonProcessingException.class, () -> DATABIND.readTree(json),
                    shown);
            assertEquals(theirs.getClass(), e.getClass(), shown);
            assertEquals(location(theirs.getLocation()), location(e.getLocation()), shown);
            assertEquals(theirs.getOriginalMessage(), e.getOriginalMessage(), shown);
            return;
        } catch (IOException e) {
            IOException theirs = assertThrows(IOException.class, () -> DATABIND.readTree(json), shown);
            assertEquals(theirs.getClass(), e.getClass(), shown);
            return;
        }
        JsonNode theirs = DATABIND.readTree(json);
        assertEquals(describe(theirs.isMissingNode() ? null : plain(theirs)), describe(ours), shown);
    }

    private static String location(@Nullable JsonLocation at) {
        return at == null ? "none" : at.getLineNr() + ":" + at.getColumnNr() + "@" + at.getByteOffset();
    }

    /** databind's tree as the values JsonTree makes. */
    private static Object plain(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> object = new LinkedHashMap<>();
            node.properties().forEach(member -> object.put(member.getKey(), plain(member.getValue())));
            return object;
        } else if (node.isArray()) {
            List<Object> array = new ArrayList<>();
            node.forEach(element -> array.add(plain(element)));
            return array;
        } else if (node.isTextual()) {
            return node.textValue();
        } else if (node.isNumber()) {
            assertFalse(node.isBigDecimal(), "readTree made a BigDecimal");
            return node.numberValue();
        } else if (node.isBoolean()) {
            return node.booleanValue();
        }
        assertTrue(node.isNull(), node.getNodeType().toString());
        return JsonTree.NULL;
    }

    /** The value with its Java types and its members' order, so that equal descriptions mean equal trees. */
    private static String describe(@Nullable Object value) {
        if (value instanceof Map<?, ?> object) {
            StringBuilder s = new StringBuilder("{");
            object.forEach((k, v) -> s.append(describe(k)).append(':').append(describe(v)).append(','));
            return s.append('}').toString();
        } else if (value instanceof List<?> array) {
            StringBuilder s = new StringBuilder("[");
            array.forEach(v -> s.append(describe(v)).append(','));
            return s.append(']').toString();
        }
        return value == null ? "nothing" : value.getClass().getSimpleName() + "(" + value + ")";
    }
}
