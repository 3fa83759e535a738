package io.essl.probe;

import io.essl.augment.FloatImage;
import io.essl.config.EsslConfig;
import io.essl.corrupt.Corruptions;
import io.essl.data.ImageRecord;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The linear probe under corruptions (docs/robustness.md): the probe fitted on clean training features classifies
 * the test split corrupted at each severity. Inside Spark tasks each test image becomes its five corrupted copies,
 * stored as 8-bit images as the published -C data sets are, then the centre view and the frozen encoder's features.
 */
public final class Robustness {
    /** Severities 1-5. */
    public static final int SEVERITIES = 5;

    /** top1: per corruption, the accuracy at severities 1-5; meanTop1: over all of them. */
    public record Result(double cleanTop1, Map<String, double[]> top1, double meanTop1, long testImages, double seconds) {
    }

    private Robustness() {
    }

    /** The corruptions a run evaluates: probe.robustness.corruptions, or all. */
    public static List<String> names(EsslConfig.Robustness r) {
        return r.corruptions().isEmpty() ? Corruptions.all().stream().map(Corruptions.Corruption::name).toList() : r.corruptions();
    }

    /**
     * The probe's test split as evaluated here: its first test-limit images (all with 0), each with its position
     * in the split as id, so that id * 8 + severity names a corrupted copy whatever ids the source gave.
     */
    static JavaRDD<ImageRecord> testImages(JavaRDD<ImageRecord> test, EsslConfig.Robustness r) {
        long limit = r.testLimit() > 0 ? r.testLimit() : Long.MAX_VALUE;
        return test.zipWithIndex().filter(t -> t._2() < limit).map(t -> {
            ImageRecord img = t._1().decode(1);
            return new ImageRecord(t._2(), img.label(), img.channels(), img.height(), img.width(), img.pixels());
        });
    }

    public static Result evaluate(SparkSession spark, EsslConfig conf, JavaRDD<ImageRecord> test, Broadcast<byte[]> model,
                                  LogisticRegressionModel probe, int classes) {
        long start = System.nanoTime();
        EsslConfig.Robustness r = conf.probe().robustness();
        JavaRDD<ImageRecord> images = testImages(test, r).persist(org.apache.spark.storage.StorageLevel.MEMORY_ONLY());
        double[] mean = conf.data().mean(), std = conf.data().std();
        Dataset<Row> clean = FeatureExtractor.extract(spark, images, model, mean, std, conf.probe().batchSize());
        double cleanTop1 = LinearProbe.evaluate(probe, clean, classes).top1();
        long n = images.count();
        Map<String, double[]> top1 = new LinkedHashMap<>();
        List<Double> all = new ArrayList<>();
        long seed = conf.seed();
        for (String name : names(r)) {
            spark.sparkContext().setJobDescription("robustness: " + name);
            JavaRDD<ImageRecord> corrupted = images.flatMap(img -> corrupt(img, name, seed).iterator());
            Dataset<Row> f = FeatureExtractor.extract(spark, corrupted, model, mean, std, conf.probe().batchSize());
            // the id carries the severity (id * 8 + severity): accuracy per severity in one pass
            List<Row> rows = probe.transform(f)
                    .withColumn("severity", functions.pmod(functions.col("id"), functions.lit(8)))
                    .groupBy("severity")
                    .agg(functions.avg(functions.when(functions.col("prediction").equalTo(functions.col("label")), 1.0)
                            .otherwise(0.0)).as("top1"))
                    .collectAsList();
            double[] acc = new double[SEVERITIES];
            for (Row row : rows) acc[(int) row.getLong(0) - 1] = row.getDouble(1);
            top1.put(name, acc);
            for (double a : acc) all.add(a);
        }
        spark.sparkContext().setJobDescription(null);
        images.unpersist(false);
        double meanTop1 = all.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        return new Result(cleanTop1, top1, meanTop1, n, (System.nanoTime() - start) / 1e9);
    }

    /** An image's five corrupted copies, as 8-bit images whose ids carry the severity. */
    static List<ImageRecord> corrupt(ImageRecord img, String name, long seed) {
        Corruptions.Corruption c = Corruptions.of(name);
        FloatImage clean = FloatImage.of(img);
        List<ImageRecord> out = new ArrayList<>(SEVERITIES);
        for (int s = 1; s <= SEVERITIES; s++) {
            FloatImage f = c.apply(clean, s, Corruptions.random(seed, img.id(), name, s));
            byte[] px = new byte[f.data().length];
            for (int i = 0; i < px.length; i++) px[i] = (byte) FloatImage.byteOf(f.data()[i]);
            out.add(new ImageRecord(img.id() * 8 + s, img.label(), f.channels(), f.height(), f.width(), px));
        }
        return out;
    }

    /**
     * Corruption error of f against a baseline, per corruption: the sum over severities of f's error over the
     * baseline's (Hendrycks & Dietterich's CE, AlexNet there, a random encoder here); relative: each error less the
     * clean error first.
     */
    public static Map<String, Double> corruptionErrors(Result f, Result baseline, boolean relative) {
        Map<String, Double> ce = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : f.top1().entrySet()) {
            double[] b = baseline.top1().get(e.getKey());
            double num = 0, den = 0;
            for (int s = 0; s < SEVERITIES; s++) {
                num += (1 - e.getValue()[s]) - (relative ? 1 - f.cleanTop1() : 0);
                den += (1 - b[s]) - (relative ? 1 - baseline.cleanTop1() : 0);
            }
            ce.put(e.getKey(), num / den);
        }
        return ce;
    }

    /** The mean of a corruption-error table (mCE). */
    public static double mean(Map<String, Double> ce) {
        return ce.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
