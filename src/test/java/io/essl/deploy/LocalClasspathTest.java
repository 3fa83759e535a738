package io.essl.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bin/essl's local classpath: the Maven flags it uses give compile and provided scope (Spark is provided) and no
 * test-scope jar (s3proxy's logback made SLF4J warn of two providers on every run).
 */
class LocalClasspathTest {
    @Test
    void binEsslBuildsAClasspathWithoutTestJars(@TempDir File tmp) throws Exception {
        String script = Files.readString(Path.of("bin/essl"));
        Matcher m = Pattern.compile("dependency:build-classpath\\s*\\\\?\\s*([^)]*)\\)").matcher(script);
        assertTrue(m.find(), "bin/essl builds its classpath with dependency:build-classpath");
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q", "dependency:build-classpath"));
        File out = new File(tmp, "cp.txt");
        for (String flag : m.group(1).trim().split("\\s+")) {
            if (flag.startsWith("-Dmdep.outputFile=")) flag = "-Dmdep.outputFile=" + out.getAbsolutePath();
            if (!flag.equals("\\")) cmd.add(flag);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File(tmp, "mvn.log")).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "mvn finished");
        assertEquals(0, p.exitValue(), Files.readString(new File(tmp, "mvn.log").toPath()));
        List<String> jars = List.of(Files.readString(out.toPath()).trim().split(File.pathSeparator));
        assertTrue(jars.stream().anyMatch(j -> j.contains("spark-core_2.12")), "Spark (provided) is on it");
        assertTrue(jars.stream().anyMatch(j -> j.contains("deeplearning4j-nn")), "DL4J (compile) is on it");
        for (String testJar : List.of("s3proxy", "logback", "junit", "snakeyaml-2.2")) {
            assertTrue(jars.stream().noneMatch(j -> j.contains(testJar)), testJar + " (test scope) is not: " + cmd);
        }
    }
}
