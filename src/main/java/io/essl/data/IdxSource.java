package io.essl.data;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.SerializableConfiguration;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A split (train or test) of an IDX data set as an RDD. The driver reads only the headers and labels; each task
 * reads its own range of images straight from the file (local, HDFS or S3A), so no pixels go through the driver.
 */
public final class IdxSource implements ImageSource {

    private final EsslConfig.Data conf;

    public IdxSource(EsslConfig.Data conf) {
        this.conf = conf;
    }

    public String imagesPath(Split split) {
        return conf.path(split == Split.TRAIN ? conf.trainImages() : conf.testImages());
    }

    public String labelsPath(Split split) {
        return conf.path(split == Split.TRAIN ? conf.trainLabels() : conf.testLabels());
    }

    /** Fails fast (before Spark starts) with one line per missing file. */
    @Override
    public void checkExists(Configuration hadoop) {
        for (Split s : Split.values()) {
            for (String p : List.of(imagesPath(s), labelsPath(s))) {
                try {
                    Path path = new Path(p);
                    if (!path.getFileSystem(hadoop).exists(path)) {
                        throw new ConfigError("data file not found: " + p + missingHint());
                    }
                } catch (IOException e) {
                    throw new ConfigError("cannot access data file " + p + ": " + e.getMessage());
                }
            }
        }
    }

    private String missingHint() {
        return conf.dir().startsWith("/usr/share/datasets/fashion-mnist")
                ? " (install it with: sudo apt-get install -y dataset-fashion-mnist)" : "";
    }

    /**
     * The first {@code limit} images of a split (0 = all), read by {@code data.partitions} tasks (0 = Spark's
     * default parallelism).
     */
    @Override
    public JavaRDD<ImageRecord> load(JavaSparkContext sc, Split split, int limit) {
        String images = imagesPath(split);
        int[] labels = readLabels(sc.hadoopConfiguration(), labelsPath(split));
        int n = limit > 0 ? Math.min(limit, labels.length) : labels.length;
        int partitions = conf.partitions() > 0 ? conf.partitions() : sc.defaultParallelism();
        int p = Math.max(1, Math.min(partitions, n));
        List<int[]> ranges = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            ranges.add(new int[]{(int) ((long) n * i / p), (int) ((long) n * (i + 1) / p)});
        }
        SerializableConfiguration hadoop = new SerializableConfiguration(sc.hadoopConfiguration());
        boolean rgb = conf.toRgb();
        return sc.parallelize(ranges, p).flatMap(r -> {
            try (InputStream in = open(hadoop.value(), images)) {
                ImageRecord[] read = IdxReader.readImages(in, images, labels, r[0], r[1]);
                if (rgb) for (int i = 0; i < read.length; i++) read[i] = read[i].toRgb();
                return Arrays.asList(read).iterator();
            }
        });
    }

    public static int[] readLabels(Configuration hadoop, String path) {
        try (InputStream in = open(hadoop, path)) {
            return IdxReader.readLabels(in, path);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    static InputStream open(Configuration hadoop, String path) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(hadoop);
        return new DataInputStream(fs.open(p, 1 << 16));
    }
}
