package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.report.Report;
import io.essl.retrieval.Neighbours;
import io.essl.spark.SparkContexts;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code essl neighbours}: the k nearest neighbours by cosine similarity of embeddings in Parquet (the probe's
 * --export-embeddings: id and features), approximate with MLlib's LSH or exact; --check-recall measures the
 * approximation against the exact result in the same job.
 */
@Command(name = "neighbours", mixinStandardHelpOptions = true,
        description = "k nearest neighbours by cosine similarity of Parquet embeddings (LSH, or --exact), as Parquet.")
public class NeighboursCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--embeddings", required = true, description = "Parquet with id and features (array of floats): the corpus.")
    String embeddings;

    @Option(names = "--queries", description = "Parquet of the query embeddings (default: the corpus itself).")
    String queries;

    @Option(names = "--query-limit", defaultValue = "0", description = "Only the first N queries by id (0: all) (default: ${DEFAULT-VALUE}).")
    int queryLimit;

    @Option(names = "--k", defaultValue = "10", description = "Neighbours per query (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--exact", description = "Exact search (the corpus broadcast to every task) instead of LSH.")
    boolean exact;

    @Option(names = "--check-recall", description = "Also run the exact search and report LSH's recall at k.")
    boolean checkRecall;

    @Option(names = "--bucket-length", defaultValue = "0.7", description = "LSH bucket length on unit vectors (default: ${DEFAULT-VALUE}).")
    double bucketLength;

    @Option(names = "--tables", defaultValue = "8", description = "LSH hash tables (default: ${DEFAULT-VALUE}).")
    int tables;

    @Option(names = "--max-distance", defaultValue = "1.0", description = "Largest Euclidean distance of unit vectors a candidate "
            + "may have, 1.0 = cosine 0.5 (default: ${DEFAULT-VALUE}).")
    double maxDistance;

    @Option(names = "--output", description = "Parquet of query_id, neighbour_id, similarity, rank (replaced).")
    String output;

    @Option(names = "--duplicates", paramLabel = "S", description = "Also the near-duplicate pairs of the corpus: cosine "
            + "similarity >= S (e.g. 0.98), by the LSH self-join, to --duplicates-output.")
    Double duplicates;

    @Option(names = "--duplicates-output", description = "Parquet of id_a, id_b, similarity (replaced).")
    String duplicatesOutput;

    @Override
    public Integer call() {
        if (k < 1 || queryLimit < 0 || bucketLength <= 0 || tables < 1 || maxDistance <= 0 || maxDistance > 2) {
            throw new ConfigError("neighbours: needs --k >= 1, --query-limit >= 0, --bucket-length > 0, --tables >= 1, "
                    + "0 < --max-distance <= 2");
        }
        if (exact && checkRecall) throw new ConfigError("neighbours: --check-recall compares LSH with --exact; give one of them");
        if (duplicates != null && (duplicates <= -1 || duplicates > 1 || duplicatesOutput == null)) {
            throw new ConfigError("neighbours: --duplicates S needs -1 < S <= 1 and --duplicates-output");
        }
        EsslConfig conf = ConfigLoader.load(common.config, common.overrides);
        Map<String, Object> json = new LinkedHashMap<>();
        try (SparkSession spark = SparkContexts.start(conf.spark())) {
            Dataset<Row> corpus = Neighbours.unitVectors(spark.read().parquet(embeddings)).persist(StorageLevel.MEMORY_AND_DISK());
            Dataset<Row> q = queries == null ? corpus : Neighbours.unitVectors(spark.read().parquet(queries));
            if (queryLimit > 0) q = q.orderBy("id").limit(queryLimit);
            q = q.persist(StorageLevel.MEMORY_AND_DISK());
            json.put("k", k);
            json.put("mode", exact ? "exact" : "lsh");
            json.put("corpus", corpus.count());
            json.put("queries", q.count());
            long start = System.nanoTime();
            Dataset<Row> result = exact ? Neighbours.exact(spark, q, corpus, k)
                    : Neighbours.approximate(q, corpus, k, new Neighbours.Lsh(bucketLength, tables, maxDistance), conf.seed());
            result = result.persist(StorageLevel.MEMORY_AND_DISK());
            json.put("neighbours", result.count());
            json.put("seconds", (System.nanoTime() - start) / 1e9);
            if (!exact) json.put("lsh", Map.of("bucket_length", bucketLength, "tables", tables, "max_distance", maxDistance));
            if (checkRecall) {
                long t = System.nanoTime();
                Dataset<Row> truth = Neighbours.exact(spark, q, corpus, k).persist(StorageLevel.MEMORY_AND_DISK());
                truth.count();
                json.put("exact_seconds", (System.nanoTime() - t) / 1e9);
                json.put("recall_at_k", Neighbours.recall(result, truth));
            }
            if (output != null) result.write().mode(SaveMode.Overwrite).parquet(output);
            if (output != null) json.put("output", output);
            if (duplicates != null) {
                Neighbours.duplicates(corpus, duplicates, new Neighbours.Lsh(bucketLength, tables, maxDistance), conf.seed())
                        .write().mode(SaveMode.Overwrite).parquet(duplicatesOutput);
                json.put("duplicates", Map.of("min_similarity", duplicates, "pairs", spark.read().parquet(duplicatesOutput).count(),
                        "output", duplicatesOutput));
            }
        }
        if (common.report != null) {
            try {
                Report.write(json, conf, common.report);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        System.out.println(Report.line(json));
        return Main.OK;
    }
}
