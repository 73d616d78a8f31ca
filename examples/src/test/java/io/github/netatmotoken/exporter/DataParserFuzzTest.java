package io.github.netatmotoken.exporter;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Any body from {@code getstationsdata} or {@code gethomecoachsdata} gives readings or an
 * {@link ApiResponseException}; never another exception. Runs the committed inputs under
 * {@code src/test/resources/io/github/netatmotoken/exporter/DataParserFuzzTestInputs} in every build; fuzz with
 * {@code JAZZER_FUZZ=1} (see the README).
 */
class DataParserFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void anyBodyGivesReadingsOrAParseError(FuzzedDataProvider data) {
        boolean homeCoach = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();
        try {
            List<ModuleReading> readings = homeCoach ? DataParser.parseHomeCoaches(body)
                    : DataParser.parseStations(body);
            for (ModuleReading reading : readings) {
                if (reading == null) {
                    throw new AssertionError("a null reading");
                }
            }
        } catch (ApiResponseException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                throw new AssertionError("a parse error without a message", expected);
            }
        }
    }
}
