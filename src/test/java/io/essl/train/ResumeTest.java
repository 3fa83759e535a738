package io.essl.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import io.essl.cli.Main;
import io.essl.model.ModelFile;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A stopped run resumes from its last complete checkpoint and ends where an uninterrupted run ends. */
class ResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> run(File out) {
        List<String> sets = TestData.smallRun(out);
        sets.set(sets.indexOf("train.epochs=3"), "train.epochs=2"); // 8 steps per epoch: 16 in all
        return sets;
    }

    @Test
    void resumeAfterAStopMatchesAnUninterruptedRun(@TempDir File tmp) throws Exception {
        File a = new File(tmp, "a"), b = new File(tmp, "b");
        assertEquals(Main.OK, Main.run(TestData.args("pretrain", run(a), "--report", new File(a, "r.json").getPath())));
        INDArray uninterrupted = ModelFile.load(new File(a, "model.zip").getPath(), new Configuration()).graph().params();

        List<String> stopping = new ArrayList<>(run(b));
        stopping.addAll(List.of("train.max-steps=5", "train.checkpoint.every-steps=2", "train.checkpoint.keep=2"));
        assertEquals(Main.OK, Main.run(TestData.args("pretrain", stopping, "--report", new File(b, "r1.json").getPath())));
        JsonNode first = JSON.readTree(new File(b, "r1.json"));
        assertEquals(5, first.at("/train/steps_done").asInt());
        assertEquals(0, first.at("/train/resumed_from_step").asInt());
        Checkpoints cps = new Checkpoints(new File(b, "checkpoints").getPath(), 2, new Configuration());
        assertEquals(List.of(4, 5), cps.steps(), "checkpoints at steps 2, 4 and 5, the last two kept");
        assertEquals(5, cps.readMetrics().size());

        // A crash while writing a newer checkpoint leaves a temporary file, or at worst an unreadable one.
        File dir = new File(b, "checkpoints");
        Files.writeString(new File(dir, ".step-00000006.zip.1234.tmp").toPath(), "half a zip");
        Files.writeString(new File(dir, "step-00000007.zip").toPath(), "not a zip at all");
        assertEquals(5, ((Number) cps.latest().orElseThrow().metadata().get("step")).intValue());

        List<String> resuming = new ArrayList<>(run(b));
        resuming.add("train.checkpoint.every-steps=2");
        assertEquals(Main.OK, Main.run(TestData.args("pretrain", resuming, "--resume", "--report",
                new File(b, "r2.json").getPath())));
        JsonNode second = JSON.readTree(new File(b, "r2.json"));
        assertEquals(5, second.at("/train/resumed_from_step").asInt());
        assertEquals(16, second.at("/train/steps_done").asInt());
        JsonNode history = second.at("/pretrain/history");
        assertEquals(16, history.size(), "the metrics of the first run are carried over");
        for (int i = 0; i < 16; i++) assertEquals(i + 1, history.get(i).get("step").asInt());

        INDArray resumed = ModelFile.load(new File(b, "model.zip").getPath(), new Configuration()).graph().params();
        double diff = resumed.sub(uninterrupted).amaxNumber().doubleValue();
        double scale = uninterrupted.amaxNumber().doubleValue();
        assertTrue(diff <= 1e-4 * scale, "resumed vs uninterrupted: max |diff| " + diff + " (max |param| " + scale + ")");
    }
}
