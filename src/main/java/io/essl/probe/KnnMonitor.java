package io.essl.probe;

import io.essl.config.EsslConfig;
import io.essl.model.EsslGraph;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The kNN monitor of a running pre-training: the encoder of the current network, features of the first
 * un-augmented images of each split (read once and cached), kNN top-1 with the probe's k and temperature.
 */
public final class KnnMonitor implements io.essl.train.EpochMonitor {
    private final SparkSession spark;
    private final EsslConfig conf;
    private final ProbeData data;

    public KnnMonitor(JavaSparkContext sc, EsslConfig conf) {
        this.spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        this.conf = conf;
        this.data = ProbeData.load(sc, conf, conf.train().monitorTrainImages(), conf.train().monitorTestImages());
    }

    /** "N train / M test images" actually used. */
    @Override
    public String sizes() {
        return data.train().count() + " train / " + data.test().count() + " test images";
    }

    @Override
    public double top1(ComputationGraph full, EsslGraph.Shape shape) throws java.io.IOException {
        Broadcast<byte[]> model = FeatureExtractor.broadcast(spark, EsslGraph.extractEncoder(full, conf.model(), shape));
        try (ProbeJob.Features f = ProbeJob.Features.of(spark, conf, data, model)) {
            return f.knn(conf.probe()).top1();
        } finally {
            model.destroy();
        }
    }

    @Override
    public void close() {
        data.close();
    }
}
