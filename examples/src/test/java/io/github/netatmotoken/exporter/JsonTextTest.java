package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The JSON the exporter answers with keeps the form databind's tree and pretty printer gave it. */
class JsonTextTest {

    @Test
    void compactIsOneLineWithoutSpaces() {
        assertEquals("{\"a\":\"x\\\"y\",\"n\":null,\"list\":[1,2.5,true]}", JsonText.compact(json -> {
            json.writeStartObject();
            json.writeStringField("a", "x\"y");
            json.writeStringField("n", null);
            json.writeArrayFieldStart("list");
            json.writeNumber(1);
            json.writeNumber(2.5);
            json.writeBoolean(true);
            json.writeEndArray();
            json.writeEndObject();
        }));
    }

    @Test
    void prettyIndentsByTwoSpacesWithASpacedColon() {
        assertEquals("{\n  \"state\" : \"VALID\",\n  \"expiry\" : null,\n  \"refreshCount\" : 3\n}",
                JsonText.pretty(json -> {
                    json.writeStartObject();
                    json.writeStringField("state", "VALID");
                    json.writeStringField("expiry", null);
                    json.writeNumberField("refreshCount", 3);
                    json.writeEndObject();
                }));
    }
}
