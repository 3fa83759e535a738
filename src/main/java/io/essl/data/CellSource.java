package io.essl.data;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import io.essl.photonics.RandomCells;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.io.IOException;
import java.util.List;

/**
 * Photonic-crystal unit cells written by {@code essl photonics generate} (data.format = cells): Parquet in
 * dir/train-split and dir/test-split with {@code id} and {@code eps} (the 32 x 32 permittivity map, row-major), read
 * in tasks as one-channel 8-bit images, pixel = round(255 (eps - 1) / (eps_max - 1)) with eps in [1, 20] (the
 * reference's normalisation; a two-tone cell keeps its two tones, its permittivity to 0.04). Cells have no class:
 * label -1. Their regression targets are read by the photonics fine-tuning, not here.
 */
public final class CellSource implements ImageSource {
    private final EsslConfig.Data conf;

    public CellSource(EsslConfig.Data conf) {
        this.conf = conf;
    }

    /** The training split's Parquet, at least (the test split is only read by what needs it). */
    @Override
    public void checkExists(Configuration hadoop) {
        String dir = conf.splitPath(true);
        try {
            Path p = new Path(dir);
            if (!p.getFileSystem(hadoop).exists(p)) {
                throw new ConfigError("data.format = cells: " + dir + " does not exist (run: essl photonics generate --output " + dir + ")");
            }
        } catch (IOException e) {
            throw new ConfigError("data.format = cells: cannot read " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public JavaRDD<ImageRecord> load(JavaSparkContext sc, Split split, int limit) {
        Dataset<Row> rows = rows(sc, split).select("id", "eps");
        if (limit > 0) rows = rows.orderBy("id").limit(limit);
        if (conf.partitions() > 0) rows = rows.repartition(conf.partitions());
        return rows.javaRDD().map((Row r) -> record(r.getLong(0), r.getList(1), -1));
    }

    @Override
    public JavaPairRDD<Long, String> keys(JavaSparkContext sc, Split split) {
        String dir = conf.splitPath(split == Split.TRAIN);
        return rows(sc, split).select("id").javaRDD().mapToPair((Row r) -> new Tuple2<>(r.getLong(0), dir + "#" + r.getLong(0)));
    }

    private Dataset<Row> rows(JavaSparkContext sc, Split split) {
        return SparkSession.builder().sparkContext(sc.sc()).getOrCreate().read().parquet(conf.splitPath(split == Split.TRAIN));
    }

    private static ImageRecord record(long id, List<Float> eps, int label) {
        return record(id, floats(eps), label);
    }

    /** A Parquet array column of the generator (eps, dos, target) as the float[] it was written from. */
    public static float[] floats(List<?> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) f[i] = ((Number) values.get(i)).floatValue();
        return f;
    }

    /** A cell's eps map as the one-channel 8-bit image the encoders see. */
    public static ImageRecord record(long id, float[] eps, int label) {
        int side = (int) Math.round(Math.sqrt(eps.length));
        if (side * side != eps.length) throw new IllegalArgumentException("cell " + id + ": " + eps.length + " values are not a square map");
        byte[] px = new byte[eps.length];
        for (int i = 0; i < px.length; i++) {
            double v = (eps[i] - 1) / (RandomCells.EPS_MAX - 1);
            px[i] = (byte) Math.round(255 * Math.max(0, Math.min(1, v)));
        }
        return new ImageRecord(id, label, 1, side, side, px);
    }
}
