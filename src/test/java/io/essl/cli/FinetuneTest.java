package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/essl finetune on the committed slice: a pre-trained encoder fine-tuned on a quarter of the labels beats the
 * same network from random initialisation on the same labels, and the workers ran the driver's cosine schedule.
 */
class FinetuneTest {
    /** The demo recipe's encoder (E-SimCLR, width 1/8) pre-trained on 16,384 Fashion-MNIST images, updater state removed. */
    static final String MODEL = "src/test/resources/fixtures/demo-pretrained-2026-12-04.zip";

    @Test
    void fewLabelsBeatRandomInitialisation(@TempDir File tmp) throws Exception {
        List<String> sets = List.of("data.dir=\"" + TestData.sliceDir().getAbsolutePath() + "\"",
                "output.dir=\"" + tmp.getAbsolutePath() + "\"", "train.workers=1", "train.averaging-frequency=2",
                "finetune.batch-size=32", "finetune.epochs=8", "finetune.lr=0.2");
        File report = new File(tmp, "ft.json");
        assertEquals(Main.OK, Main.run(TestData.args("finetune", sets, "--model", MODEL, "--labels-fraction", "0.25",
                "--report", report.getPath())));
        JsonNode r = new ObjectMapper().readTree(report);
        int labelled = r.get("labelled_images").asInt();
        assertTrue(labelled > 100 && labelled < 150, "a quarter of 512: " + labelled);
        assertEquals(labelled, Files.readAllLines(new File(r.get("labelled_ids_file").asText()).toPath()).size());
        double tuned = r.at("/finetune/top1").asDouble(), random = r.at("/random_init/top1").asDouble();
        assertTrue(r.at("/finetune/top1").isNumber() && r.at("/random_init/top1").isNumber());
        assertEquals(256, r.at("/finetune/test_images").asInt());
        assertTrue(tuned > random + 0.1, "pre-trained " + tuned + " vs random initialisation " + random);
        assertTrue(r.at("/finetune/top5").asDouble() >= tuned);
        // the learning rate the workers used: the driver's cosine from its peak, falling every step
        JsonNode h = r.at("/finetune/history");
        double peak = 0.2 * 32 / 256.0;
        assertEquals(peak, h.get(0).get("learningRate").asDouble(), 1e-6);
        for (int i = 1; i < h.size(); i++) {
            assertTrue(h.get(i).get("learningRate").asDouble() < h.get(i - 1).get("learningRate").asDouble(), "step " + i);
        }
        assertEquals(peak * 0.5 * (1 + Math.cos(Math.PI * (h.size() - 1) / h.size())),
                h.get(h.size() - 1).get("learningRate").asDouble(), 1e-6);
        assertTrue(h.get(h.size() - 1).get("loss").asDouble() < h.get(0).get("loss").asDouble() - 0.3, "the loss fell");
        assertTrue(new File(r.get("curves_png").asText()).length() > 0);
        assertEquals(Main.BAD_INPUT, Main.run(TestData.args("finetune", sets, "--model", MODEL, "--labels-fraction", "0")));
        assertEquals(Main.BAD_INPUT, Main.run(TestData.args("finetune", sets, "--model", MODEL, "--labels-fraction", "0.001",
                "--set", "finetune.batch-size=64")), "fewer labelled images than a batch");
    }
}
