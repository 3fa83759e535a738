package io.essl.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import io.essl.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The driver of {@code essl probe} (its own JVM, started like bin/essl starts it) is killed with SIGKILL while it
 * extracts features: nothing is left at the report path or the confusion PNG's, and the same command run again
 * writes the report an uninterrupted probe writes (every number but the times).
 */
class ProbeKillTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String[] probe(File model, File out, File report) {
        return new String[]{"probe", "--model", model.getPath(), "--report", report.getPath(),
                "--set", "output.dir=\"" + out.getAbsolutePath() + "\"", "--set", "probe.max-iter=40",
                "--set", "probe.knn.k=20"};
    }

    /** A driver JVM as bin/essl starts it. */
    private static Process driver(File log, String... args) throws Exception {
        return TestData.esslProcess(log, "2g", List.of(args)).start();
    }

    @Test
    void aKilledProbeLeavesNoReportAndTheRerunWritesTheUninterruptedReport(@TempDir File tmp) throws Exception {
        File model = new File(tmp, "model.zip");
        List<String> sets = TestData.smallRun(new File(tmp, "pretrain"));
        sets.set(sets.indexOf("train.epochs=3"), "train.epochs=1");
        sets.add("train.monitor.knn-every-epochs=0");
        assertEquals(Main.OK, Main.run(TestData.args("pretrain", sets, "--model", model.getPath())));

        File reference = new File(tmp, "reference/probe.json");
        assertEquals(Main.OK, Main.run(probe(model, new File(tmp, "reference"), reference)));

        File report = new File(tmp, "probe/probe.json"), log = new File(tmp, "killed.log");
        Process killed = driver(log, probe(model, new File(tmp, "probe"), report));
        long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(3);
        while (!Files.readString(log.toPath()).contains("probe model: extracting features")) {
            assertTrue(killed.isAlive(), "the probe ended before extracting features:\n" + Files.readString(log.toPath()));
            assertTrue(System.currentTimeMillis() < deadline, "no feature extraction in time");
            Thread.sleep(20);
        }
        killed.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
        assertTrue(killed.waitFor(1, TimeUnit.MINUTES));
        assertEquals(137, killed.exitValue(), "killed by SIGKILL");
        assertFalse(Files.readString(log.toPath()).contains("probe model: fast protocol"), "killed before the classifier");
        assertFalse(report.exists(), "no report from the killed run");
        assertFalse(new File(tmp, "probe/probe-confusion.png").exists(), "no confusion PNG from the killed run");

        File rerunLog = new File(tmp, "rerun.log");
        Process rerun = driver(rerunLog, probe(model, new File(tmp, "probe"), report));
        assertTrue(rerun.waitFor(5, TimeUnit.MINUTES), "rerun timed out");
        assertEquals(0, rerun.exitValue(), Files.readString(rerunLog.toPath()));
        JsonNode a = JSON.readTree(reference), b = JSON.readTree(report);
        for (String key : List.of("/probe/top1", "/probe/top5", "/probe/confusion", "/probe/per_class_top1",
                "/probe/reg_param", "/probe/validation_top1", "/probe/iterations", "/probe/train_images",
                "/probe/test_images", "/knn/top1", "/knn/top5")) {
            assertFalse(a.at(key).isMissingNode(), key);
            assertEquals(a.at(key), b.at(key), key + ": the rerun reports what the uninterrupted probe reported");
        }
        assertTrue(new File(tmp, "probe/probe-confusion.png").length() > 1000);
    }
}
