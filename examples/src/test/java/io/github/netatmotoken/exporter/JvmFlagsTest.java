package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The small-footprint JVM flags (BENCHMARKS.md 5a) are the same wherever this repository starts the exporter: the
 * README's run commands, the Containerfile, the systemd unit and the footprint benchmark's default; each of them that
 * can have the class-data sharing archive maps the one made for it.
 */
class JvmFlagsTest {
    private static final Path ROOT = Path.of("..");
    private static final String ARCHIVE = "-XX:SharedArchiveFile=";

    /** The README's quick start, which the other places must match. */
    private static List<String> readme() throws IOException {
        Matcher m = Pattern.compile("\n(?:mvn -q -DskipTests package && )?java ((?:-X\\S+ )+)-jar examples/target/"
                + "netatmo-exporter.jar --demo\n").matcher(Files.readString(ROOT.resolve("README.md")));
        assertTrue(m.find(), "no quick-start run command in README.md");
        return flags(m.group(1));
    }

    private static List<String> flags(String text) {
        return new ArrayList<>(Arrays.asList(text.trim().split("\\s+")));
    }

    /** {@code flags} without its archive option, which must be {@code archive} (or absent if that is null). */
    private static List<String> withoutArchive(String where, List<String> flags, String archive) {
        List<String> archives = flags.stream().filter(f -> f.startsWith(ARCHIVE)).toList();
        assertEquals(archive == null ? List.of() : List.of(ARCHIVE + archive), archives, where);
        return flags.stream().filter(f -> !f.startsWith(ARCHIVE)).toList();
    }

    @Test
    void theReadmeMapsTheArchiveTheBuildMakes() throws IOException {
        List<String> flags = readme();
        withoutArchive("README quick start", flags, "examples/target/netatmo-exporter.jsa");
        assertTrue(Files.readString(Path.of("pom.xml")).contains(
                "-XX:SharedArchiveFile=${project.build.directory}/netatmo-exporter.jsa"), "the build makes no archive");
        assertTrue(flags.contains("-XX:+UseSerialGC") && flags.stream().anyMatch(f -> f.startsWith("-Xmx")), flags
                .toString());
    }

    @Test
    void everyPlaceThatStartsTheExporterUsesTheReadmesFlags() throws IOException {
        List<String> expected = withoutArchive("README quick start", readme(), "examples/target/netatmo-exporter.jsa");

        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher real = Pattern.compile("\njava ((?:-X\\S+ )+)-jar netatmo-exporter.jar -i ").matcher(readme);
        assertTrue(real.find(), "no \"Run it for real\" command in README.md");
        assertEquals(expected, withoutArchive("README, run it for real", flags(real.group(1)), null));

        Matcher container = Pattern.compile("\nENV JAVA_OPTS=\"([^\"]+)\"").matcher(Files.readString(
                Path.of("deploy", "Containerfile")));
        assertTrue(container.find(), "no JAVA_OPTS in the Containerfile");
        String imageArchive = "/opt/netatmo-exporter/netatmo-exporter.jsa";
        assertEquals(expected, withoutArchive("Containerfile", flags(container.group(1)), imageArchive));
        assertTrue(Files.readString(Path.of("deploy", "Containerfile")).contains(ARCHIVE + imageArchive + " -cp "),
                "the Containerfile makes no archive at " + imageArchive);

        String unit = Files.readString(Path.of("deploy", "netatmo-exporter.service")).replace("\\\n", " ");
        Matcher exec = Pattern.compile("\nExecStart=/usr/bin/java ((?:-X\\S+\\s+)+)-jar ").matcher(unit);
        assertTrue(exec.find(), "no java ExecStart in the unit");
        assertEquals(expected, withoutArchive("netatmo-exporter.service", flags(exec.group(1)), imageArchive));

        Matcher bench = Pattern.compile("README_FLAGS = ((?:\"[^\"]*\"\\s*\\+?\\s*)+);").matcher(Files.readString(
                ROOT.resolve("benchmarks/src/main/java/io/github/netatmotoken/benchmarks/ExporterFootprint.java")));
        assertTrue(bench.find(), "no README_FLAGS in ExporterFootprint");
        String benchFlags = String.join("", Pattern.compile("\"([^\"]*)\"").matcher(bench.group(1)).results()
                .map(r -> r.group(1)).toList());
        assertEquals(expected, withoutArchive("ExporterFootprint.README_FLAGS", flags(benchFlags),
                "examples/target/netatmo-exporter.jsa"));
    }
}
