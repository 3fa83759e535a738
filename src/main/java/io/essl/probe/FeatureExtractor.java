package io.essl.probe;

import io.essl.augment.FloatImage;
import io.essl.data.ImageRecord;
import io.essl.model.ModelFile;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Frozen-encoder features inside Spark tasks: the encoder is broadcast once, each task restores it and runs
 * batched inference in evaluation mode (BatchNorm running statistics) on the un-augmented, normalised images.
 */
public final class FeatureExtractor {
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.LongType).add("label", DataTypes.DoubleType).add("features", new VectorUDT());

    private FeatureExtractor() {
    }

    public static Dataset<Row> extract(SparkSession spark, JavaRDD<ImageRecord> images, ComputationGraph encoder,
                                       double[] mean, double[] std, int batchSize) throws java.io.IOException {
        return extract(spark, images, broadcast(spark, encoder), mean, std, batchSize);
    }

    public static Broadcast<byte[]> broadcast(SparkSession spark, ComputationGraph encoder) throws java.io.IOException {
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(ModelFile.toBytes(encoder));
    }

    /** Which image the encoder sees: the whole image, or an augmented view (paper protocol). */
    public interface View extends java.io.Serializable {
        FloatImage of(ImageRecord r);
    }

    public static Dataset<Row> extract(SparkSession spark, JavaRDD<ImageRecord> images, Broadcast<byte[]> model,
                                       double[] mean, double[] std, int batchSize) {
        return extract(spark, images, model, FloatImage::of, mean, std, batchSize);
    }

    /** Features of images under a model already broadcast (the paper protocol re-extracts every epoch). */
    public static Dataset<Row> extract(SparkSession spark, JavaRDD<ImageRecord> images, Broadcast<byte[]> model,
                                       View view, double[] mean, double[] std, int batchSize) {
        JavaRDD<Row> rows = images.mapPartitions(it -> features(it, model.value(), view, mean, std, batchSize));
        return spark.createDataFrame(rows, SCHEMA);
    }

    private static Iterator<Row> features(Iterator<ImageRecord> it, byte[] modelBytes, View view, double[] mean,
                                          double[] std, int batchSize) throws java.io.IOException {
        if (!it.hasNext()) return java.util.Collections.emptyIterator();
        ComputationGraph enc = ModelFile.fromBytes(modelBytes);
        List<Row> out = new ArrayList<>();
        List<ImageRecord> batch = new ArrayList<>(batchSize);
        while (it.hasNext()) {
            batch.add(it.next());
            if (batch.size() == batchSize || !it.hasNext()) {
                INDArray f = enc.output(false, normalised(batch.stream().map(view::of).toList(), mean, std))[0];
                for (int i = 0; i < batch.size(); i++) {
                    ImageRecord r = batch.get(i);
                    out.add(RowFactory.create(r.id(), (double) r.label(), Vectors.dense(f.getRow(i).toDoubleVector())));
                }
                batch.clear();
            }
        }
        return out.iterator();
    }

    /** The encoder's input for a batch of images: per channel (x - mean) / std, NCHW (the export's sidecar says so too). */
    public static INDArray normalised(List<FloatImage> batch, double[] mean, double[] std) {
        return io.essl.augment.Normalisation.batch(batch, mean, std);
    }
}
