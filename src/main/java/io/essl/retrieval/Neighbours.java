package io.essl.retrieval;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.feature.BucketedRandomProjectionLSH;
import org.apache.spark.ml.feature.BucketedRandomProjectionLSHModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Nearest neighbours of embeddings by cosine similarity: exact (the corpus broadcast, every query scored against
 * all of it in tasks) or approximate with Spark MLlib's bucketed random projection LSH on unit vectors, whose
 * Euclidean distance d and cosine similarity s are one: s = 1 - d^2 / 2. A query is never its own neighbour.
 */
public final class Neighbours {
    /** Rows of the result: query, neighbour, cosine similarity, rank 1..k. */
    public static final StructType SCHEMA = new StructType().add("query_id", DataTypes.LongType)
            .add("neighbour_id", DataTypes.LongType).add("similarity", DataTypes.DoubleType).add("rank", DataTypes.IntegerType);

    /** The LSH settings: bucket length and hash tables (MLlib's), and the largest distance a candidate may have. */
    public record Lsh(double bucketLength, int tables, double maxDistance) {
    }

    private Neighbours() {
    }

    /** id and the unit vector of each row of an embeddings table (id, features or embedding as array<float>). */
    public static Dataset<Row> unitVectors(Dataset<Row> embeddings) {
        String column = List.of(embeddings.columns()).contains("embedding") ? "embedding" : "features";
        JavaRDD<Row> rows = embeddings.select("id", column).javaRDD().map(r -> {
            List<Float> f = r.getList(1);
            double[] v = new double[f.size()];
            double norm = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = f.get(i);
                norm += v[i] * v[i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < v.length; i++) v[i] = norm > 0 ? v[i] / norm : 0;
            return RowFactory.create(r.getLong(0), Vectors.dense(v));
        });
        StructType schema = new StructType().add("id", DataTypes.LongType).add("v", new VectorUDT());
        return embeddings.sparkSession().createDataFrame(rows, schema);
    }

    /** The exact k nearest corpus rows of every query (both as unit vectors). */
    public static Dataset<Row> exact(SparkSession spark, Dataset<Row> queries, Dataset<Row> corpus, int k) {
        List<Row> all = corpus.collectAsList();
        long[] ids = new long[all.size()];
        double[][] vectors = new double[all.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = all.get(i).getLong(0);
            vectors[i] = ((Vector) all.get(i).get(1)).toArray();
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<long[]> bIds = sc.broadcast(ids);
        Broadcast<double[][]> bVectors = sc.broadcast(vectors);
        JavaRDD<Row> rows = queries.javaRDD().flatMap(q -> topK(q.getLong(0), ((Vector) q.get(1)).toArray(),
                bIds.value(), bVectors.value(), k).iterator());
        return spark.createDataFrame(rows, SCHEMA);
    }

    /** One query's k best by cosine (vectors are unit length: the dot product), with a bounded min-heap. */
    static List<Row> topK(long queryId, double[] q, long[] ids, double[][] vectors, int k) {
        PriorityQueue<double[]> heap = new PriorityQueue<>(k + 1, (a, b) -> Double.compare(a[0], b[0]));
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == queryId) continue;
            double s = 0;
            double[] v = vectors[i];
            for (int j = 0; j < q.length; j++) s += q[j] * v[j];
            if (heap.size() < k) heap.add(new double[]{s, i});
            else if (s > heap.peek()[0]) {
                heap.poll();
                heap.add(new double[]{s, i});
            }
        }
        List<double[]> best = new ArrayList<>(heap);
        best.sort((a, b) -> Double.compare(b[0], a[0]));
        List<Row> out = new ArrayList<>(best.size());
        for (int r = 0; r < best.size(); r++) {
            out.add(RowFactory.create(queryId, ids[(int) best.get(r)[1]], best.get(r)[0], r + 1));
        }
        return out;
    }

    /**
     * The approximate k nearest: MLlib's LSH similarity join of the queries with the corpus up to maxDistance,
     * then the k closest candidates of each query. A query with fewer candidates gets fewer neighbours.
     */
    public static Dataset<Row> approximate(Dataset<Row> queries, Dataset<Row> corpus, int k, Lsh lsh, long seed) {
        BucketedRandomProjectionLSHModel model = new BucketedRandomProjectionLSH().setInputCol("v").setOutputCol("hashes")
                .setBucketLength(lsh.bucketLength()).setNumHashTables(lsh.tables()).setSeed(seed).fit(corpus);
        Dataset<Row> pairs = model.approxSimilarityJoin(queries, corpus, lsh.maxDistance(), "distance")
                .select(functions.col("datasetA.id").as("query_id"), functions.col("datasetB.id").as("neighbour_id"),
                        functions.col("distance"))
                .filter(functions.col("query_id").notEqual(functions.col("neighbour_id")));
        return pairs.withColumn("similarity", functions.lit(1.0).minus(functions.pow(functions.col("distance"), 2).divide(2)))
                .withColumn("rank", functions.row_number().over(Window.partitionBy("query_id").orderBy(functions.col("distance"))))
                .filter(functions.col("rank").leq(k))
                .select("query_id", "neighbour_id", "similarity", "rank");
    }

    /**
     * Near-duplicate pairs: every pair of corpus rows with cosine similarity at least {@code minSimilarity} (unit
     * vectors: Euclidean distance at most sqrt(2 - 2 s)), each pair once (id_a < id_b), found by the LSH similarity
     * self-join; the pairs LSH misses are missed.
     */
    public static Dataset<Row> duplicates(Dataset<Row> corpus, double minSimilarity, Lsh lsh, long seed) {
        BucketedRandomProjectionLSHModel model = new BucketedRandomProjectionLSH().setInputCol("v").setOutputCol("hashes")
                .setBucketLength(lsh.bucketLength()).setNumHashTables(lsh.tables()).setSeed(seed).fit(corpus);
        return model.approxSimilarityJoin(corpus, corpus, Math.sqrt(Math.max(0, 2 - 2 * minSimilarity)), "distance")
                .select(functions.col("datasetA.id").as("id_a"), functions.col("datasetB.id").as("id_b"),
                        functions.lit(1.0).minus(functions.pow(functions.col("distance"), 2).divide(2)).as("similarity"))
                .filter(functions.col("id_a").lt(functions.col("id_b")));
    }

    /** Recall at k of an approximate result against the exact one: the exact neighbours found, over all of them. */
    public static double recall(Dataset<Row> approximate, Dataset<Row> exact) {
        long found = exact.join(approximate, exact.col("query_id").equalTo(approximate.col("query_id"))
                .and(exact.col("neighbour_id").equalTo(approximate.col("neighbour_id")))).count();
        return (double) found / exact.count();
    }
}
