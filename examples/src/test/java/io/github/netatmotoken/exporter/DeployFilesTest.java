package io.github.netatmotoken.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/deploy}: the compose file, the Kubernetes manifests and the systemd unit pass only flags and
 * environment variables that {@link ConfigParser} accepts, agree on the port (9210) and the state directory
 * ({@code /var/lib/netatmo-exporter}), and take every secret from outside the file.
 */
class DeployFilesTest {
    private static final Path DEPLOY = Path.of("deploy");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final int PORT = 9210;
    private static final String STATE = "/var/lib/netatmo-exporter";
    /** Environment variables that hold a secret (the store's URL carries its password), and their flags. */
    private static final Set<String> SECRET_ENV = Set.of("NETATMO_CLIENT_ID", "NETATMO_CLIENT_SECRET",
            "NETATMO_EXPORTER_TOKEN_STORE");
    private static final Set<String> SECRET_FLAGS = Set.of("-i", "--client-id", "-s", "--client-secret",
            "--token-store");
    /** What the secrets stand for when a test parses a deployment: from .env, a Secret, an EnvironmentFile. */
    private static final Map<String, String> SAMPLE_SECRETS = Map.of(
            "NETATMO_CLIENT_ID", "sample-client-id", "client-id", "sample-client-id",
            "NETATMO_CLIENT_SECRET", "sample-client-secret", "client-secret", "sample-client-secret",
            "token-store", "redis://exporter:sample-password@redis.example.org:6379/0");
    private static final Pattern WORDS = Pattern.compile("\\s+");
    private static final Pattern COMPOSE_VARIABLE = Pattern.compile("\\$\\{(\\w+)(?:(:?[-?])([^}]*))?}");

    @TempDir
    Path dir;

    /** An exporter as a deployment file starts it: its flags and its environment, secrets filled in. */
    private record Launch(String where, List<String> args, Map<String, String> env) {
        Config config() throws Exception {
            Set<String> known = ConfigParser.OPTIONS.stream().map(ConfigParser.Option::env)
                    .filter(e -> e != null).collect(Collectors.toSet());
            for (String name : env.keySet()) {
                assertTrue(known.contains(name), where + ": " + name + " is not an environment variable of the"
                        + " exporter");
            }
            for (String arg : args) {
                assertFalse(SECRET_FLAGS.contains(arg.split("=", 2)[0]), where + ": a secret on the command line, "
                        + arg);
            }
            return ConfigParser.parse(args.toArray(String[]::new), env);
        }
    }

    // ---- compose ------------------------------------------------------------------------------------------------

    private static JsonNode compose() throws IOException {
        return YAML.readTree(DEPLOY.resolve("compose.yaml").toFile());
    }

    /** Compose's interpolation: ${NAME}, ${NAME:-default}, ${NAME:?error}, with NAME from {@code dotEnv}. */
    private static String interpolate(String value, Map<String, String> dotEnv) {
        Matcher m = COMPOSE_VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String set = dotEnv.get(m.group(1));
            String replacement = set != null ? set : m.group(2) != null && m.group(2).endsWith("-") ? m.group(3) : "";
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }

    private static Launch composeLaunch(JsonNode service, Map<String, String> dotEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        service.path("environment").properties().forEach(e -> env.put(e.getKey(), interpolate(e.getValue().asText(),
                dotEnv)));
        List<String> args = new ArrayList<>();
        service.path("command").forEach(a -> args.add(interpolate(a.asText(), dotEnv)));
        return new Launch("compose.yaml", args, env);
    }

    @Test
    void composeStartsTheExporterWithItsTokenInTheDirectoryVolume() throws Exception {
        JsonNode exporter = compose().path("services").path("netatmo-exporter");

        Config config = composeLaunch(exporter, SAMPLE_SECRETS).config();

        assertEquals(PORT, config.port());
        assertEquals(Path.of(STATE, "token.json"), config.tokenFile());
        assertEquals("sample-client-secret", config.clientSecret(), "the secret comes from .env");
        assertEquals(List.of("netatmo-exporter:" + STATE), texts(exporter.path("volumes")));
        assertTrue(compose().path("volumes").has("netatmo-exporter"), "a named volume, not a bind-mounted file");
        assertEquals(List.of(PORT + ":" + PORT), texts(exporter.path("ports")));
        assertTrue(exporter.path("read_only").asBoolean());
        assertEquals("examples/deploy/Containerfile", exporter.path("build").path("dockerfile").asText());
        assertTrue(Files.isDirectory(DEPLOY.resolve(exporter.path("build").path("context").asText())
                .resolve("examples/deploy")), "the build context is the repository's root");
    }

    @Test
    void composeTakesTheSecretsFromTheEnvironmentAndStopsWithoutThem() throws Exception {
        JsonNode environment = compose().path("services").path("netatmo-exporter").path("environment");
        for (String name : List.of("NETATMO_CLIENT_ID", "NETATMO_CLIENT_SECRET")) {
            assertTrue(environment.path(name).asText().matches("\\$\\{" + name + ":\\?[^}]+}"),
                    name + " is a required reference, not a value: " + environment.path(name));
        }
        environment.fieldNames().forEachRemaining(name -> {
            if (SECRET_ENV.contains(name)) {
                assertTrue(environment.path(name).asText().startsWith("${"), name);
            }
        });
    }

    @Test
    void composeRunsTheDemoAsItsCommentSays() throws Exception {
        String comment = Files.readString(DEPLOY.resolve("compose.yaml"));
        assertTrue(comment.contains("NETATMO_DEMO=true"), "the compose file says how to run the demo");
        Map<String, String> dotEnv = new HashMap<>(SAMPLE_SECRETS);
        dotEnv.put("NETATMO_DEMO", "true");

        Config demo = composeLaunch(compose().path("services").path("netatmo-exporter"), dotEnv).config();
        Config real = composeLaunch(compose().path("services").path("netatmo-exporter"), SAMPLE_SECRETS).config();

        assertTrue(demo.demo(), "NETATMO_DEMO=true in .env reaches the exporter");
        assertFalse(real.demo());
    }

    @Test
    void prometheusScrapesTheExporterByItsServiceNameAndPort() throws IOException {
        JsonNode prometheus = compose().path("services").path("prometheus");
        assertTrue(texts(prometheus.path("volumes")).contains("./prometheus.yml:/etc/prometheus/prometheus.yml:ro"));

        JsonNode config = YAML.readTree(DEPLOY.resolve("prometheus.yml").toFile());
        JsonNode job = config.path("scrape_configs").get(0);
        assertEquals("/metrics", job.path("metrics_path").asText("/metrics"));
        assertEquals(List.of("netatmo-exporter:" + PORT), texts(job.path("static_configs").get(0).path("targets")));
        assertTrue(compose().path("services").has("netatmo-exporter"));
    }

    // ---- Kubernetes ---------------------------------------------------------------------------------------------

    private static Map<String, JsonNode> kubernetes(String file) throws IOException {
        Map<String, JsonNode> byKind = new LinkedHashMap<>();
        try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(DEPLOY.resolve("kubernetes")
                .resolve(file).toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                assertNull(byKind.put(doc.path("kind").asText(), doc), file + ": one " + doc.path("kind"));
            }
        }
        return byKind;
    }

    private static Launch kubernetesLaunch(String file, JsonNode container) throws IOException {
        String text = Files.readString(DEPLOY.resolve("kubernetes").resolve(file));
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode var : container.path("env")) {
            String name = var.path("name").asText();
            JsonNode secret = var.path("valueFrom").path("secretKeyRef");
            if (SECRET_ENV.contains(name)) {
                assertFalse(var.has("value"), file + ": " + name + " is inlined");
                assertEquals("netatmo-exporter", secret.path("name").asText(), file + ": " + name);
            }
            if (var.has("value")) {
                env.put(name, var.path("value").asText());
            } else {
                String key = secret.path("key").asText();
                assertTrue(text.contains("--from-literal=" + key + "="), file + ": the comment's kubectl create"
                        + " secret makes key " + key);
                env.put(name, SAMPLE_SECRETS.get(key));
            }
        }
        List<String> args = new ArrayList<>(texts(container.path("command")));
        args.addAll(texts(container.path("args")));
        return new Launch(file, args, env);
    }

    private static JsonNode container(Map<String, JsonNode> manifest) {
        JsonNode containers = manifest.get("Deployment").path("spec").path("template").path("spec")
                .path("containers");
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    /** What both manifests share: the port, the probes, the Service, a non-root pod with a read-only root. */
    private static void assertServedSafely(String file, Map<String, JsonNode> manifest) {
        JsonNode pod = manifest.get("Deployment").path("spec").path("template").path("spec");
        JsonNode container = container(manifest);
        JsonNode port = container.path("ports").get(0);
        assertEquals(PORT, port.path("containerPort").asInt(), file);
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            JsonNode get = container.path(probe).path("httpGet");
            assertEquals("/metrics", get.path("path").asText(), file + " " + probe);
            assertEquals(port.path("name").asText(), get.path("port").asText(), file + " " + probe);
        }
        JsonNode service = manifest.get("Service").path("spec");
        assertEquals(port.path("name").asText(), service.path("ports").get(0).path("targetPort").asText(), file);
        assertEquals(PORT, service.path("ports").get(0).path("port").asInt(), file);
        assertEquals("netatmo-exporter", container.path("name").asText(), file);
        assertEquals(manifest.get("Deployment").path("spec").path("selector").path("matchLabels"),
                service.path("selector"), file + ": the Service selects the pods");

        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), file);
        assertEquals(10001, pod.path("securityContext").path("runAsUser").asInt(), file + ": the image's user");
        assertTrue(pod.path("securityContext").has("fsGroup"), file);
        JsonNode security = container.path("securityContext");
        assertTrue(security.path("readOnlyRootFilesystem").asBoolean(), file);
        assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true), file);
        assertEquals(List.of("ALL"), texts(security.path("capabilities").path("drop")), file);
    }

    @Test
    void oneReplicaKeepsItsTokenOnAClaimAndIsNeverTwoPods() throws Exception {
        Map<String, JsonNode> manifest = kubernetes("one-replica.yaml");
        JsonNode deployment = manifest.get("Deployment").path("spec");
        JsonNode container = container(manifest);

        Config config = kubernetesLaunch("one-replica.yaml", container).config();

        assertServedSafely("one-replica.yaml", manifest);
        assertEquals(1, deployment.path("replicas").asInt());
        assertEquals("Recreate", deployment.path("strategy").path("type").asText(), "no second pod during an update");
        assertEquals(Path.of(STATE, "token.json"), config.tokenFile());
        assertNull(config.tokenStore());
        String volume = null;
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals(STATE)) {
                volume = mount.path("name").asText();
            }
        }
        assertNotNull(volume, "a volume at " + STATE);
        String claim = null;
        for (JsonNode v : deployment.path("template").path("spec").path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                claim = v.path("persistentVolumeClaim").path("claimName").asText();
            }
        }
        JsonNode pvc = manifest.get("PersistentVolumeClaim");
        assertEquals(pvc.path("metadata").path("name").asText(), claim);
        assertEquals(List.of("ReadWriteOnce"), texts(pvc.path("spec").path("accessModes")));
    }

    @Test
    void twoReplicasShareTheTokenThroughTheStoreFromTheSecret() throws Exception {
        Map<String, JsonNode> manifest = kubernetes("two-replicas.yaml");
        JsonNode deployment = manifest.get("Deployment").path("spec");

        Config config = kubernetesLaunch("two-replicas.yaml", container(manifest)).config();

        assertServedSafely("two-replicas.yaml", manifest);
        assertEquals(2, deployment.path("replicas").asInt());
        assertNotNull(config.tokenStore(), "a shared store, so replicas never spend a rotated refresh token");
        assertNull(config.tokenFile());
        assertFalse(manifest.containsKey("PersistentVolumeClaim"));
        for (JsonNode v : deployment.path("template").path("spec").path("volumes")) {
            assertFalse(v.has("persistentVolumeClaim"), "no token file to share");
        }
        JsonNode budget = manifest.get("PodDisruptionBudget").path("spec");
        assertEquals(1, budget.path("minAvailable").asInt());
        assertEquals(deployment.path("selector"), budget.path("selector"));
        assertEquals("ClientIP", manifest.get("Service").path("spec").path("sessionAffinity").asText(),
                "an authorization ends at the pod that started it");
    }

    // ---- systemd ------------------------------------------------------------------------------------------------

    /** The [Service] section of the unit, continuation lines joined; each key with all its values. */
    private static Map<String, List<String>> unitService(String unit) {
        Map<String, List<String>> out = new HashMap<>();
        String section = "";
        for (String line : unit.replace("\\\n", " ").lines().toList()) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                continue;
            }
            if (trimmed.startsWith("[")) {
                section = trimmed;
            } else if (section.equals("[Service]")) {
                String[] kv = trimmed.split("=", 2);
                out.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(kv[1]);
            }
        }
        return out;
    }

    private static String unit() throws IOException {
        return Files.readString(DEPLOY.resolve("netatmo-exporter.service"));
    }

    private static Launch unitLaunch(Map<String, List<String>> service) {
        String exec = one(service, "ExecStart");
        assertFalse(exec.contains("\"") || exec.contains("'"), "plain words, split as systemd does: " + exec);
        List<String> words = WORDS.splitAsStream(exec.replace("%S", "/var/lib").trim()).toList();
        int jar = words.indexOf("-jar");
        assertTrue(jar > 0, exec);
        for (String jvmFlag : words.subList(1, jar)) {
            assertTrue(jvmFlag.startsWith("-X") || jvmFlag.startsWith("-D"), "a JVM flag before -jar: " + jvmFlag);
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : service.getOrDefault("Environment", List.of())) {
            for (String assignment : WORDS.splitAsStream(line.trim()).toList()) {
                String[] kv = assignment.split("=", 2);
                assertFalse(SECRET_ENV.contains(kv[0]), "a secret in Environment=, which anyone can read with"
                        + " systemctl show: " + kv[0]);
                env.put(kv[0], kv[1]);
            }
        }
        env.put("NETATMO_CLIENT_ID", SAMPLE_SECRETS.get("NETATMO_CLIENT_ID")); // from the EnvironmentFile
        env.put("NETATMO_CLIENT_SECRET", SAMPLE_SECRETS.get("NETATMO_CLIENT_SECRET"));
        return new Launch("netatmo-exporter.service", words.subList(jar + 2, words.size()), env);
    }

    private static String one(Map<String, List<String>> service, String key) {
        List<String> values = service.getOrDefault(key, List.of());
        assertEquals(1, values.size(), key + ": " + values);
        return values.get(0);
    }

    @Test
    void theUnitRunsAsADynamicUserWithItsTokenInTheStateDirectory() throws Exception {
        Map<String, List<String>> service = unitService(unit());

        Config config = unitLaunch(service).config();

        assertEquals(PORT, config.port());
        assertEquals(Path.of(STATE, "token.json"), config.tokenFile(), "%S/netatmo-exporter is " + STATE);
        assertEquals("yes", one(service, "DynamicUser"));
        assertEquals("netatmo-exporter", one(service, "StateDirectory"));
        assertTrue(one(service, "EnvironmentFile").startsWith("/etc/"), "secrets in a root-only file");
        assertTrue(one(service, "ExecStart").contains("-jar /opt/netatmo-exporter/netatmo-exporter.jar"));
        assertTrue(unit().split("\\[Service\\]")[0].contains("\nStartLimitBurst=5\n"),
                "[Unit]: a start that keeps failing is not retried forever");
    }

    @Test
    void theUnitSaysHowToAuthorizeFromAnotherMachine() throws Exception {
        // Without --external-url the redirect is http://127.0.0.1:9210/auth/callback: NetAtmo sends a browser on
        // another machine to itself, so "authorize at http://<host>:9210/" alone fails at the callback.
        Config config = unitLaunch(unitService(unit())).config();
        assertEquals(URI.create("http://127.0.0.1:" + PORT), Exporter.externalUrl(config, PORT));
        String comment = unit().lines().takeWhile(line -> line.startsWith("#")).collect(Collectors.joining("\n"));
        assertTrue(comment.contains("NETATMO_EXPORTER_EXTERNAL_URL=http://<host>:9210"), comment);
        assertTrue(comment.contains("http://<host>:9210/auth/callback"), comment);
    }

    @Test
    void theUnitIsHardenedButLetsTheJitWork() throws IOException {
        Map<String, List<String>> service = unitService(unit());

        Map<String, String> wanted = Map.ofEntries(Map.entry("ProtectSystem", "strict"),
                Map.entry("ProtectHome", "yes"), Map.entry("PrivateTmp", "yes"), Map.entry("NoNewPrivileges", "yes"),
                Map.entry("PrivateDevices", "yes"), Map.entry("UMask", "0077"), Map.entry("CapabilityBoundingSet", ""),
                Map.entry("SystemCallFilter", "@system-service"), Map.entry("SystemCallArchitectures", "native"),
                Map.entry("RestrictNamespaces", "yes"), Map.entry("LockPersonality", "yes"));
        wanted.forEach((key, value) -> assertEquals(value, one(service, key), key));
        assertTrue(one(service, "RestrictAddressFamilies").matches("AF_INET AF_INET6( AF_\\w+)*"));
        assertFalse(service.containsKey("MemoryDenyWriteExecute"), "the JIT writes code and runs it");
    }

    @Test
    void systemdAnalyzeVerifiesTheUnit() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed at " + analyze);
        // verify checks that ExecStart's program exists: this JVM's java stands in for /usr/bin/java if missing.
        String java = ProcessHandle.current().info().command().orElse("/usr/bin/java");
        String unit = unit();
        if (!Files.isExecutable(Path.of("/usr/bin/java"))) {
            unit = unit.replace("ExecStart=/usr/bin/java ", "ExecStart=" + java + " ");
        }
        Path copy = Files.writeString(dir.resolve("netatmo-exporter.service"), unit);

        Process verify = new ProcessBuilder(analyze.toString(), "verify", copy.toString()).redirectErrorStream(true)
                .start();
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS), "systemd-analyze verify ended");

        assertEquals("", output.strip(), "no warnings (an unknown key or syscall group is only a warning)");
        assertEquals(0, verify.exitValue(), output);
    }

    // ---- all files ----------------------------------------------------------------------------------------------

    @Test
    void noFileHoldsAPasswordOrTokenValue() throws IOException {
        Pattern password = Pattern.compile("password=([^&'\"\\s]*)|//\\w+:([^@/\\s]*)@");
        try (var files = Files.walk(DEPLOY)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(file);
                Matcher m = password.matcher(text);
                while (m.find()) {
                    String value = m.group(1) != null ? m.group(1) : m.group(2);
                    assertTrue(value.equals("...") || value.equals("…"), file + ": " + m.group());
                }
                for (String field : List.of("access_token\":", "refresh_token\":", "client_secret=")) {
                    assertFalse(text.contains(field), file + ": " + field);
                }
            }
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
