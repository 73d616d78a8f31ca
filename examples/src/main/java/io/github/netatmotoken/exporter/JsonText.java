package io.github.netatmotoken.exporter;

import com.fasterxml.jackson.core.JsonGenerator;
import io.github.netatmotoken.core.internal.JsonTree;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * JSON text written with jackson-core's generator, which the exporter uses instead of databind's tree (about 640
 * classes fewer at start): {@code JsonText.compact(json -> { json.writeStartObject(); … })}.
 */
final class JsonText {
    /** What writes one JSON value. */
    interface Content {
        void write(JsonGenerator json) throws IOException;
    }

    private JsonText() {
    }

    /** {@return the value on one line, without spaces}. */
    static String compact(Content content) {
        return write(content, false);
    }

    /** {@return the value over lines, indented by two spaces, with {@code " : "} after names}. */
    static String pretty(Content content) {
        return write(content, true);
    }

    private static String write(Content content, boolean pretty) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JsonTree.FACTORY.createGenerator(out)) {
            if (pretty) {
                json.useDefaultPrettyPrinter();
            }
            content.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return out.toString();
    }
}
