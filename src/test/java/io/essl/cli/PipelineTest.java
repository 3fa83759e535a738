package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The real path end to end on the committed slice: Spark local[2], pre-train, save, load, probe. */
class PipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void pretrainLowersTheLossAndTheSavedModelProbesAboveChance(@TempDir File tmp) throws Exception {
        List<String> sets = TestData.smallRun(tmp);
        sets.set(sets.indexOf("train.base-lr=0.002"), "train.base-lr=0.02"); // the rotation head learns within 24 steps
        File pretrainReport = new File(tmp, "pretrain.json");
        String model = new File(tmp, "m/model.zip").getPath();
        assertEquals(Main.OK, Main.run(TestData.args("pretrain", sets, "--model", model, "--report", pretrainReport.getPath())));
        JsonNode r = JSON.readTree(pretrainReport);
        assertEquals(model, r.at("/model/path").asText());
        assertTrue(new File(model).isFile());
        assertEquals(24, r.at("/pretrain/steps").asInt(), "512 images / (2 workers x 32) = 8 steps x 3 epochs");
        assertTrue(new File(r.at("/pretrain/curves_png").asText()).length() > 1000, "training curves PNG");
        assertTrue(new File(r.at("/pretrain/accuracy_png").asText()).length() > 1000, "accuracy curves PNG");
        JsonNode knn = r.at("/pretrain/knn_monitor");
        assertEquals(3, knn.size(), "one kNN monitor point per epoch");
        List<Double> contrastive = new ArrayList<>(), group = new ArrayList<>(), accuracy = new ArrayList<>();
        double lr = 0.02 * (2 * 32) / 256.0; // base-lr x global batch / 256
        int step = 0;
        for (JsonNode s : r.at("/pretrain/history")) {
            contrastive.add(s.get("invariance").asDouble());
            group.add(s.get("group").asDouble());
            assertTrue(s.get("groupAccuracy").isNumber(), s.toString());
            accuracy.add(s.get("groupAccuracy").asDouble());
            // The workers used the global cosine schedule (no warm-up here): iteration k of 24.
            double expected = 0.5 * lr * (1 + Math.cos(Math.PI * step / 24));
            assertEquals(expected, s.get("learningRate").asDouble(), 1e-9, "learning rate at step " + step);
            step++;
        }
        double firstC = mean(contrastive.subList(0, 4)), lastC = mean(contrastive.subList(20, 24));
        assertTrue(lastC < firstC - 0.3, "contrastive loss should go down: " + firstC + " -> " + lastC);
        // 32 images per worker: InfoNCE of uninformative embeddings is log(32) = 3.47 (32 candidates per row); a
        // random encoder already places crops of one image closer than others, so the first loss is at or below.
        assertTrue(contrastive.get(0) < Math.log(32) + 0.1 && contrastive.get(0) > 1, "first loss " + contrastive.get(0));
        // lambda x CE of a 4-way guess starts near 0.4 x log(4).
        assertEquals(0.4 * Math.log(4), group.get(0), 0.15);
        // The head learnt: over the last 12 steps (3,072 rotated views) its accuracy is above chance (1/4) by more
        // than three standard errors of a guess (0.008); measured 0.30-0.31. Wrong labels would stay at 0.25.
        double lateAccuracy = mean(accuracy.subList(12, 24));
        assertTrue(lateAccuracy > 0.275, "rotation accuracy over steps 13-24 " + lateAccuracy + ": " + accuracy);

        File probeReport = new File(tmp, "probe.json");
        assertEquals(Main.OK, Main.run("probe", "--model", model, "--report", probeReport.getPath(), "--baselines",
                "--set", "probe.max-iter=60", "--set", "probe.knn.k=20", "--set", "probe.map=true"));
        JsonNode p = JSON.readTree(probeReport);
        assertEquals(256, p.at("/probe/test_images").asInt(), "the slice's whole test split");
        assertEquals(512, p.at("/probe/train_images").asInt());
        // 10 classes, chance is 0.1.
        for (String key : List.of("/probe/top1", "/knn/top1", "/baselines/raw_pixels/top1", "/baselines/random_encoder/top1")) {
            double v = p.at(key).asDouble(-1);
            assertTrue(v > 0.3 && v <= 1.0, key + " = " + v);
        }
        assertTrue(p.at("/probe/top5").asDouble() >= p.at("/probe/top1").asDouble());
        // The monitor measured the saved encoder: its last point (after the last step) is the probe's kNN on the
        // same images with the same k and temperature.
        assertEquals(p.at("/knn/top1").asDouble(), knn.get(2).get("top1").asDouble(), 1.5 / 256, "kNN monitor vs probe");
        assertEquals(10, p.at("/probe/per_class_top1").size());
        assertEquals(5, p.at("/probe/validation_top1").size(), "one validation score per regularisation tried");
        assertTrue(p.at("/probe/validation_top1").has("0.0"), "the default grid reaches no regularisation");
        // The run caps the probe at 60 iterations for time: the report must say whether the cap stopped it.
        assertTrue(p.at("/probe/converged").isBoolean() && p.at("/probe/iterations").isInt(), p.at("/probe").toString());
        assertTrue(p.at("/probe/iterations").asInt() <= 60);
        if (p.at("/probe/iterations").asInt() == 60) assertFalse(p.at("/probe/converged").asBoolean(), "the cap stopped it");
        assertTrue(new File(p.at("/probe/confusion_png").asText()).length() > 1000, "confusion matrix PNG");
        var map = javax.imageio.ImageIO.read(new File(p.at("/probe/map_png").asText()));
        assertEquals(820, map.getWidth(), "the embedding map (PCA of the features, coloured by class)");
    }

    @Test
    void pipelineWithThePaperProtocol(@TempDir File tmp) throws Exception {
        List<String> sets = TestData.smallRun(tmp);
        sets.addAll(List.of("train.epochs=1", "probe.paper.epochs=10", "probe.paper.batch-size=32", "probe.knn.enabled=false",
                // and the grayscale-to-RGB path: three-channel records, stem and normalisation
                "data.to-rgb=true", "data.mean=[0.286, 0.286, 0.286]", "data.std=[0.353, 0.353, 0.353]"));
        File report = new File(tmp, "pipeline.json");
        assertEquals(Main.OK, Main.run(TestData.args("pipeline", sets, "--protocol", "paper", "--report", report.getPath())));
        JsonNode r = JSON.readTree(report);
        assertEquals("paper", r.at("/probe/protocol").asText());
        double top1 = r.at("/probe/top1").asDouble();
        // 10 classes (chance 0.1), 512 training images, 10 short SGD epochs on augmented views: twice chance or more.
        assertTrue(top1 > 0.2 && top1 <= 1.0, "paper protocol top-1 " + top1);
        assertTrue(new File(r.at("/model/path").asText()).isFile());
        assertTrue(r.at("/knn").isMissingNode());
        var meta = io.essl.model.ModelFile.load(r.at("/model/path").asText(), new org.apache.hadoop.conf.Configuration()).metadata();
        assertEquals(List.of(3, 28, 28), meta.get("input_shape"));
    }

    @Test
    void demoReportsTrainedRandomAndRawPixelsWithItsPage(@TempDir File tmp) throws Exception {
        List<String> sets = TestData.smallRun(tmp);
        sets.add("train.epochs=1");
        File report = new File(tmp, "demo.json");
        assertEquals(Main.OK, Main.run(TestData.args("demo", sets, "--report", report.getPath())));
        JsonNode r = JSON.readTree(report);
        for (String key : List.of("/probe/top1", "/baselines/random_encoder/top1", "/baselines/raw_pixels/top1")) {
            assertTrue(r.at(key).isNumber(), key + " is a number: " + r.at(key));
        }
        // logistic regression on the pixels of a few hundred Fashion-MNIST images: far above chance (0.1)
        assertTrue(r.at("/baselines/raw_pixels/top1").asDouble() > 0.5, "raw pixels " + r.at("/baselines/raw_pixels/top1"));
        assertTrue(r.at("/elapsed_s").asDouble() > 0);
        assertTrue(new File(tmp, "demo-model.zip").isFile());
        String page = java.nio.file.Files.readString(new File(tmp, "demo.html").toPath());
        assertTrue(page.contains("<td>raw pixels, linear probe</td>") && page.contains("<td>trained encoder, linear probe</td>"), "the page's accuracy table");
        assertTrue(page.contains("data:image/png;base64,"), "the demo's plots inlined");
        assertTrue(page.contains("<tr class=\"changed\"><td>model.width</td><td>0.125</td>"), "the recipe against reference.conf");
    }

    @Test
    void trainsUnderKryoWithTheProjectRegistrator(@TempDir File tmp) throws Exception {
        List<String> sets = TestData.smallRun(tmp);
        sets.addAll(List.of("train.epochs=1", "train.monitor.knn-every-epochs=0",
                "spark.conf.\"spark.serializer\"=org.apache.spark.serializer.KryoSerializer"));
        File report = new File(tmp, "kryo.json");
        assertEquals(Main.OK, Main.run(TestData.args("pretrain", sets, "--report", report.getPath())));
        assertEquals(8, JSON.readTree(report).at("/pretrain/steps").asInt());
    }

    private static double mean(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
