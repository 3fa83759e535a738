package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** probe --robustness through the real job on the committed slice: the report, its pictures and its arithmetic. */
class RobustnessProbeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theProbeIsEvaluatedUnderEachCorruptionAndSeverityAgainstARandomEncoder(@TempDir File tmp) throws Exception {
        // a small pre-trained model committed as a fixture (OldModelFixtureTest), probed on the committed slice
        String model = "src/test/resources/fixtures/model-2026-12-02.zip";
        List<String> probe = List.of("data.dir=\"" + TestData.sliceDir().getAbsolutePath() + "\"",
                "output.dir=\"" + tmp.getAbsolutePath() + "\"", "probe.reg-params=[0]", "probe.max-iter=60", "probe.map=false",
                "probe.knn.enabled=false", "probe.robustness.corruptions=[gaussian_noise, contrast, rotate]");
        File report = new File(tmp, "probe.json");
        assertEquals(Main.OK, Main.run(TestData.args("probe", probe, "--model", model, "--robustness", "--report", report.getPath())));
        JsonNode r = JSON.readTree(report).get("robustness");
        assertTrue(r.get("clean_top1").isNumber(), r.toString());
        // the clean images through the corruption path give the probe's own accuracy: same features, same model
        assertEquals(JSON.readTree(report).at("/probe/top1").asDouble(), r.get("clean_top1").asDouble(), 1e-12);
        assertEquals(256, r.get("test_images").asInt(), "the slice's whole test split");
        assertEquals(List.of("gaussian_noise", "contrast", "rotate"), names(r.get("top1")));
        double sum = 0;
        for (JsonNode accs : r.get("top1")) {
            assertEquals(5, accs.size());
            for (JsonNode a : accs) {
                assertTrue(a.isNumber() && a.asDouble() >= 0 && a.asDouble() <= 1, accs.toString());
                sum += a.asDouble();
            }
        }
        assertEquals(sum / 15, r.get("mean_top1").asDouble(), 1e-9);
        // a rotation by up to 1 rad takes the classifier of upright clothes well below its clean accuracy
        double clean = r.get("clean_top1").asDouble(), rot5 = r.at("/top1/rotate/4").asDouble();
        assertTrue(rot5 < clean - 0.1, "rotate severity 5 " + rot5 + " vs clean " + clean);
        // corruption error: the sum of errors over the baseline's (a random encoder, probed in the same job)
        JsonNode base = r.get("baseline_top1");
        double num = 0, den = 0;
        for (int s = 0; s < 5; s++) {
            num += 1 - r.at("/top1/contrast/" + s).asDouble();
            den += 1 - base.at("/contrast/" + s).asDouble();
        }
        assertEquals(num / den, r.at("/ce/contrast").asDouble(), 1e-9);
        assertTrue(r.get("mce").isNumber() && r.get("relative_mce").isNumber());
        assertTrue(new File(r.get("heatmap_png").asText()).length() > 1000, "heat map PNG");
        var gallery = javax.imageio.ImageIO.read(new File(r.get("gallery_png").asText()));
        assertEquals(150 + 4 * (28 * 3 + 6), gallery.getWidth(), "clean + severities 1, 3, 5, three times larger");
        assertEquals(28 + 3 * (28 * 3 + 6), gallery.getHeight(), "one row per corruption");

        // an unknown corruption stops the probe before Spark starts
        assertEquals(Main.BAD_INPUT, Main.run(TestData.args("probe", List.of(probe.get(0), "probe.robustness.corruptions=[snowstorm]"),
                "--model", model, "--robustness")));
    }

    private static List<String> names(JsonNode object) {
        List<String> n = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(n::add);
        return n;
    }
}
