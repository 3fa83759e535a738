package io.essl.probe;

import io.essl.config.EsslConfig;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.List;

/**
 * A frozen encoder run over a data set's images in Spark tasks (the probe's centre view and features, so an image
 * has the same embedding here as in the probe), written as Parquet: id, split, label, the embedding as an array of
 * floats and as an MLlib vector, and which model made it. Overwrite mode through Spark's commit protocol: a rerun
 * replaces a half-written output.
 */
public final class Embeddings {
    /** Which model made the embeddings: its path, its config hash and the code's commit (from its provenance). */
    public record Source(String modelPath, String configSha256, String gitCommit) {
    }

    /** What was written: rows and the embedding's size. */
    public record Written(long rows, int size) {
    }

    private Embeddings() {
    }

    /** Writes the embeddings of the chosen splits ("train", "test" or both). */
    public static Written write(SparkSession spark, EsslConfig conf, ProbeData data, ComputationGraph encoder, List<String> splits,
                             Source source, String output) throws java.io.IOException {
        Broadcast<byte[]> model = FeatureExtractor.broadcast(spark, encoder);
        try {
            List<Dataset<Row>> parts = new ArrayList<>();
            for (String split : splits) {
                var images = split.equals("train") ? data.train() : data.test();
                parts.add(FeatureExtractor.extract(spark, images, model, conf.data().mean(), conf.data().std(),
                        conf.probe().batchSize()).withColumn("split", functions.lit(split)));
            }
            Dataset<Row> all = parts.get(0);
            for (int i = 1; i < parts.size(); i++) all = all.unionByName(parts.get(i));
            all.select(functions.col("id"), functions.col("split"), functions.col("label").cast("int").as("label"),
                            org.apache.spark.ml.functions.vector_to_array(functions.col("features"), "float32").as("embedding"),
                            functions.col("features"),
                            functions.lit(source.modelPath()).as("model_path"),
                            functions.lit(source.configSha256()).as("model_config_sha256"),
                            functions.lit(source.gitCommit()).as("model_commit"))
                    .write().mode(SaveMode.Overwrite).parquet(output);
            Dataset<Row> back = spark.read().parquet(output);
            long rows = back.count();
            return new Written(rows, rows == 0 ? 0 : back.select("embedding").first().getList(0).size());
        } finally {
            model.destroy();
        }
    }
}
