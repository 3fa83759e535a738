package io.essl.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.essl.cli.Main;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Offline validation of what ships for clusters (deploy/, k8s/): every YAML and JSON file parses; the main class,
 * the jar, the recipes, the essl commands and the config keys they name exist; the JVM flags Java 17, ND4J and
 * Aeron need reach driver and executors; no credentials inline; shell scripts pass bash -n and shellcheck.
 */
class DeployFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Pattern SET = Pattern.compile("--set\"?,?\\s*\"?'?([a-z][a-z0-9-]*(?:\\.[a-z0-9-]+)+)=");

    private static List<Path> files(String dir, String... suffixes) throws IOException {
        try (Stream<Path> s = Files.walk(ROOT.resolve(dir))) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> Stream.of(suffixes).anyMatch(x -> p.getFileName().toString().endsWith(x)))
                    .sorted().toList();
        }
    }

    private static String appJarName() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher a = Pattern.compile("<artifactId>(essl-spark)</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(a.find(), "project coordinates in pom.xml");
        return a.group(1) + "-" + a.group(2) + "-app.jar";
    }

    private static List<String> jvmFlags() throws IOException {
        return Files.readAllLines(ROOT.resolve("bin/jvm-flags")).stream().map(String::trim).filter(l -> !l.isEmpty())
                .toList();
    }

    /** Every key under essl in reference.conf, and every path above one (a --set may set a whole object). */
    private static Set<String> knownKeys() {
        Set<String> keys = new java.util.HashSet<>();
        for (var e : ConfigFactory.parseResources("reference.conf").getConfig("essl").entrySet()) {
            String k = e.getKey();
            keys.add(k);
            for (int i = k.indexOf('.'); i > 0; i = k.indexOf('.', i + 1)) keys.add(k.substring(0, i));
        }
        return keys;
    }

    private static void assertKeysKnown(String text, String where) {
        Set<String> known = knownKeys();
        Matcher m = SET.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
            String key = m.group(1);
            assertTrue(known.contains(key) || key.startsWith("spark.conf."), where + ": unknown config key " + key);
        }
        assertTrue(n > 0 || !text.contains("--set"), where + ": --set found but no key parsed");
    }

    private static void assertFlags(String javaOptions, String where) throws IOException {
        for (String flag : jvmFlags()) {
            assertTrue(javaOptions.contains(flag), where + " lacks the JVM flag " + flag);
        }
    }

    @Test
    void sparkOperatorManifestsNameWhatExists() throws Exception {
        List<Path> manifests = files("k8s", ".yaml", ".yml");
        assertTrue(manifests.size() >= 4, "pre-train, probe, scheduled pipeline and RBAC manifests");
        Set<String> commands = new picocli.CommandLine(new Main()).getSubcommands().keySet();
        int apps = 0;
        for (Path f : manifests) {
            for (Object doc : new Yaml().loadAll(Files.readString(f))) {
                @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) doc;
                String kind = (String) m.get("kind");
                assertNotNull(kind, f + ": a document without kind");
                if (!kind.endsWith("SparkApplication")) continue;
                apps++;
                assertEquals("sparkoperator.k8s.io/v1beta2", m.get("apiVersion"), f.toString());
                @SuppressWarnings("unchecked") Map<String, Object> spec = (Map<String, Object>) m.get("spec");
                if (kind.equals("ScheduledSparkApplication")) {
                    assertNotNull(spec.get("schedule"), f + ": schedule");
                    @SuppressWarnings("unchecked") Map<String, Object> t = (Map<String, Object>) spec.get("template");
                    spec = t;
                }
                Class.forName((String) spec.get("mainClass"));
                assertEquals("local:///opt/essl/essl-spark-app.jar", spec.get("mainApplicationFile"), f.toString());
                @SuppressWarnings("unchecked") List<String> args = (List<String>) spec.get("arguments");
                assertTrue(commands.contains(args.get(0)), f + ": no essl command " + args.get(0));
                int c = args.indexOf("--config");
                if (c >= 0) {
                    String recipe = args.get(c + 1).replace("/opt/essl/conf/", "conf/");
                    assertTrue(Files.isRegularFile(ROOT.resolve(recipe)), f + ": recipe " + recipe);
                }
                assertKeysKnown(String.join(" ", args), f.toString());
                @SuppressWarnings("unchecked") Map<String, Object> sparkConf = (Map<String, Object>) spec.get("sparkConf");
                assertFlags((String) sparkConf.get("spark.driver.extraJavaOptions"), f + " driver");
                assertFlags((String) sparkConf.get("spark.executor.extraJavaOptions"), f + " executor");
                String text = Files.readString(f);
                assertFalse(Pattern.compile("AWS_SECRET_ACCESS_KEY\\s*\\n?\\s*value:").matcher(text).find(),
                        f + ": credentials inline");
                assertTrue(text.contains("envSecretKeyRefs"), f + ": S3 credentials from a Secret");
                if (sparkConf.containsKey("spark.executor.resource.gpu.discoveryScript")) {
                    assertEquals("/opt/essl/get-gpus.sh", sparkConf.get("spark.executor.resource.gpu.discoveryScript"));
                }
            }
        }
        assertEquals(3, apps, "pre-train, probe and the scheduled pipeline");
    }

    @Test
    void dockerfilesCopyWhatTheBuildMakes() throws Exception {
        String jar = appJarName();
        for (Path f : files("k8s", "Dockerfile", ".cuda")) {
            String text = Files.readString(f);
            Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) (\\S+)$").matcher(text);
            int n = 0;
            while (copy.find()) {
                n++;
                String src = copy.group(1);
                if (src.startsWith("target/")) assertEquals("target/" + jar, src, f + ": the shaded jar's name");
                else assertTrue(Files.exists(ROOT.resolve(src)), f + ": COPY of a missing " + src);
            }
            assertTrue(n >= 3, f + ": jar, recipes and scripts copied");
            assertTrue(text.contains("/opt/essl/essl-spark-app.jar"), f + ": the jar where the manifests look");
            // S3A jars: the Hadoop version Spark's client uses (pom.xml's hadoop-aws).
            String pom = Files.readString(ROOT.resolve("pom.xml"));
            Matcher aws = Pattern.compile("<artifactId>hadoop-aws</artifactId><version>([^<]+)</version>").matcher(pom);
            assertTrue(aws.find());
            assertTrue(text.contains("hadoop-aws-" + aws.group(1) + ".jar"), f + ": hadoop-aws " + aws.group(1));
        }
    }

    @Test
    void emrConfigurationsAndStepsAreConsistent() throws Exception {
        JsonNode conf = JSON.readTree(ROOT.resolve("deploy/emr/configurations.json").toFile());
        JsonNode defaults = null;
        for (JsonNode c : conf) if (c.get("Classification").asText().equals("spark-defaults")) defaults = c.get("Properties");
        assertNotNull(defaults, "spark-defaults classification");
        assertFlags(defaults.get("spark.driver.extraJavaOptions").asText(), "EMR driver");
        assertFlags(defaults.get("spark.executor.extraJavaOptions").asText(), "EMR executor");
        Set<String> commands = new picocli.CommandLine(new Main()).getSubcommands().keySet();
        JsonNode steps = JSON.readTree(ROOT.resolve("deploy/emr/steps.json").toFile());
        assertEquals(2, steps.size(), "pre-train then probe");
        List<String> order = new ArrayList<>();
        for (JsonNode step : steps) {
            List<String> args = new ArrayList<>();
            step.get("Args").forEach(a -> args.add(a.asText()));
            assertEquals("spark-submit", args.get(0));
            Class.forName(args.get(args.indexOf("--class") + 1));
            int jar = args.indexOf(args.stream().filter(a -> a.endsWith("essl-spark-app.jar")).findFirst().orElseThrow());
            String command = args.get(jar + 1);
            assertTrue(commands.contains(command), "EMR step runs an essl command: " + command);
            order.add(command);
            String recipe = args.get(args.indexOf("--config") + 1);
            assertTrue(Files.isRegularFile(ROOT.resolve("conf").resolve(recipe)), "recipe " + recipe);
            assertTrue(args.stream().anyMatch(a -> a.contains("--files")) && args.stream().anyMatch(a -> a.endsWith(recipe)),
                    "the recipe is shipped with --files");
            assertKeysKnown(String.join(" ", args), "EMR step " + command);
        }
        assertEquals(List.of("pretrain", "probe"), order);
    }

    @Test
    void scriptsNameTheMainClassTheJarAndKnownKeys() throws Exception {
        String jar = appJarName();
        List<Path> scripts = new ArrayList<>(files("deploy", ".sh"));
        for (Path s : scripts) {
            String text = Files.readString(s);
            Matcher cls = Pattern.compile("--class (\\S+)").matcher(text);
            while (cls.find()) Class.forName(cls.group(1));
            Matcher jars = Pattern.compile("essl-spark-[0-9][^\"/ ]*-app\\.jar").matcher(text);
            while (jars.find()) assertEquals(jar, jars.group(), s + ": the shaded jar's name");
            Matcher confs = Pattern.compile("conf/([a-z0-9-]+\\.conf)").matcher(text);
            while (confs.find()) assertTrue(Files.isRegularFile(ROOT.resolve("conf").resolve(confs.group(1))), s + ": " + confs.group());
            assertKeysKnown(text, s.toString());
        }
    }

    @Test
    void shellScriptsPassBashAndShellcheck() throws Exception {
        List<String> scripts = new ArrayList<>();
        for (Path p : files("deploy", ".sh")) scripts.add(p.toString());
        for (String s : List.of("bin/essl", "bin/test", ".ci/run")) scripts.add(ROOT.resolve(s).toString());
        for (String s : scripts) assertEquals("", run("bash", "-n", s), "bash -n " + s);
        boolean haveShellcheck = new File("/usr/bin/shellcheck").canExecute()
                || Stream.of(System.getenv("PATH").split(File.pathSeparator)).anyMatch(d -> new File(d, "shellcheck").canExecute());
        assertTrue(haveShellcheck, "shellcheck is missing: bin/test installs it (apt-get install shellcheck)");
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "--severity=info"));
        cmd.addAll(scripts);
        assertEquals("", run(cmd.toArray(String[]::new)), "shellcheck");
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() == 0 ? "" : out.isEmpty() ? "exit " + p.exitValue() : out;
    }
}
