package io.essl.probe;

import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

/**
 * A picture of the embedding space: the first two principal components of the training features (Spark MLlib's
 * PCA; no t-SNE or UMAP library of the JVM is both maintained and in our dependencies), a sample of the test
 * features projected on them, with their labels.
 */
public final class EmbeddingMap {
    /** Test points drawn on a map: enough to see the classes, few enough to see each dot. */
    public static final int POINTS = 3000;

    public record Points(double[][] xy, int[] labels) {
    }

    private EmbeddingMap() {
    }

    /** Rows with {@code features} (a vector) and {@code label} (a double); PCA fitted on {@code train}. */
    public static Points of(Dataset<Row> train, Dataset<Row> test, int points, long seed) {
        PCAModel pca = new PCA().setK(2).setInputCol("features").setOutputCol("pc").fit(train);
        long n = test.count();
        Dataset<Row> sample = n <= points ? test : test.sample(false, Math.min(1.0, 1.2 * points / n), seed).limit(points);
        List<Row> rows = pca.transform(sample).select("label", "pc").collectAsList();
        double[][] xy = new double[rows.size()][];
        int[] labels = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            labels[i] = (int) rows.get(i).getDouble(0);
            xy[i] = ((Vector) rows.get(i).get(1)).toArray();
        }
        return new Points(xy, labels);
    }

    /**
     * The map of written embeddings (embed's Parquet): PCA fitted on all of them, a sample drawn; an image without
     * a label (a flat folder) is drawn as class {@code unlabelled}, the last one.
     */
    public static Points ofEmbeddings(Dataset<Row> written, int classes, long seed) {
        Dataset<Row> rows = written.select(org.apache.spark.sql.functions.col("features"),
                org.apache.spark.sql.functions.coalesce(org.apache.spark.sql.functions.col("label"),
                        org.apache.spark.sql.functions.lit(classes)).cast("double").as("label"));
        return of(rows, rows, POINTS, seed);
    }
}
