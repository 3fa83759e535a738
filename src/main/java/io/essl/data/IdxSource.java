package io.essl.data;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;

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

    /**
     * Fails fast (before Spark starts) with one line for a missing file, or labels that do not fit the config (the
     * labels files are small: the driver reads them here and again when it loads a split).
     */
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
        for (Split s : Split.values()) {
            try {
                labels(hadoop, s);
            } catch (UncheckedIOException e) {
                throw new ConfigError("cannot read data file " + labelsPath(s) + ": " + e.getMessage());
            }
        }
    }

    /**
     * A split's labels, checked: each a class of data.class-names ({@code [0, n)}; any label >= 0 when no names
     * are given), and two classes at least in the training split. A label past the names would otherwise train,
     * and only fail (or mislabel the report) in the probe.
     */
    int[] labels(Configuration hadoop, Split split) {
        String path = labelsPath(split);
        int[] labels = readLabels(hadoop, path);
        int n = conf.classNames().size();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || (n > 0 && labels[i] >= n)) {
                throw new ConfigError(path + ": label " + labels[i] + " at index " + i + " is out of range: "
                        + (n > 0 ? "essl.data.class-names declares " + n + " classes, so labels must be in [0, " + (n - 1)
                        + "] (set data.class-names to the data set's classes, or [] to use the label numbers)"
                        : "labels must be >= 0"));
            }
        }
        if (split == Split.TRAIN) {
            java.util.Set<Integer> classes = new java.util.TreeSet<>();
            for (int l : labels) if (classes.add(l) && classes.size() >= 2) break;
            ImageSource.requireTwoClasses("IDX labels file " + path, classes);
        }
        return labels;
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
        int[] labels = labels(sc.hadoopConfiguration(), split); // checked here too: load does not need checkExists
        List<int[]> ranges = ranges(sc, limit > 0 ? Math.min(limit, labels.length) : labels.length);
        SerializableConfiguration hadoop = new SerializableConfiguration(sc.hadoopConfiguration());
        boolean rgb = conf.toRgb();
        return sc.parallelize(ranges, ranges.size()).flatMap(r -> {
            try (InputStream in = open(hadoop.value(), images)) {
                ImageRecord[] read = IdxReader.readImages(in, images, labels, r[0], r[1]);
                if (rgb) for (int i = 0; i < read.length; i++) read[i] = read[i].toRgb();
                return Arrays.asList(read).iterator();
            }
        });
    }

    /** {@code <images file>#<index>}: an IDX image's id is its index in the file. */
    @Override
    public JavaPairRDD<Long, String> keys(JavaSparkContext sc, Split split) {
        String images = imagesPath(split);
        List<int[]> ranges = ranges(sc, labels(sc.hadoopConfiguration(), split).length);
        return sc.parallelize(ranges, ranges.size()).flatMapToPair(r -> java.util.stream.IntStream.range(r[0], r[1])
                .mapToObj(i -> new Tuple2<>((long) i, images + "#" + i)).iterator());
    }

    /** Images [0, n) in {@code data.partitions} ranges (0 = Spark's default parallelism), one per task. */
    private List<int[]> ranges(JavaSparkContext sc, int n) {
        int partitions = conf.partitions() > 0 ? conf.partitions() : sc.defaultParallelism();
        int p = Math.max(1, Math.min(partitions, n));
        List<int[]> ranges = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            ranges.add(new int[]{(int) ((long) n * i / p), (int) ((long) n * (i + 1) / p)});
        }
        return ranges;
    }

    /** A malformed file is bad input (one line naming the file, exit code 2); a failing read is a failure. */
    public static int[] readLabels(Configuration hadoop, String path) {
        try (InputStream in = open(hadoop, path)) {
            return IdxReader.readLabels(in, path);
        } catch (IdxReader.IdxFormatException e) {
            throw new ConfigError(e.getMessage(), e);
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
