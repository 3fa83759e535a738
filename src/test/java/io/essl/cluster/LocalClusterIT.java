package io.essl.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The shaded application jar on a real multi-process Spark standalone cluster (deploy/local-cluster.sh: a master
 * and two workers, each a JVM, executors in JVMs of their own), submitted with SparkSubmit: pre-training with each
 * DL4J strategy, the probe on the saved model, and a worker killed in the middle of pre-training.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final File ROOT = new File("").getAbsoluteFile();
    private static final File DIR = new File(ROOT, "target/local-cluster-it");
    private static final File OUT = new File(DIR, "runs");

    private static Process script(File log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", new File(ROOT, "deploy/local-cluster.sh").getPath()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT).redirectErrorStream(true)
                .redirectOutput(log);
        pb.environment().put("ESSL_CLUSTER_DIR", DIR.getPath());
        pb.environment().put("ESSL_CLUSTER_PORT", "7277");
        return pb.start();
    }

    private static int run(File log, long minutes, String... args) throws Exception {
        Process p = script(log, args);
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", args) + "\n" + tail(log));
        }
        return p.exitValue();
    }

    private static String tail(File log) throws IOException {
        List<String> lines = Files.readAllLines(log.toPath());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** essl arguments for a short pre-training on the slice with two workers, one per executor. */
    private static String[] pretrain(String name, String strategy, int epochs, String... extra) {
        File out = new File(OUT, name);
        List<String> sets = TestData.smallRun(out);
        sets.set(sets.indexOf("train.epochs=3"), "train.epochs=" + epochs);
        sets.addAll(List.of("train.strategy=" + strategy, "train.workers=2", "train.monitor.knn-every-epochs=0"));
        sets.addAll(List.of(extra));
        List<String> a = new ArrayList<>(List.of("submit"));
        a.addAll(List.of(TestData.args("pretrain", sets, "--model", new File(out, "model.zip").getPath(),
                "--report", new File(out, "report.json").getPath())));
        return a.toArray(String[]::new);
    }

    private static JsonNode report(String name) throws IOException {
        return JSON.readTree(new File(OUT, name + "/report.json"));
    }

    @BeforeAll
    static void up() throws Exception {
        // runs left by an earlier invocation would be resumed (checkpoints) or refused (locks): start clean
        if (OUT.exists()) {
            try (var walk = Files.walk(OUT.toPath())) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        assertTrue(DIR.mkdirs() || DIR.isDirectory());
        assertEquals(0, run(new File(DIR, "up.log"), 10, "up", "2", "1", "3g"), tail(new File(DIR, "up.log")));
    }

    @AfterAll
    static void down() throws Exception {
        run(new File(DIR, "down.log"), 1, "down");
    }

    @Test
    @Order(1)
    void averagingOnTwoExecutorsThenTheProbe() throws Exception {
        File log = new File(DIR, "averaging.log");
        assertEquals(0, run(log, 10, pretrain("averaging", "averaging", 1, "train.base-lr=0.02")), tail(log));
        JsonNode r = report("averaging");
        assertTrue(r.at("/spark/master").asText().startsWith("spark://127.0.0.1:"), r.at("/spark/master").asText());
        assertEquals(2, r.at("/spark/executors_used").asInt(), "tasks ran on both workers' executors");
        assertEquals(8, r.at("/train/steps_done").asInt());
        JsonNode h = r.at("/pretrain/history");
        assertEquals(8, h.size());
        double first = (h.get(0).get("invariance").asDouble() + h.get(1).get("invariance").asDouble()
                + h.get(2).get("invariance").asDouble()) / 3;
        double last = (h.get(5).get("invariance").asDouble() + h.get(6).get("invariance").asDouble()
                + h.get(7).get("invariance").asDouble()) / 3;
        assertEquals(h.get(0).get("invariance").asDouble(), r.at("/pretrain/first_loss/invariance").asDouble(), 1e-12);
        // Measured in local mode with this recipe: 3.40 over steps 1-3, 3.08 over steps 6-8.
        assertTrue(last < first - 0.15, "the contrastive loss fell over the 8 steps: " + first + " -> " + last);

        File probeLog = new File(DIR, "probe.log");
        File probeReport = new File(OUT, "probe.json");
        assertEquals(0, run(probeLog, 10, "submit", "probe", "--model", new File(OUT, "averaging/model.zip").getPath(),
                "--set", "data.dir=\"" + TestData.sliceDir().getAbsolutePath() + "\"",
                "--set", "output.dir=\"" + new File(OUT, "probe").getAbsolutePath() + "\"",
                // one L2 strength: the search's five extra fits are the probe's own business (ProbeTest), not the cluster's
                "--set", "probe.max-iter=40", "--set", "probe.reg-params=[0.001]", "--report", probeReport.getPath()),
                tail(probeLog));
        double top1 = JSON.readTree(probeReport).at("/probe/top1").asDouble();
        assertTrue(top1 > 0.3 && top1 <= 1, "probe top-1 " + top1);
    }

    @Test
    @Order(2)
    void embedAndFinetuneThroughSparkSubmit() throws Exception {
        String model = new File(OUT, "averaging/model.zip").getPath();
        String slice = "data.dir=\"" + TestData.sliceDir().getAbsolutePath() + "\"";
        File embedLog = new File(DIR, "embed.log"), emb = new File(OUT, "embeddings"), embedReport = new File(OUT, "embed.json");
        assertEquals(0, run(embedLog, 5, "submit", "embed", "--model", model, "--set", slice, "--set", "probe.train-limit=128",
                "--set", "probe.test-limit=64", "--output", emb.getPath(), "--report", embedReport.getPath()), tail(embedLog));
        assertEquals(192, JSON.readTree(embedReport).at("/images/written").asInt());

        // neighbours reads these embeddings in one Spark job: NeighboursTest runs it in local mode; not repeated here
        File ftLog = new File(DIR, "finetune.log"), ftReport = new File(OUT, "finetune.json");
        // the pre-trained fixture of FinetuneTest: this run's 8-step encoder has too little to fine-tune from (0.14)
        String pretrained = new File(ROOT, "src/test/resources/fixtures/demo-pretrained-2026-12-04.zip").getPath();
        assertEquals(0, run(ftLog, 5, "submit", "finetune", "--model", pretrained, "--labels-fraction", "0.25", "--no-random-init",
                "--set", slice, "--set", "output.dir=\"" + new File(OUT, "finetune").getAbsolutePath() + "\"",
                "--set", "train.workers=2", "--set", "finetune.batch-size=32", "--set", "finetune.epochs=8",
                "--set", "finetune.lr=0.2", "--set", "probe.test-limit=64", "--report", ftReport.getPath()), tail(ftLog));
        JsonNode ft = JSON.readTree(ftReport);
        assertEquals(2, ft.at("/finetune/workers").asInt(), "one worker per executor");
        // measured in local mode with this fixture and recipe: 0.41 on 256 test images (chance 0.1)
        assertTrue(ft.at("/finetune/top1").isNumber() && ft.at("/finetune/top1").asDouble() > 0.25,
                "well above chance (0.1): " + ft.at("/finetune/top1"));

    }

    @Test
    @Order(5)
    void aKilledDriverResumesFromItsLastCheckpoint() throws Exception {
        // E-SimSiam here and E-Barlow Twins in the next test: each method also trains on two executors
        String[] simsiam = {"model.method=simsiam", "model.predictor=[16]", "train.base-lr=0.02"};
        File log = new File(DIR, "killed.log");
        Process job = script(log, pretrain("killed", "averaging", 2, concat(simsiam, "train.checkpoint.every-steps=2")));
        waitFor(job, log, "step 7/8 (7/16)");
        job.destroyForcibly(); // SIGKILL to the driver JVM: no shutdown hook, no final checkpoint
        assertTrue(job.waitFor(1, TimeUnit.MINUTES));
        // The dead driver's lock stays: the rerun is refused, naming it as stale and how to clear it.
        File refused = new File(DIR, "refused.log");
        assertEquals(2, run(refused, 5, pretrain("killed", "averaging", 2, concat(simsiam, "train.checkpoint.every-steps=2",
                "train.resume=auto"))), tail(refused));
        File lock = new File(OUT, "killed/.essl-lock");
        assertTrue(Files.readString(refused.toPath()).contains("stale lock") && lock.isFile(), tail(refused));
        assertTrue(lock.delete());
        File again = new File(DIR, "resumed.log");
        assertEquals(0, run(again, 10, pretrain("killed", "averaging", 2, concat(simsiam, "train.checkpoint.every-steps=2",
                "train.resume=auto"))), tail(again));
        JsonNode r = report("killed");
        assertMethodTrained(r, "E-SimSiam");
        int from = r.at("/train/resumed_from_step").asInt();
        assertTrue(from >= 6 && from % 2 == 0, "resumed from the last checkpoint before the kill, not from scratch: " + from);
        assertEquals(16, r.at("/train/steps_done").asInt());
        JsonNode history = r.at("/pretrain/history");
        assertEquals(16, history.size(), "the steps before the checkpoint are carried over, the rest redone");
        for (int i = 0; i < 16; i++) assertEquals(i + 1, history.get(i).get("step").asInt());
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    /** The run was the named method, on both executors, with a finite loss and a positive group loss every step. */
    private static void assertMethodTrained(JsonNode r, String method) {
        assertEquals(method, r.at("/pretrain/method").asText());
        assertEquals(2, r.at("/spark/executors_used").asInt(), "tasks ran on both workers' executors");
        for (JsonNode s : r.at("/pretrain/history")) {
            assertTrue(Double.isFinite(s.get("invariance").asDouble()) && s.get("group").asDouble() > 0, s.toString());
        }
    }

    private static void waitFor(Process job, File log, String line) throws Exception {
        long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(8);
        while (!Files.readString(log.toPath()).contains(line)) {
            assertTrue(job.isAlive(), "the job ended before '" + line + "':\n" + tail(log));
            assertTrue(System.currentTimeMillis() < deadline, "no '" + line + "' in time:\n" + tail(log));
            Thread.sleep(200);
        }
    }

    @Test
    @Order(6)
    void aWorkerKilledMidRunDoesNotStopTheJob() throws Exception {
        File log = new File(DIR, "fault.log");
        Process job = script(log, pretrain("fault", "averaging", 2, "train.checkpoint.every-steps=4",
                "model.method=barlow-twins", "model.predictor=[16]", "train.base-lr=0.02", "data.epoch-order=blocks"));
        waitFor(job, log, "step 3/8 (3/16)");
        assertEquals(0, run(new File(DIR, "kill.log"), 1, "kill-worker", "2"));
        assertTrue(job.waitFor(10, TimeUnit.MINUTES), "job did not finish after the kill:\n" + tail(log));
        assertEquals(0, job.exitValue(), tail(log));
        JsonNode r = report("fault");
        assertEquals(16, r.at("/train/steps_done").asInt(), "every step done despite the lost worker");
        assertMethodTrained(r, "E-Barlow Twins");
        assertTrue(r.at("/spark/executors_lost").size() >= 1, "the lost executor is reported: " + r.at("/spark"));
        // What Spark re-ran depends on where the kill lands (a running task, or only the cached image blocks the
        // executor held, which the epoch's block order reads again from the source), but it re-ran something.
        int recomputed = r.at("/spark/failed_task_attempts").asInt() + r.at("/spark/stage_reattempts").asInt()
                + r.at("/spark/shuffle_tasks_recomputed").asInt() + r.at("/spark/cached_blocks_recomputed").asInt();
        assertTrue(recomputed >= 1, "what Spark recomputed is reported: " + r.at("/spark"));
    }

    /**
     * Gradient sharing keeps one network per executor JVM and sends updates over Aeron, so a lost executor is not
     * only lost tasks: it leaves the mesh. Measured: the surviving executor keeps training (its Aeron publication
     * to the dead peer only logs NOT_CONNECTED), Spark re-runs the lost task and the lost shuffle output there, and
     * the run finishes every step with exit code 0. The kill is aimed at a training task running on the worker.
     */
    @Test
    @Order(7)
    void aWorkerKilledUnderGradientSharingDoesNotStopTheJob() throws Exception {
        assertEquals(0, run(new File(DIR, "start-worker.log"), 2, "start-worker", "2", "1", "3g"),
                tail(new File(DIR, "start-worker.log"))); // the previous test killed it
        File log = new File(DIR, "sharing-fault.log");
        Process job = script(log, pretrain("sharing-fault", "sharing", 2, "train.checkpoint.every-steps=4"));
        waitFor(job, log, "step 3/8 (3/16)");
        waitForAfter(job, log, "step 3/8 (3/16)", "Starting job: treeAggregate at SharedTrainingMaster", "executor 1,");
        assertEquals(0, run(new File(DIR, "kill-sharing.log"), 1, "kill-worker", "2"));
        assertTrue(job.waitFor(10, TimeUnit.MINUTES), "job did not finish after the kill:\n" + tail(log));
        assertEquals(0, job.exitValue(), tail(log));
        JsonNode r = report("sharing-fault");
        // before the kill both executor JVMs trained and shared updates (the plain sharing run of the cluster test)
        assertEquals(2, r.at("/spark/executors_used").asInt(), "tasks ran on both workers' executors");
        assertTrue(Files.readString(log.toPath()).contains("strategy sharing"));
        assertEquals(16, r.at("/train/steps_done").asInt(), "every step done on the remaining executor");
        assertTrue(r.at("/spark/executors_lost").size() >= 1, "the lost executor is reported: " + r.at("/spark"));
        int recomputed = r.at("/spark/failed_task_attempts").asInt() + r.at("/spark/stage_reattempts").asInt()
                + r.at("/spark/shuffle_tasks_recomputed").asInt();
        assertTrue(recomputed >= 1, "what Spark recomputed is reported: " + r.at("/spark"));
        JsonNode history = r.at("/pretrain/history");
        assertEquals(16, history.size());
        for (int i = 0; i < 16; i++) {
            JsonNode s = history.get(i);
            assertEquals(i + 1, s.get("step").asInt());
            double c = s.get("invariance").asDouble();
            // InfoNCE over 32 candidates: log(32) = 3.47 for uninformative embeddings; a diverging survivor leaves it
            assertTrue(Double.isFinite(c) && c > 1 && c < Math.log(32) + 0.5, "step " + (i + 1) + ": " + s);
        }
    }

    /** Waits for a line containing {@code line} after the first {@code marker} and then {@code then} in the log. */
    private static void waitForAfter(Process job, File log, String marker, String then, String line) throws Exception {
        long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(2);
        while (true) {
            String text = Files.readString(log.toPath());
            int a = text.indexOf(marker), b = a < 0 ? -1 : text.indexOf(then, a);
            if (b >= 0 && text.indexOf(line, b) >= 0) return;
            assertTrue(job.isAlive(), "the job ended before '" + line + "':\n" + tail(log));
            assertTrue(System.currentTimeMillis() < deadline, "no '" + line + "' in time:\n" + tail(log));
            Thread.sleep(20);
        }
    }
}
