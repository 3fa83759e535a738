package io.essl.cli;

import io.essl.TestData;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.probe.FeatureExtractor;
import io.essl.probe.LinearProbe;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** bench parity without PyTorch: the recipe handed to the PyTorch side, refusals, and its features' probe. */
class ParityTest {
    private static EsslConfig fidelity(String... extra) {
        List<String> sets = new ArrayList<>(ParityCommand.DEFAULTS);
        sets.addAll(List.of(extra));
        return ConfigLoader.load(ConfigLoader.recipeResource("fidelity.conf"), null, sets);
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePyTorchSideGetsTheRecipeAsOursRunsIt() {
        Map<String, Object> r = TorchRecipe.of(fidelity("seed=44", "train.max-steps=7"));
        Map<String, Object> model = (Map<String, Object>) r.get("model"), train = (Map<String, Object>) r.get("train"),
                augment = (Map<String, Object>) r.get("augment");
        assertEquals(44L, r.get("seed"));
        assertEquals(16, model.get("width_channels"), "width 0.25 of the paper's 64 stem channels");
        assertArrayEquals(new int[]{512, 128}, (int[]) model.get("projector"));
        assertEquals(128, train.get("batch"), "one worker x 128");
        assertEquals(0.004 * 128 / 256, (double) train.get("lr"), 1e-12, "base-lr x global batch / 256, as Optimisers");
        assertEquals(7, train.get("max_steps"));
        assertEquals(28, augment.get("view_size"));
        assertEquals(14, augment.get("view3_size"), "view 3 at half the views' side");
        assertEquals(128, ((Map<String, Object>) TorchRecipe.of(fidelity("train.workers=2", "train.batch-size=64"))
                .get("train")).get("batch"), "the global batch of two workers x 64");
    }

    private static String refused(File tmp, String... args) {
        List<String> all = new ArrayList<>(List.of("bench", "parity", "--out", new File(tmp, "p").getPath(),
                "--set", "data.dir=\"" + TestData.sliceDir().getAbsolutePath() + "\""));
        all.addAll(List.of(args));
        StringWriter err = new StringWriter();
        assertEquals(Main.BAD_INPUT, Main.run(new PrintWriter(err, true), all.toArray(String[]::new)), err.toString());
        List<String> lines = err.toString().lines().toList();
        assertEquals(1, lines.size(), err.toString());
        return lines.get(0);
    }

    @Test
    void whatThePyTorchSideDoesNotWriteIsRefusedBeforeSpark(@TempDir File tmp) throws Exception {
        String line = refused(tmp, "--set", "model.loss=ntxent");
        assertTrue(line.contains("essl.model.loss") && line.contains("infonce"), line);
        line = refused(tmp, "--set", "augment.blur-probability=[0.5, 0, 0]");
        assertTrue(line.contains("essl.augment.blur-probability"), line);
        File peer = new File(tmp, "peer.py"); // the shared peer need not be on this machine for the check
        assertTrue(peer.createNewFile());
        line = refused(tmp, "--peer", peer.getPath(), "--python", new File(tmp, "no-such-python").getPath());
        assertTrue(line.contains("PyTorch") && line.contains("apt-get install"), line);
        assertFalse(new File(tmp, "p").exists(), "nothing written");
        line = refused(tmp, "--reuse", "--seeds", "1");
        assertTrue(line.contains("--reuse") && line.contains("ours-seed42") && line.contains("model.zip"), line);
    }

    @Test
    void thePyTorchFeaturesGoThroughTheSameProbeAsOurs(@TempDir File dir) throws Exception {
        int n = 700, testN = 300, dim = 5;
        List<Row> train = blobs(n, dim, 0, 1), test = blobs(testN, dim, 0, 2);
        write(dir, "train", train, dim);
        write(dir, "test", test, dim);
        Files.writeString(new File(dir, "features.json").toPath(), "{\"splits\": {"
                + split("train", n, dim) + ", " + split("test", testN, dim) + "}}");
        SparkSession spark = SparkSession.builder().master("local[2]").appName("parity-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            EsslConfig conf = fidelity("probe.reg-params=[0, 1e-3, 1e-1]", "seed=5");
            LinearProbe.Result peer = ParityCommand.probePeer(spark, conf, dir);
            LinearProbe.Result direct = LinearProbe.fit(spark.createDataFrame(train, FeatureExtractor.SCHEMA),
                    spark.createDataFrame(test, FeatureExtractor.SCHEMA), conf.probe(), conf.seed());
            assertEquals(n, peer.trainRows());
            assertEquals(testN, peer.test().total());
            // float32 on disk: the same search, choice and confusion as the rows themselves (rounded to float)
            assertEquals(direct.validationTop1(), peer.validationTop1());
            assertEquals(direct.regParam(), peer.regParam());
            assertArrayEquals(direct.test().confusion(), peer.test().confusion());
            assertTrue(peer.test().top1() > 0.8, "separable blobs: " + peer.test().top1());
        } finally {
            spark.stop();
        }
    }

    /** Three Gaussian blobs, features already rounded to float (what the arrays hold). */
    private static List<Row> blobs(int n, int d, long firstId, long seed) {
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] f = new double[d];
            for (int k = 0; k < d; k++) f[k] = (float) (r.nextGaussian() + (k % 3 == i % 3 ? 2.0 : 0.0));
            rows.add(RowFactory.create(firstId + 3L * i, (double) (i % 3), Vectors.dense(f)));
        }
        return rows;
    }

    private static void write(File dir, String name, List<Row> rows, int dim) throws Exception {
        ByteBuffer f = ByteBuffer.allocate(rows.size() * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer l = ByteBuffer.allocate(rows.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer ids = ByteBuffer.allocate(rows.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (Row r : rows) {
            for (double v : ((org.apache.spark.ml.linalg.Vector) r.get(2)).toArray()) f.putFloat((float) v);
            l.putInt((int) r.getDouble(1));
            ids.putLong(r.getLong(0));
        }
        Files.write(new File(dir, name + ".f32").toPath(), f.array());
        Files.write(new File(dir, name + ".labels.i32").toPath(), l.array());
        Files.write(new File(dir, name + ".ids.i64").toPath(), ids.array());
    }

    private static String split(String name, int rows, int dim) {
        return String.format("\"%s\": {\"rows\": %d, \"dim\": %d, \"features\": \"%s.f32\", \"labels\": \"%s.labels.i32\","
                + " \"ids\": \"%s.ids.i64\"}", name, rows, dim, name, name, name);
    }
}
