package io.essl.probe;

import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.List;

/**
 * A frozen encoder run over a data set's images in Spark tasks (the probe's evaluation view and features, so an
 * image has the same embedding here as in the probe), written as Parquet: id, path (where the image came from),
 * split, label, the embedding as an array of floats and as an MLlib vector, and which model made it. Overwrite
 * mode through Spark's commit protocol: a rerun replaces a half-written output.
 */
public final class Embeddings {
    /** Which model made the embeddings: its path, its config hash and the code's commit (from its provenance). */
    public record Source(String modelPath, String configSha256, String gitCommit) {
    }

    /**
     * One split of the output: its name, its images at the probe's evaluation view ({@link ProbeData}), and
     * where each came from by id ({@link io.essl.data.ImageSource#keys}): records carry no path, so it is joined.
     */
    public record Part(String split, JavaRDD<ImageRecord> images, JavaPairRDD<Long, String> keys) {
    }

    /** What was written: rows and the embedding's size. */
    public record Written(long rows, int size) {
    }

    private static final StructType KEYS = new StructType()
            .add("id", DataTypes.LongType, false).add("path", DataTypes.StringType, false);

    private Embeddings() {
    }

    /** Writes the embeddings of the parts, one after the other. */
    public static Written write(SparkSession spark, EsslConfig conf, List<Part> parts, ComputationGraph encoder,
                                Source source, String output) throws java.io.IOException {
        Broadcast<byte[]> model = FeatureExtractor.broadcast(spark, encoder);
        try {
            Dataset<Row> all = null;
            for (Part part : parts) {
                Dataset<Row> features = FeatureExtractor.extract(spark, part.images(), model, conf.data().mean(),
                        conf.data().std(), conf.probe().batchSize());
                Dataset<Row> keys = spark.createDataFrame(part.keys().map(k -> RowFactory.create(k._1(), k._2())), KEYS);
                // A left join, so that an image without a key (its folder changed during the run) fails the check
                // below rather than vanishing from the output.
                Dataset<Row> rows = features.join(keys, "id", "left").withColumn("split", functions.lit(part.split()));
                all = all == null ? rows : all.unionByName(rows);
            }
            var label = functions.col("label");
            all.select(functions.col("id"), functions.col("path"), functions.col("split"),
                            // -1 is no label (a flat folder's images): null, so that it is never read as a class
                            functions.when(label.geq(0), label.cast("int")).as("label"),
                            org.apache.spark.ml.functions.vector_to_array(functions.col("features"), "float32").as("embedding"),
                            functions.col("features"),
                            functions.lit(source.modelPath()).as("model_path"),
                            functions.lit(source.configSha256()).as("model_config_sha256"),
                            functions.lit(source.gitCommit()).as("model_commit"))
                    .write().mode(SaveMode.Overwrite).parquet(output);
            Dataset<Row> back = spark.read().parquet(output);
            long rows = back.count();
            long unkeyed = back.where(functions.col("path").isNull()).count();
            if (unkeyed > 0) {
                throw new IllegalStateException(unkeyed + " embeddings in " + output + " have no path: the data changed "
                        + "while it was read (their ids were listed differently twice)");
            }
            return new Written(rows, rows == 0 ? 0 : back.select("embedding").first().getList(0).size());
        } finally {
            model.destroy();
        }
    }
}
