package io.essl.probe;

import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ProbeTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("probe-test").config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Three Gaussian blobs in d dimensions, ids from {@code firstId}. */
    static List<Row> blobs(int n, int d, long firstId, long seed, boolean scrambleLabels) {
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            double[] f = new double[d];
            for (int k = 0; k < d; k++) f[k] = r.nextGaussian() * 0.8 + (k % 3 == c ? 2.0 : 0.0);
            int label = scrambleLabels ? r.nextInt(3) : c;
            rows.add(RowFactory.create(firstId + i, (double) label, Vectors.dense(f)));
        }
        return rows;
    }

    static Dataset<Row> df(List<Row> rows) {
        return spark.createDataFrame(rows, FeatureExtractor.SCHEMA);
    }

    static EsslConfig.Probe probeConf() {
        return ConfigLoader.load(null, List.of("probe.reg-params=[1e-4, 1e-2, 1.0]", "probe.max-iter=50")).probe();
    }

    @Test
    void validationIsCarvedFromTrainingIdsOnly() {
        Dataset<Row> train = df(blobs(600, 4, 0, 1, false));
        LinearProbe.Carved c = LinearProbe.carve(train, 0.1, 42);
        Set<Long> fit = ids(c.fit()), val = ids(c.validation());
        assertEquals(600, fit.size() + val.size());
        assertTrue(java.util.Collections.disjoint(fit, val));
        assertTrue(val.size() > 30 && val.size() < 90, "about 10%: " + val.size());
        assertEquals(val, ids(LinearProbe.carve(train, 0.1, 42).validation()), "stable across calls");
    }

    @Test
    void regularisationChoiceDoesNotDependOnTheTestSplit() {
        Dataset<Row> train = df(blobs(600, 4, 0, 1, false));
        Dataset<Row> test = df(blobs(300, 4, 1_000_000, 2, false));
        Dataset<Row> noise = df(blobs(300, 4, 1_000_000, 2, true));
        LinearProbe.Result a = LinearProbe.fit(train, test, probeConf(), 7);
        LinearProbe.Result b = LinearProbe.fit(train, noise, probeConf(), 7);
        assertEquals(a.regParam(), b.regParam());
        assertEquals(a.validationTop1(), b.validationTop1());
        assertEquals(3, a.validationTop1().size());
        assertTrue(a.test().top1() > 0.8, "separable blobs: " + a.test().top1());
        assertTrue(b.test().top1() < 0.6, "scrambled test labels score near chance: " + b.test().top1());
        assertEquals(1.0, a.test().top5(), 1e-12, "3 classes: the true one is always in the top 5");
        assertEquals(300, a.test().total());
    }

    @Test
    void theFastProbeRunsToItsToleranceAndSaysWhenTheCapStoppedIt() {
        Dataset<Row> train = df(blobs(900, 6, 0, 11, false)), test = df(blobs(300, 6, 100_000, 12, false));
        List<Row> rows = train.collectAsList();
        LinearProbe.Result done = LinearProbe.fit(train, test, ConfigLoader.load(null, List.of("probe.reg-params=[0]",
                "probe.max-iter=1000", "probe.tolerance=1e-6")).probe(), 7);
        LinearProbe.Result capped = LinearProbe.fit(train, test, ConfigLoader.load(null, List.of("probe.reg-params=[0]",
                "probe.max-iter=3", "probe.tolerance=1e-6")).probe(), 7);
        assertTrue(done.converged(), "stopped on the tolerance test after " + done.iterations() + " iterations");
        assertTrue(done.iterations() > 3 && done.iterations() < 1000, "iterations: " + done.iterations());
        assertFalse(capped.converged(), "three iterations are not enough here, and the result says so");
        assertEquals(3, capped.iterations());
        // Unregularised, the optimum has a zero gradient of the mean log-loss: far smaller than where the cap stopped.
        double atOptimum = gradientNorm(done, rows), atCap = gradientNorm(capped, rows);
        assertTrue(atOptimum < 1e-3 && atOptimum < atCap / 20, "gradient " + atOptimum + " against " + atCap);
    }

    /** Largest |d mean(-log p_y) / d w| over weights and intercepts of the fitted multinomial model. */
    private static double gradientNorm(LinearProbe.Result r, List<Row> rows) {
        org.apache.spark.ml.linalg.Matrix w = r.model().coefficientMatrix();
        double[] b = r.model().interceptVector().toArray();
        double[][] gw = new double[w.numRows()][w.numCols()];
        double[] gb = new double[b.length];
        for (Row row : rows) {
            double[] x = ((org.apache.spark.ml.linalg.Vector) row.get(2)).toArray();
            double[] z = new double[b.length];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < b.length; k++) {
                z[k] = b[k];
                for (int j = 0; j < x.length; j++) z[k] += w.apply(k, j) * x[j];
                max = Math.max(max, z[k]);
            }
            for (int k = 0; k < b.length; k++) sum += Math.exp(z[k] - max);
            for (int k = 0; k < b.length; k++) {
                double d = Math.exp(z[k] - max) / sum - (k == (int) row.getDouble(1) ? 1 : 0);
                gb[k] += d / rows.size();
                for (int j = 0; j < x.length; j++) gw[k][j] += d * x[j] / rows.size();
            }
        }
        double m = 0;
        for (int k = 0; k < b.length; k++) {
            m = Math.max(m, Math.abs(gb[k]));
            for (double g : gw[k]) m = Math.max(m, Math.abs(g));
        }
        return m;
    }

    @Test
    void knnOnAToySetGivesTheKnownAnswer() {
        // Query (1, 0). Class 0: one point at angle 0 (cosine 1). Class 1: two points at 60 degrees (cosine 0.5).
        // k = 3 takes all three; votes exp(1/0.1) = 22026 against 2 exp(0.5/0.1) = 297: class 0, though class 1
        // has the majority. With T = 10 the votes are e^0.1 = 1.105 against 2 e^0.05 = 2.103: class 1.
        List<Row> train = List.of(
                RowFactory.create(0L, 0.0, Vectors.dense(1, 0)),
                RowFactory.create(1L, 1.0, Vectors.dense(0.5, Math.sqrt(0.75))),
                RowFactory.create(2L, 1.0, Vectors.dense(0.5, -Math.sqrt(0.75))),
                RowFactory.create(3L, 0.0, Vectors.dense(-1, 0)));  // cosine -1: outside the top 3
        List<Row> query = List.of(RowFactory.create(10L, 0.0, Vectors.dense(2, 0)));
        assertEquals(1.0, Knn.evaluate(df(train), df(query), 3, 0.1, 2, 64).top1());
        assertEquals(0.0, Knn.evaluate(df(train), df(query), 3, 10.0, 2, 64).top1());
    }

    @Test
    void knnMatchesABruteForceReference() {
        List<Row> trainRows = blobs(400, 5, 0, 3, false), testRows = blobs(150, 5, 5000, 4, false);
        int k = 15;
        double t = 0.1;
        Metrics got = Knn.evaluate(df(trainRows).repartition(3), df(testRows), k, t, 3, 64);
        Metrics want = new Metrics(3);
        for (Row q : testRows) {
            double[] qv = ((org.apache.spark.ml.linalg.Vector) q.get(2)).toArray();
            List<double[]> sims = new ArrayList<>(); // (similarity, label)
            for (Row r : trainRows) {
                double[] v = ((org.apache.spark.ml.linalg.Vector) r.get(2)).toArray();
                sims.add(new double[]{cos(qv, v), r.getDouble(1)});
            }
            sims.sort((x, y) -> Double.compare(y[0], x[0]));
            double[] votes = new double[3];
            for (int i = 0; i < k; i++) votes[(int) sims.get(i)[1]] += Math.exp(sims.get(i)[0] / t);
            want.add((int) q.getDouble(1), votes);
        }
        assertArrayEquals(want.confusion(), got.confusion());
        assertEquals(want.top1(), got.top1(), 1e-12);
        assertTrue(got.top1() > 0.8);
    }

    @Test
    void embeddingsRoundTripThroughParquet(@TempDir File tmp) {
        Dataset<Row> train = df(blobs(50, 4, 0, 5, false)), test = df(blobs(20, 4, 100, 6, false));
        String path = new File(tmp, "emb.parquet").getPath();
        ProbeJob.export(train, test, path);
        Dataset<Row> back = spark.read().parquet(path);
        assertEquals(List.of("id", "label", "split", "features"), List.of(back.columns()));
        assertEquals(50, back.filter("split = 'train'").count());
        assertEquals(20, back.filter("split = 'test'").count());
        Row r = back.filter("id = 7 AND split = 'train'").first();
        double[] original = ((org.apache.spark.ml.linalg.Vector) train.filter("id = 7").first().get(2)).toArray();
        List<Float> stored = r.getList(3);
        assertEquals(train.filter("id = 7").first().getDouble(1), r.getInt(1), 0.0);
        for (int i = 0; i < original.length; i++) assertEquals((float) original[i], stored.get(i), 0f);
    }

    @Test
    void metricsCountTopKAndConfusion() {
        Metrics m = new Metrics(6);
        m.add(0, new double[]{0.9, 0.1, 0, 0, 0, 0});            // right
        m.add(1, new double[]{0.5, 0.1, 0.2, 0.3, 0.4, 0.45});  // 6th of 6: outside the top 5
        m.add(2, new double[]{0.5, 0.1, 0.4, 0, 0, 0});         // 2nd: top-5 only
        assertEquals(1.0 / 3, m.top1(), 1e-12);
        assertEquals(2.0 / 3, m.top5(), 1e-12);
        assertEquals(1, m.confusion()[1][0]);
        assertEquals(1.0, m.perClassAccuracy()[0]);
        assertTrue(Double.isNaN(m.perClassAccuracy()[5]));
    }

    private static Set<Long> ids(Dataset<Row> d) {
        Set<Long> s = new HashSet<>();
        for (Row r : d.select("id").collectAsList()) s.add(r.getLong(0));
        return s;
    }

    private static double cos(double[] a, double[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
