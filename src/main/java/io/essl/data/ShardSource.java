package io.essl.data;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import scala.Tuple2;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A split ingested by {@link Ingest}: Parquet shards in dir/split, their images decoded in tasks when used. The
 * shards hold only good images; the files skipped at ingest, and the good ones with warnings, are reported from the
 * manifest.
 */
public final class ShardSource implements ImageSource {
    private final EsslConfig.Data conf;
    /** The manifests of the splits loaded, by folder: a split loaded twice (data.validation) counts once. */
    private final Map<String, Map<String, Object>> manifests = new TreeMap<>();

    public ShardSource(EsslConfig.Data conf) {
        this.conf = conf;
    }

    /**
     * Both splits ingested (their manifests), numbering the same classes, and images of two classes at least in
     * the training split (a split ingested with --classes-from lists every class, with 0 images for some).
     */
    @Override
    @SuppressWarnings("unchecked")
    public void checkExists(Configuration hadoop) {
        Object[] classes = new Object[2];
        Map<String, Number> trainPerClass = Map.of();
        for (int i = 0; i < 2; i++) {
            try {
                Map<String, Object> manifest = Ingest.readManifest(hadoop, conf.splitPath(i == 0));
                classes[i] = manifest.get("classes");
                if (i == 0) trainPerClass = (Map<String, Number>) manifest.get("per_class");
            } catch (IOException e) {
                throw new ConfigError("data.format = parquet: " + e.getMessage() + " (run: essl ingest)");
            }
        }
        // Labels are class indices: both splits must number the same classes the same way.
        if (!classes[0].equals(classes[1])) {
            throw new ConfigError("data.format = parquet: the classes of " + conf.splitPath(false) + " are not those of "
                    + conf.splitPath(true) + " (ingest it again with --classes-from " + conf.splitPath(true) + ")");
        }
        java.util.List<String> withImages = new java.util.ArrayList<>();
        trainPerClass.forEach((c, n) -> {
            if (n.longValue() > 0) withImages.add(c);
        });
        ImageSource.requireTwoClasses("data.format = parquet: " + conf.splitPath(true) + " (by its manifest)", withImages);
    }

    /**
     * The source path ingest recorded in each row (the original file); for shards without one, the shard file
     * and the row's index in it ({@code <shard>#<row>}).
     */
    @Override
    public JavaPairRDD<Long, String> keys(JavaSparkContext sc, Split split) {
        var rows = SparkSession.builder().sparkContext(sc.sc()).getOrCreate().read()
                .parquet(conf.splitPath(split == Split.TRAIN));
        Column key = java.util.Arrays.asList(rows.columns()).contains("path") ? rows.col("path")
                : functions.concat_ws("#", rows.col("_metadata.file_path"), rows.col("_metadata.row_index"));
        return rows.select(rows.col("id"), key).javaRDD().mapToPair((Row r) -> new Tuple2<>(r.getLong(0), r.getString(1)));
    }

    @Override
    public JavaRDD<ImageRecord> load(JavaSparkContext sc, Split split, int limit) {
        String dir = conf.splitPath(split == Split.TRAIN);
        try {
            manifests.put(dir, Ingest.readManifest(sc.hadoopConfiguration(), dir));
        } catch (IOException e) {
            throw new ConfigError("data.format = parquet: " + e.getMessage());
        }
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        var rows = spark.read().parquet(dir).select("id", "label", "height", "width", "bytes");
        if (limit > 0) rows = rows.where("id < " + limit);
        if (conf.partitions() > 0) rows = rows.repartition(conf.partitions());
        int channels = conf.channels();
        // Checked at ingest: kept encoded, decoded on use at the size the use needs.
        return rows.javaRDD().map((Row r) -> ImageRecord.encoded(r.getLong(0), r.getInt(1), channels, r.getInt(2),
                r.getInt(3), r.getAs("bytes")));
    }

    @Override
    public Map<String, Integer> skipped() {
        return counts("skipped");
    }

    @Override
    public Map<String, Integer> warnings() {
        return counts("warnings");
    }

    /** A count by reason summed over the loaded splits' manifests (absent in a manifest: none). */
    @SuppressWarnings("unchecked")
    private Map<String, Integer> counts(String key) {
        Map<String, Integer> sum = new TreeMap<>();
        for (Map<String, Object> m : manifests.values()) {
            Map<String, Number> c = (Map<String, Number>) m.getOrDefault(key, Map.of());
            c.forEach((k, v) -> sum.merge(k, v.intValue(), Integer::sum));
        }
        return sum;
    }
}
