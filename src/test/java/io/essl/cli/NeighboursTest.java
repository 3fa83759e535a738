package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/essl neighbours on a toy set: exact search against brute force, LSH's recall against exact, the report. */
class NeighboursTest {
    private static final int N = 400, DIM = 16, K = 5;

    @Test
    void exactMatchesBruteForceAndLshRecallsMostNeighbours(@TempDir File tmp) throws Exception {
        // 20 clusters of 20 points on the sphere: a neighbourhood structure LSH can find
        Random rnd = new Random(3);
        float[][] v = new float[N][DIM];
        double[][] centres = new double[20][DIM];
        for (double[] c : centres) for (int j = 0; j < DIM; j++) c[j] = rnd.nextGaussian();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            List<Float> f = new ArrayList<>();
            for (int j = 0; j < DIM; j++) {
                v[i][j] = (float) (centres[i % 20][j] + 0.3 * rnd.nextGaussian());
                f.add(v[i][j]);
            }
            rows.add(RowFactory.create((long) i, f));
        }
        String emb = new File(tmp, "emb").getPath();
        try (SparkSession spark = SparkSession.builder().master("local[2]").appName("toy").getOrCreate()) {
            StructType schema = new StructType().add("id", DataTypes.LongType)
                    .add("features", DataTypes.createArrayType(DataTypes.FloatType, false));
            spark.createDataFrame(rows, schema).write().parquet(emb);
        }
        String master = "spark.master=\"local[2]\"", shuffle = "spark.conf.\"spark.sql.shuffle.partitions\"=4";
        File exactOut = new File(tmp, "exact"), report = new File(tmp, "lsh.json");
        assertEquals(Main.OK, Main.run("neighbours", "--embeddings", emb, "--k", "" + K, "--exact", "--output", exactOut.getPath(),
                "--set", master, "--set", shuffle));
        try (SparkSession spark = SparkSession.builder().master("local[1]").appName("read").getOrCreate()) {
            List<Row> got = spark.read().parquet(exactOut.getPath()).filter("query_id = 17").orderBy("rank").collectAsList();
            List<Integer> want = bruteForce(v, 17);
            assertEquals(K, got.size());
            for (int r = 0; r < K; r++) {
                assertEquals((long) want.get(r), got.get(r).getLong(1), "rank " + (r + 1));
                assertEquals(cosine(v[17], v[want.get(r)]), got.get(r).getDouble(2), 1e-5);
            }
            assertEquals(N * K, spark.read().parquet(exactOut.getPath()).count());
        }
        assertEquals(Main.OK, Main.run("neighbours", "--embeddings", emb, "--k", "" + K, "--check-recall", "--report",
                report.getPath(), "--set", master, "--set", shuffle));
        JsonNode r = new ObjectMapper().readTree(report);
        assertEquals("lsh", r.get("mode").asText());
        assertEquals(N, r.get("queries").asInt());
        assertTrue(r.get("recall_at_k").isNumber() && r.get("recall_at_k").asDouble() > 0.9, r.toString());
        assertTrue(r.get("exact_seconds").isNumber());
        assertEquals(Main.BAD_INPUT, Main.run("neighbours", "--embeddings", emb, "--k", "0"));

        // near duplicates: every pair above the similarity, once each, as brute force finds them
        File dupOut = new File(tmp, "dups"), dupReport = new File(tmp, "dups.json");
        assertEquals(Main.OK, Main.run("neighbours", "--embeddings", emb, "--exact", "--query-limit", "1", "--duplicates", "0.97",
                "--duplicates-output", dupOut.getPath(), "--report", dupReport.getPath(), "--set", master, "--set", shuffle));
        long want = 0;
        for (int a = 0; a < N; a++) for (int b = a + 1; b < N; b++) if (cosine(v[a], v[b]) >= 0.97) want++;
        assertTrue(want > 0, "the toy set has near duplicates");
        long got = new ObjectMapper().readTree(dupReport).at("/duplicates/pairs").asLong();
        assertTrue(got <= want && got >= 0.9 * want, got + " of " + want + " pairs");
    }

    private static List<Integer> bruteForce(float[][] v, int q) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < v.length; i++) if (i != q) ids.add(i);
        ids.sort(Comparator.comparingDouble(i -> -cosine(v[q], v[i])));
        return ids.subList(0, K);
    }

    private static double cosine(float[] a, float[] b) {
        double d = 0, na = 0, nb = 0;
        for (int j = 0; j < a.length; j++) {
            d += a[j] * b[j];
            na += a[j] * a[j];
            nb += b[j] * b[j];
        }
        return d / Math.sqrt(na * nb);
    }
}
