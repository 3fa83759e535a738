package io.essl.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import io.essl.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Gradient sharing (DL4J's SharedTrainingMaster over Aeron on 127.0.0.1) in local mode: it trains, the workers
 * follow the global learning-rate schedule, the loss parts reach the driver, and a stopped run resumes.
 */
class GradientSharingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> run(File out) {
        List<String> sets = TestData.smallRun(out);
        sets.set(sets.indexOf("train.epochs=3"), "train.epochs=2"); // 8 steps per epoch: 16 in all
        sets.set(sets.indexOf("train.base-lr=0.002"), "train.base-lr=0.02");
        sets.addAll(List.of("train.strategy=sharing", "train.monitor.knn-every-epochs=0"));
        return sets;
    }

    @Test
    void trainsFollowsTheGlobalScheduleAndResumes(@TempDir File tmp) throws Exception {
        List<String> stopping = new ArrayList<>(run(tmp));
        stopping.addAll(List.of("train.max-steps=5", "train.checkpoint.every-steps=2"));
        File r1 = new File(tmp, "r1.json"), r2 = new File(tmp, "r2.json");
        assertEquals(Main.OK, Main.run(TestData.args("pretrain", stopping, "--report", r1.getPath())));
        assertEquals(5, JSON.readTree(r1).at("/train/steps_done").asInt());
        assertEquals("sharing", JSON.readTree(r1).at("/train/strategy").asText());

        List<String> resuming = new ArrayList<>(run(tmp));
        assertEquals(Main.OK, Main.run(TestData.args("pretrain", resuming, "--resume", "--report", r2.getPath())));
        JsonNode r = JSON.readTree(r2);
        assertEquals(5, r.at("/train/resumed_from_step").asInt());
        assertEquals(16, r.at("/train/steps_done").asInt());
        assertTrue(new File(r.at("/pretrain/curves_png").asText()).length() > 1000, "training curves PNG");

        JsonNode history = r.at("/pretrain/history");
        assertEquals(16, history.size());
        double peak = 0.02 * (2 * 32) / 256.0;
        List<Double> contrastive = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            JsonNode s = history.get(i);
            assertEquals(i + 1, s.get("step").asInt());
            // Each batch carries its global iteration: the schedule continues across the resume, although the
            // worker's network there has trained only the batches since.
            assertEquals(0.5 * peak * (1 + Math.cos(Math.PI * i / 16)), s.get("learningRate").asDouble(), 1e-9,
                    "learning rate at step " + (i + 1));
            // Whether the rotation head learns is asserted in PipelineTest (16 steps are too few to show it here).
            assertTrue(s.get("groupAccuracy").isNumber(), "rotation accuracy reported under sharing: " + s);
            assertEquals(0.4 * Math.log(4), s.get("group").asDouble(), 0.2, "lambda x rotation CE");
            contrastive.add(s.get("invariance").asDouble());
        }
        double first = contrastive.subList(0, 4).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = contrastive.subList(12, 16).stream().mapToDouble(d -> d).average().orElseThrow();
        assertTrue(last < first - 0.2, "contrastive loss should fall across the stop and resume: " + contrastive);
    }
}
