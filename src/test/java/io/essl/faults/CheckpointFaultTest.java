package io.essl.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import io.essl.cli.Main;
import io.essl.model.ModelFile;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The checkpoint folder becomes unwritable in the middle of a run (Spark local mode), after a first good checkpoint:
 * the run stops at the next checkpoint with one line naming the folder and the step, the good checkpoint is
 * untouched and loads, and a resume from it finishes the run.
 */
class CheckpointFaultTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> run(File out, File checkpoints) {
        List<String> sets = TestData.smallRun(out);
        sets.set(sets.indexOf("train.epochs=3"), "train.epochs=1"); // 8 steps
        sets.addAll(List.of("train.monitor.knn-every-epochs=0", "train.checkpoint.every-steps=2",
                "train.checkpoint.dir=\"" + checkpoints.getAbsolutePath() + "\""));
        return sets;
    }

    @Test
    void anUnwritableCheckpointFolderStopsTheRunWithOneLineAndTheLastCheckpointResumes(@TempDir File tmp) throws Exception {
        File out = new File(tmp, "run"), dir = new File(tmp, "checkpoints");
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> Main.run(new PrintWriter(err, true),
                TestData.args("pretrain", run(out, dir), "--report", new File(out, "r1.json").getPath())));

        // metrics.jsonl is renamed into place after the checkpoint it belongs to: with 2 lines, step 2's is complete.
        File metrics = new File(dir, "metrics.jsonl");
        long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(3);
        while (!(metrics.isFile() && Files.readAllLines(metrics.toPath()).size() >= 2)) {
            assertFalse(job.isDone(), "the run ended before its first checkpoint: " + err);
            assertTrue(System.currentTimeMillis() < deadline, "no first checkpoint in time");
            Thread.sleep(50);
        }
        Map<String, byte[]> before;
        int code;
        try (ReadOnlyFolder ignored = ReadOnlyFolder.of(dir)) {
            before = contents(dir);
            code = job.get(5, TimeUnit.MINUTES);
            assertEquals(before.keySet(), contents(dir).keySet(), "nothing was added to or removed from the folder");
        }
        int good = before.keySet().stream().filter(n -> n.startsWith("step-"))
                .mapToInt(n -> Integer.parseInt(n.substring(5, 13))).max().orElseThrow();
        assertEquals(2, good, "the folder froze after the checkpoint of step 2: " + before.keySet());

        assertEquals(Main.FAILURE, code, err.toString());
        List<String> lines = err.toString().lines().toList();
        assertEquals(1, lines.size(), "one line, no stack trace:\n" + err);
        String line = lines.get(0);
        System.out.println("the fault, as the user sees it: " + line);
        assertTrue(line.startsWith("essl: failed: cannot write the checkpoint of step 4 to " + dir.getAbsolutePath() + " ("), line);
        assertTrue(line.endsWith("the last complete checkpoint is step 2: fix the folder and rerun with --resume"), line);
        assertFalse(new File(out, "r1.json").exists(), "a failed run writes no report");

        // The good checkpoint is the same bytes as before and loads, with its step in the metadata.
        for (Map.Entry<String, byte[]> f : before.entrySet()) {
            assertArrayEquals(f.getValue(), Files.readAllBytes(new File(dir, f.getKey()).toPath()), f.getKey());
        }
        ModelFile.Loaded loaded = ModelFile.load(new File(dir, "step-00000002.zip").getPath(), new Configuration());
        assertEquals(2, ((Number) loaded.metadata().get("step")).intValue());

        List<String> resuming = new ArrayList<>(run(out, dir));
        assertEquals(Main.OK, Main.run(TestData.args("pretrain", resuming, "--resume", "--report",
                new File(out, "r2.json").getPath())));
        JsonNode r = JSON.readTree(new File(out, "r2.json"));
        assertEquals(2, r.at("/train/resumed_from_step").asInt());
        assertEquals(8, r.at("/train/steps_done").asInt());
        JsonNode history = r.at("/pretrain/history");
        assertEquals(8, history.size());
        for (int i = 0; i < 8; i++) assertEquals(i + 1, history.get(i).get("step").asInt());
        // the resident averaging's workers report their seconds in fit() and making views (summed over the workers)
        JsonNode step = history.get(7);
        assertTrue(step.get("trainSeconds").isNumber() && step.get("trainSeconds").asDouble() > 0, step.toString());
        assertTrue(step.get("viewSeconds").isNumber() && step.get("viewSeconds").asDouble() > 0, step.toString());
    }

    private static Map<String, byte[]> contents(File dir) throws Exception {
        Map<String, byte[]> m = new TreeMap<>();
        for (File f : dir.listFiles()) m.put(f.getName(), Files.readAllBytes(f.toPath()));
        return m;
    }
}
