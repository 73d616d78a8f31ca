package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every wait of the class-data sharing archive's making is bounded: a training run or a dump that hangs (a JVM
 * left with a non-daemon thread, a stuck loopback) fails the build or the image build with a timeout message
 * instead of hanging it.
 */
class CdsBuildTest {
    @Test
    void theBuildsTrainingAndDumpHaveATimeout() throws Exception {
        Element pom = xml(Path.of("pom.xml"));
        NodeList executions = pom.getElementsByTagName("execution");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < executions.getLength(); i++) {
            Element execution = (Element) executions.item(i);
            Element plugin = (Element) execution.getParentNode().getParentNode();
            if (!text(plugin, "artifactId").equals("exec-maven-plugin")) {
                continue;
            }
            String id = text(execution, "id");
            ids.add(id);
            String timeout = text(plugin, "timeout");
            assertTrue(timeout.matches("\\$\\{[a-z.]+}|[1-9][0-9]*"), "exec execution " + id + " has no timeout");
        }
        assertEquals(List.of("cds-training", "cds-dump"), ids);
        String property = text(pom, "timeout").replaceAll("^\\$\\{|}$", "");
        Element parent = xml(Path.of("..", "pom.xml"));
        long millis = Long.parseLong(text(pom, property).isEmpty() ? text(parent, property) : text(pom, property));
        assertTrue(millis >= 30_000 && millis <= 600_000, property + " = " + millis);
    }

    /**
     * A package rebuilds the jar, which makes the archive of the previous build stale: a JVM given it drops it
     * silently (only {@code -Xlog:cds} says so). So a package deletes it before making a new one, also when
     * {@code -Dcds.skip=true} makes none: an archive next to the jar is always the jar's own.
     */
    @Test
    void aPackageDropsThePreviousArchiveEvenWhenItMakesNone() throws Exception {
        Element pom = xml(Path.of("pom.xml"));
        NodeList executions = pom.getElementsByTagName("execution");
        boolean dropped = false;
        for (int i = 0; i < executions.getLength(); i++) {
            Element execution = (Element) executions.item(i);
            Element plugin = (Element) execution.getParentNode().getParentNode();
            if (text(plugin, "artifactId").equals("maven-clean-plugin") && text(execution, "phase").equals("package")
                    && text(execution, "directory").equals("${project.build.directory}")
                    && text(execution, "include").contains("netatmo-exporter.jsa")
                    && !plugin.getTextContent().contains("cds.skip")) {
                dropped = true;
            }
        }
        assertTrue(dropped, "no clean execution in the package phase drops target/netatmo-exporter.jsa");
        // Before the training in the same phase: Maven runs a phase's plugins in the POM's order.
        String text = Files.readString(Path.of("pom.xml"));
        int clean = text.indexOf("<artifactId>maven-clean-plugin</artifactId>");
        assertTrue(clean >= 0 && clean < text.indexOf("<artifactId>exec-maven-plugin</artifactId>"),
                "the clean plugin must come before the exec plugin in examples/pom.xml");
    }

    @Test
    void theContainerfilesTrainingAndDumpHaveATimeout() throws Exception {
        String file = Files.readString(Path.of("deploy", "Containerfile")).replace("\\\n", " ");
        Matcher java = Pattern.compile("(\\S+ \\S+ )?java (-XX:DumpLoadedClassList|-Xshare:dump)").matcher(file);
        int found = 0;
        while (java.find()) {
            found++;
            assertTrue(java.group(1) != null && java.group(1).matches("timeout \\d+s? "),
                    "no timeout before: " + java.group());
        }
        assertEquals(2, found);
    }

    /** The root element of an XML file (a POM), without DOCTYPE processing. */
    private static Element xml(Path file) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    }

    /** The text of the first descendant element {@code name}, or "" if there is none. */
    private static String text(Element parent, String name) {
        NodeList nodes = parent.getElementsByTagName(name);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
    }
}
