package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import io.essl.model.ModelFile;
import io.essl.train.RunLock;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Runs that cannot collide, and resumption only of what can be resumed. */
class RunGuardTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static int run(StringWriter err, List<String> sets, String... more) {
        return Main.run(new PrintWriter(err, true), TestData.args("pretrain", sets, more));
    }

    private static List<String> sets(File out, String... extra) {
        List<String> s = TestData.smallRun(out);
        s.set(s.indexOf("train.epochs=3"), "train.epochs=1"); // 8 steps
        s.add("train.monitor.knn-every-epochs=0");
        s.addAll(List.of(extra));
        return s;
    }

    @Test
    void aSecondPretrainOnAHeldOutputFolderExitsTwoAtOnceNamingTheHolder(@TempDir File tmp) throws Exception {
        File out = new File(tmp, "out");
        try (RunLock live = RunLock.acquire(new Configuration(), "pretrain", out.getPath())) {
            StringWriter err = new StringWriter();
            long start = System.nanoTime();
            assertEquals(Main.BAD_INPUT, run(err, sets(out)), err.toString());
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 10, "refused before Spark starts: " + seconds + " s");
            List<String> lines = err.toString().lines().toList();
            assertEquals(1, lines.size(), err.toString());
            assertTrue(lines.get(0).contains("in use by another run") && lines.get(0).contains("pid " + ProcessHandle.current().pid()),
                    lines.get(0));
        }
        // The checkpoint folder is locked too when it lies elsewhere.
        File elsewhere = new File(tmp, "cps");
        try (RunLock live = RunLock.acquire(new Configuration(), "pretrain", elsewhere.getPath())) {
            StringWriter err = new StringWriter();
            assertEquals(Main.BAD_INPUT, run(err, sets(new File(tmp, "other"),
                    "train.checkpoint.dir=\"" + elsewhere.getAbsolutePath() + "\"")), err.toString());
            assertTrue(err.toString().contains(elsewhere.getPath()), err.toString());
        }
    }

    @Test
    void resumeRefusesAChangedRecipeListingTheKeysAndForceRecordsThem(@TempDir File tmp) throws Exception {
        File out = new File(tmp, "out");
        StringWriter err = new StringWriter();
        assertEquals(Main.OK, run(err, sets(out, "train.max-steps=2")), err.toString());
        assertFalse(new File(out, RunLock.NAME).exists(), "the lock is released at the end");

        err = new StringWriter();
        long start = System.nanoTime();
        assertEquals(Main.BAD_INPUT, run(err, sets(out, "train.base-lr=0.004", "augment.view3-size=12"), "--resume"),
                err.toString());
        assertTrue((System.nanoTime() - start) / 1e9 < 10, "refused before Spark starts");
        String line = err.toString().trim();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains("train.base-lr: 0.002 -> 0.004") && line.contains("augment.view3-size: 0 -> 12"), line);
        assertFalse(new File(out, RunLock.NAME).exists(), "a refused run leaves no lock behind");

        // Run-length keys may change (epochs, max-steps); with --force a changed recipe key is recorded.
        File report = new File(tmp, "r.json");
        List<String> forced = new ArrayList<>(sets(out, "train.base-lr=0.004"));
        forced.set(forced.indexOf("train.epochs=1"), "train.epochs=2");
        err = new StringWriter();
        assertEquals(Main.OK, run(err, forced, "--resume", "--force", "--report", report.getPath()), err.toString());
        JsonNode r = JSON.readTree(report);
        assertEquals(2, r.at("/train/resumed_from_step").asInt());
        assertEquals(16, r.at("/train/steps_done").asInt());
        JsonNode keys = r.at("/provenance/resume_forced");
        assertEquals(List.of("train.base-lr"), iterate(keys), keys.toString());
        assertEquals("0.002", keys.at("/train.base-lr/0").asText());
        assertEquals("0.004", keys.at("/train.base-lr/1").asText());
        Map<?, ?> prov = (Map<?, ?>) ModelFile.metadata(new File(out, "model.zip").getPath(), new Configuration()).get("provenance");
        assertTrue(((Map<?, ?>) prov.get("resume_forced")).containsKey("train.base-lr"), prov.toString());

        // --force cannot make another network fit the checkpoint: refused with both parameter counts.
        err = new StringWriter();
        assertEquals(Main.BAD_INPUT, run(err, sets(out, "model.width=0.25"), "--resume", "--force"), err.toString());
        assertTrue(err.toString().contains("parameters"), err.toString());
        // ... nor inputs of another size.
        err = new StringWriter();
        assertEquals(Main.BAD_INPUT, run(err, sets(out, "augment.view-size=32"), "--resume", "--force"), err.toString());
        assertTrue(err.toString().contains("trained on [1, 28, 28]"), err.toString());
    }

    private static List<String> iterate(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
