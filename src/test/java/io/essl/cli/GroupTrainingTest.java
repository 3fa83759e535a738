package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every group of model.group trains its head in the real Spark job (rot4: PipelineTest), well above chance. */
class GroupTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * 8 steps per epoch on the Fashion-MNIST slice (LR 0.02, as MethodsTest); the group accuracy over the second half
     * of the run must beat chance (1/G) by more than three standard errors of guessing over its rows. Fashion-MNIST's
     * clothes are upright, centred and light on black, and its shoes point one way, so each group is decidable; the
     * flips, the weakest signals (hflip is nearly a symmetry of the data), train twice as long. Jigsaw runs 6
     * permutations with 3 drawn per image (model.group-samples); the group head sits on SimSiam and Barlow Twins
     * too. Measured (SimCLR): hflip 0.53 and vflip 0.55 after 24 steps, invert 0.88, translate-half 0.40 (chance
     * 0.25), jigsaw 0.28 (0.17), grayscale 0.91.
     */
    @ParameterizedTest
    @CsvSource({"hflip, 2, 0, 6, simclr", "vflip, 2, 0, 6, simclr", "invert, 2, 0, 3, simclr",
            "translate-half, 4, 0, 3, barlow-twins", "jigsaw, 6, 3, 3, simsiam"})
    void eachGroupsHeadLearnsOnFashionMnist(String group, int size, int samples, int epochs, String method, @TempDir File tmp)
            throws Exception {
        List<String> sets = TestData.smallRun(tmp);
        sets.addAll(List.of("model.method=" + method, "model.predictor=[16]", "model.group=" + group, "model.group-size=" + (group.equals("jigsaw") ? size : 0),
                "model.group-samples=" + samples, "train.epochs=" + epochs, "train.monitor.knn-every-epochs=0"));
        assertLearns(sets, group, size, samples > 0 ? samples : size, 8 * epochs, 64, tmp);
    }

    /** grayscale needs colour: 256 images of coloured gradients in an image folder. */
    @Test
    void theGrayscaleHeadLearnsOnColourImages(@TempDir File tmp) throws Exception {
        File dir = new File(tmp, "colour");
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 256 + 16; i++) {
            File cls = new File(dir, (i < 256 ? "train/c" : "val/c") + (i % 2));
            cls.mkdirs();
            BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
            float h0 = rnd.nextFloat(), s = 0.5f + 0.5f * rnd.nextFloat();
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++) img.setRGB(x, y, java.awt.Color.HSBtoRGB(h0 + (x + y) / 64f, s, 0.3f + y / 24f));
            ImageIO.write(img, "png", new File(cls, i + ".png"));
        }
        List<String> sets = new ArrayList<>(TestData.smallRun(tmp));
        sets.removeIf(x -> x.startsWith("data.dir"));
        sets.addAll(List.of("data.format=folder", "data.dir=\"" + dir.getAbsolutePath() + "\"", "data.channels=3",
                "data.class-names=[]", "data.mean=[0.5, 0.5, 0.5]", "data.std=[0.25, 0.25, 0.25]",
                "model.group=grayscale", "train.batch-size=16", "train.monitor.knn-every-epochs=0"));
        assertLearns(sets, "grayscale", 2, 2, 24, 32, tmp);
    }

    /** steps: of the run; images: per step (workers x batch); rows: view-3 rows per image. */
    private static void assertLearns(List<String> sets, String group, int size, int rows, int steps, int images, File tmp)
            throws Exception {
        sets.set(sets.indexOf("train.base-lr=0.002"), "train.base-lr=0.02");
        File report = new File(tmp, "pretrain.json");
        assertEquals(Main.OK, Main.run(TestData.args("pretrain", sets, "--report", report.getPath())));
        JsonNode r = JSON.readTree(report);
        assertEquals(group, r.at("/pretrain/group").asText());
        assertEquals(size, r.at("/pretrain/group_size").asInt());
        JsonNode parts = r.at("/loss/parts");
        assertEquals(steps, parts.size());
        double late = 0;
        for (int i = steps / 2; i < steps; i++) {
            assertTrue(parts.get(i).get("group_accuracy").isNumber(), parts.get(i).toString());
            late += parts.get(i).get("group_accuracy").asDouble() / (steps - steps / 2);
        }
        double chance = 1.0 / size, n = (steps - steps / 2) * (double) images * rows;
        double bar = chance + 3 * Math.sqrt(chance * (1 - chance) / n);
        System.out.printf("%s (G = %d): group accuracy over the last %d steps %.3f (chance %.3f, bar %.3f)%n", group, size,
                steps - steps / 2, late, chance, bar);
        assertTrue(late > bar, group + ": group accuracy " + late + " not above " + bar + " (chance " + chance + ")");
    }
}
