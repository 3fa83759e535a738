package io.essl.probe;

import io.essl.config.EsslConfig;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates one frozen encoder (or the raw pixels): features of both splits extracted in Spark tasks and
 * cached, then the configured protocol (fast: MLlib logistic regression; paper: SGD linear layer on augmented
 * views), the kNN classifier, and optionally a Parquet export of the embeddings.
 */
public final class ProbeJob {
    private static final Logger log = LoggerFactory.getLogger(ProbeJob.class);

    /**
     * {@code fast} is set for the fast protocol (regularisation search details); {@code knn} when run;
     * {@code robustness} with probe.robustness.enabled.
     */
    public record Result(String protocol, Metrics probe, LinearProbe.Result fast, Metrics knn, int features,
                         double seconds, Robustness.Result robustness, EmbeddingMap.Points map) {
    }

    private ProbeJob() {
    }

    /** Cached frozen-encoder features of both splits; {@link #close()} releases them. */
    record Features(Dataset<Row> train, Dataset<Row> test, int classes) implements AutoCloseable {
        static Features of(SparkSession spark, EsslConfig conf, ProbeData data, Broadcast<byte[]> model) {
            double[] mean = conf.data().mean(), std = conf.data().std();
            int batch = conf.probe().batchSize();
            Dataset<Row> train = FeatureExtractor.extract(spark, data.train(), model, mean, std, batch).cache();
            Dataset<Row> test = FeatureExtractor.extract(spark, data.test(), model, mean, std, batch).cache();
            return new Features(train, test, Math.max(LinearProbe.numClasses(train), LinearProbe.numClasses(test)));
        }

        Metrics knn(EsslConfig.Probe p) {
            return Knn.evaluate(train, test, p.knnK(), p.knnTemperature(), classes, 4096);
        }

        @Override
        public void close() {
            train.unpersist();
            test.unpersist();
        }
    }

    public static Result encoder(SparkSession spark, EsslConfig conf, ProbeData data, ComputationGraph encoder,
                                 String name, boolean withKnn, String exportPath) throws Exception {
        long start = System.nanoTime();
        EsslConfig.Probe p = conf.probe();
        Broadcast<byte[]> model = FeatureExtractor.broadcast(spark, encoder);
        spark.sparkContext().setJobDescription("probe " + name + ": features");
        log.info("probe {}: extracting features of the train and test splits", name);
        Result r;
        try (Features f = Features.of(spark, conf, data, model)) {
            Dataset<Row> train = f.train(), test = f.test();
            int classes = f.classes();
            int features = ((org.apache.spark.ml.linalg.Vector) test.first().get(2)).size();
            spark.sparkContext().setJobDescription("probe " + name + ": " + p.protocol() + " protocol");
            LinearProbe.Result fast = null;
            Metrics probe;
            if (p.protocol().equals("paper")) {
                double[] shift = new double[features], scale = new double[features];
                java.util.Arrays.fill(scale, 1.0);
                if (p.paperStandardize()) { // statistics of the clean training features, as the fast protocol's
                    Row stats = train.select(org.apache.spark.ml.stat.Summarizer.metrics("mean", "std")
                            .summary(functions.col("features")).as("s")).select("s.mean", "s.std").first();
                    shift = ((org.apache.spark.ml.linalg.Vector) stats.get(0)).toArray();
                    scale = ((org.apache.spark.ml.linalg.Vector) stats.get(1)).toArray();
                    for (int i = 0; i < scale.length; i++) scale[i] = scale[i] > 1e-12 ? scale[i] : 1.0;
                }
                probe = PaperProbe.fit(spark, data.train(), test, model, features, classes, shift, scale, conf);
            } else {
                fast = LinearProbe.fit(train, test, p, conf.seed());
                probe = fast.test();
            }
            Metrics knn = null;
            if (withKnn && p.knn()) {
                spark.sparkContext().setJobDescription("probe " + name + ": kNN");
                knn = f.knn(p);
            }
            if (exportPath != null && !exportPath.isBlank()) export(train, test, exportPath);
            Robustness.Result robust = null;
            if (p.robustness().enabled()) { // the fast protocol's model (checked before Spark starts)
                log.info("probe {}: robustness under {} corruption(s) x {} severities", name,
                        Robustness.names(p.robustness()).size(), Robustness.SEVERITIES);
                robust = Robustness.evaluate(spark, conf, data.test(), model, fast.model(), classes);
            }
            EmbeddingMap.Points map = p.map() ? EmbeddingMap.of(train, test, EmbeddingMap.POINTS, conf.seed()) : null;
            r = new Result(p.protocol(), probe, fast, knn, features, (System.nanoTime() - start) / 1e9, robust, map);
        } finally {
            model.destroy();
            spark.sparkContext().setJobDescription(null);
        }
        log.info("probe {}: {} protocol top-1 {} top-5 {}{} ({} features, {} s)", name, r.protocol(),
                fmt(r.probe().top1()), fmt(r.probe().top5()), r.knn() == null ? "" : ", kNN top-1 " + fmt(r.knn().top1()),
                r.features(), fmt(r.seconds()));
        return r;
    }

    /** The raw-pixel baseline: the fast protocol on the normalised images themselves. */
    public static Result pixels(SparkSession spark, EsslConfig conf, ProbeData data) {
        long start = System.nanoTime();
        spark.sparkContext().setJobDescription("probe raw pixels");
        Dataset<Row> train = ProbeData.pixels(spark, data.train(), conf.data().mean(), conf.data().std());
        Dataset<Row> test = ProbeData.pixels(spark, data.test(), conf.data().mean(), conf.data().std());
        LinearProbe.Result fast = LinearProbe.fit(train, test, conf.probe(), conf.seed());
        spark.sparkContext().setJobDescription(null);
        Result r = new Result("fast", fast.test(), fast, null, fast.features(), (System.nanoTime() - start) / 1e9, null, null);
        log.info("probe raw pixels: top-1 {} ({} s)", fmt(r.probe().top1()), fmt(r.seconds()));
        return r;
    }

    /** id, label, split and the features as an array of floats, for retrieval or analysis downstream. */
    static void export(Dataset<Row> train, Dataset<Row> test, String path) {
        Dataset<Row> all = train.withColumn("split", functions.lit("train"))
                .unionByName(test.withColumn("split", functions.lit("test")))
                .select(functions.col("id"), functions.col("label").cast("int").as("label"), functions.col("split"),
                        org.apache.spark.ml.functions.vector_to_array(functions.col("features"), "float32").as("features"));
        all.write().mode(SaveMode.Overwrite).parquet(path);
        log.info("embeddings written to {}", path);
    }

    private static String fmt(double v) {
        return String.format("%.4f", v);
    }
}
