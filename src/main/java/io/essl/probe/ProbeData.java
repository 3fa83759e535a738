package io.essl.probe;

import io.essl.augment.CentreCrop;
import io.essl.config.EsslConfig;
import io.essl.data.ImageSource;
import io.essl.data.ImageRecord;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/** Two splits, read once (in tasks) and cached for every encoder and baseline evaluated on them. */
public record ProbeData(JavaRDD<ImageRecord> train, JavaRDD<ImageRecord> test, ImageSource source)
        implements AutoCloseable {

    /** The probe's splits ({@code probe.train-limit}, {@code probe.test-limit}). */
    public static ProbeData load(SparkSession spark, EsslConfig conf) {
        return load(JavaSparkContext.fromSparkContext(spark.sparkContext()), conf, conf.probe().trainLimit(),
                conf.probe().testLimit());
    }

    /** The first {@code trainLimit} / {@code testLimit} images of each split (0 = all). */
    public static ProbeData load(JavaSparkContext sc, EsslConfig conf, int trainLimit, int testLimit) {
        ImageSource source = ImageSource.of(conf.data());
        int size = conf.augment().viewSize();
        JavaRDD<ImageRecord> train = evaluationView(source.load(sc, ImageSource.Split.TRAIN, trainLimit), size);
        JavaRDD<ImageRecord> test = evaluationView(source.load(sc, ImageSource.Split.TEST, testLimit), size);
        return new ProbeData(train.persist(StorageLevel.MEMORY_ONLY()), test.persist(StorageLevel.MEMORY_ONLY()), source);
    }

    /**
     * What the encoder sees of each image when it is evaluated (probe, embed): images of other sizes (image
     * files, shards) their centre crop at {@code viewSize} (augment.view-size); with 0, the images as they are,
     * at the encoder's size, decoded once here for every encoder and baseline.
     */
    public static JavaRDD<ImageRecord> evaluationView(JavaRDD<ImageRecord> images, int viewSize) {
        return viewSize > 0 ? images.map(r -> CentreCrop.of(r, viewSize)) : images.map(r -> r.decode(1));
    }

    /** Normalised pixels as features: the raw-pixel baseline. */
    public static Dataset<Row> pixels(SparkSession spark, JavaRDD<ImageRecord> images, double[] mean, double[] std) {
        JavaRDD<Row> rows = images.map(r -> {
            double[] f = new double[r.pixels().length];
            int plane = r.height() * r.width();
            for (int i = 0; i < f.length; i++) {
                int c = i / plane;
                f[i] = ((r.pixels()[i] & 0xff) / 255.0 - mean[c]) / std[c];
            }
            return RowFactory.create(r.id(), (double) r.label(), Vectors.dense(f));
        });
        return spark.createDataFrame(rows, FeatureExtractor.SCHEMA);
    }

    @Override
    public void close() {
        train.unpersist(false);
        test.unpersist(false);
    }
}
