package io.essl.probe;

import io.essl.config.EsslConfig;
import io.essl.data.IdxSource;
import io.essl.data.ImageRecord;
import io.essl.model.EsslGraph;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The kNN monitor of a running pre-training: the encoder of the current network, features of the first
 * un-augmented images of each split (read once and cached), kNN top-1 with the probe's k and temperature.
 */
public final class KnnMonitor implements AutoCloseable {
    private final SparkSession spark;
    private final EsslConfig conf;
    private final JavaRDD<ImageRecord> train, test;

    public KnnMonitor(JavaSparkContext sc, EsslConfig conf) {
        this.spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        this.conf = conf;
        int partitions = sc.defaultParallelism();
        IdxSource source = new IdxSource(conf.data());
        this.train = source.load(sc, IdxSource.Split.TRAIN, conf.train().monitorTrainImages(), partitions)
                .persist(StorageLevel.MEMORY_ONLY());
        this.test = source.load(sc, IdxSource.Split.TEST, conf.train().monitorTestImages(), partitions)
                .persist(StorageLevel.MEMORY_ONLY());
    }

    /** "N train / M test images" actually used. */
    public String sizes() {
        return train.count() + " train / " + test.count() + " test images";
    }

    public double top1(ComputationGraph full, EsslGraph.Shape shape) throws java.io.IOException {
        Broadcast<byte[]> model = FeatureExtractor.broadcast(spark, EsslGraph.extractEncoder(full, conf.model(), shape));
        try {
            double[] mean = conf.data().mean(), std = conf.data().std();
            Dataset<Row> tr = FeatureExtractor.extract(spark, train, model, mean, std, conf.probe().batchSize()).cache();
            Dataset<Row> te = FeatureExtractor.extract(spark, test, model, mean, std, conf.probe().batchSize()).cache();
            int classes = Math.max(LinearProbe.numClasses(tr), LinearProbe.numClasses(te));
            double top1 = Knn.evaluate(tr, te, conf.probe().knnK(), conf.probe().knnTemperature(), classes, 4096).top1();
            tr.unpersist();
            te.unpersist();
            return top1;
        } finally {
            model.destroy();
        }
    }

    @Override
    public void close() {
        train.unpersist(false);
        test.unpersist(false);
    }
}
