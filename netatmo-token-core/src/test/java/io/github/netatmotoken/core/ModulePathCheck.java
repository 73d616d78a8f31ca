package io.github.netatmotoken.core;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles a small named module that uses a library jar, and runs it on the module path in a child JVM: what a
 * user of the Java module system does. For the integration tests of the library modules.
 */
public final class ModulePathCheck {
    private ModulePathCheck() {
    }

    /**
     * @param libraryJar the packaged jar under test
     * @param dependencyJarPrefixes file name prefixes of the class path jars to put on the module path as well
     * @param moduleInfo the source of the check module's module-info.java
     * @param mainSource the source of {@code check.Main}
     * @return what the child printed (stdout and stderr)
     */
    public static String compileAndRun(Path work, Path libraryJar, List<String> dependencyJarPrefixes,
            String moduleInfo, String mainSource) throws IOException, InterruptedException {
        if (!Files.isRegularFile(libraryJar)) {
            throw new IllegalStateException("The jar " + libraryJar + " does not exist; run this test with"
                    + " 'mvn verify' (it needs the packaged jar)");
        }
        List<String> modulePath = new ArrayList<>();
        modulePath.add(libraryJar.toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.endsWith(".jar") && !name.endsWith("-tests.jar")
                    && dependencyJarPrefixes.stream().anyMatch(name::startsWith)) {
                modulePath.add(entry);
            }
        }
        String path = String.join(File.pathSeparator, modulePath);

        Path src = work.resolve("src/check");
        Files.createDirectories(src.resolve("check"));
        Files.writeString(src.resolve("module-info.java"), moduleInfo, StandardCharsets.UTF_8);
        Files.writeString(src.resolve("check/Main.java"), mainSource, StandardCharsets.UTF_8);
        Path out = work.resolve("out/check");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int compiled = javac.run(null, System.out, System.err, "--module-path", path, "-d", out.toString(),
                src.resolve("module-info.java").toString(), src.resolve("check/Main.java").toString());
        if (compiled != 0) {
            throw new AssertionError("the check module did not compile against " + path);
        }
        Path log = work.resolve("run.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--module-path", out + File.pathSeparator + path, "--module",
                "check/check.Main").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("the check module did not finish within 60 s");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (child.exitValue() != 0) {
            throw new AssertionError("the check module failed (exit " + child.exitValue() + ") with module path "
                    + Arrays.stream(path.split(File.pathSeparator)).map(p -> Path.of(p).getFileName().toString())
                            .collect(Collectors.joining(", ")) + ":\n" + output);
        }
        return output;
    }
}
