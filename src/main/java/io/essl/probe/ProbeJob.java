package io.essl.probe;

import io.essl.config.EsslConfig;
import io.essl.data.IdxSource;
import io.essl.data.ImageRecord;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Linear probe of a frozen encoder: features of the train split (or its first N) and of the test split. */
public final class ProbeJob {
    private static final Logger log = LoggerFactory.getLogger(ProbeJob.class);

    public record Result(LinearProbe.Result probe, int featureDim, double seconds) {
    }

    private ProbeJob() {
    }

    public static Result run(SparkSession spark, EsslConfig conf, ComputationGraph encoder, String name) throws Exception {
        long start = System.nanoTime();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int partitions = conf.data().partitions() > 0 ? conf.data().partitions() : sc.defaultParallelism();
        IdxSource source = new IdxSource(conf.data());
        JavaRDD<ImageRecord> train = source.load(sc, IdxSource.Split.TRAIN, conf.probe().trainLimit(), partitions);
        JavaRDD<ImageRecord> test = source.load(sc, IdxSource.Split.TEST, conf.probe().testLimit(), partitions);
        sc.setJobDescription("probe " + name + ": features");
        double[] mean = conf.data().mean(), std = conf.data().std();
        Dataset<Row> trainF = FeatureExtractor.extract(spark, train, encoder, mean, std, conf.probe().batchSize());
        Dataset<Row> testF = FeatureExtractor.extract(spark, test, encoder, mean, std, conf.probe().batchSize());
        sc.setJobDescription("probe " + name + ": logistic regression");
        LinearProbe.Result r = LinearProbe.fit(trainF, testF, conf.probe());
        int dim = r.features();
        double seconds = (System.nanoTime() - start) / 1e9;
        log.info("probe {}: top-1 {} ({} train / {} test images, {} features, {} L-BFGS iterations, {} s)", name,
                String.format("%.4f", r.top1()), r.trainRows(), r.testRows(), dim, r.iterations(), String.format("%.1f", seconds));
        sc.setJobDescription(null);
        return new Result(r, dim, seconds);
    }
}
