package io.essl.data;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An ImageFolder tree, {@code <root>/<class>/<file>}, on local disk, HDFS or S3A: the classes are the sorted
 * subfolder names (a class's index is its label) and an image's id is its position in a fixed pseudo-random
 * order of the paths (a hash, then the path), so both are the same on every run and the first N ids are a
 * sample of every class (data.pretrain-limit, probe limits). Listing runs in tasks, one per group of classes (a
 * million objects on S3 are not listed from the driver); files are read and checked (decoded) in tasks, bad
 * files skipped and counted, good ones (renamed ones too, counted as warnings) kept encoded for decoding on use.
 * {@link #flat} reads a flat folder of unlabelled files the same way (embed --flat).
 */
public final class ImageFolder implements ImageSource {
    private static final Logger log = LoggerFactory.getLogger(ImageFolder.class);
    /** Files larger than this are skipped unread (as too large). */
    static final long MAX_FILE_BYTES = 256L << 20;

    /** One file of the tree. */
    public record Entry(long id, int label, String className, String path, long bytes) implements Serializable {
    }

    /** An entry's bytes (null when too large to read) and what decoding them gave. */
    record Decoded(byte[] bytes, ImageDecoder.Result result) {
    }

    private final EsslConfig.Data conf;
    /** data.dir is one flat folder of unlabelled files, not a tree of splits and classes. */
    private final boolean flat;
    private SkippedFiles skippedFiles, warnedFiles;

    public ImageFolder(EsslConfig.Data conf) {
        this(conf, false);
    }

    private ImageFolder(EsslConfig.Data conf, boolean flat) {
        this.conf = conf;
        this.flat = flat;
    }

    /**
     * Every file directly in data.dir, unlabelled (label -1), read, checked and counted as a tree's files are. A
     * flat folder has no splits: both are the whole folder (embed reads one).
     */
    public static ImageFolder flat(EsslConfig.Data conf) {
        return new ImageFolder(conf, true);
    }

    /** The class folders of a root, sorted. */
    public static List<String> classes(Configuration hadoop, String root) {
        try {
            Path p = new Path(root);
            FileSystem fs = p.getFileSystem(hadoop);
            List<String> names = new ArrayList<>();
            for (FileStatus s : fs.listStatus(p)) {
                String n = s.getPath().getName();
                if (s.isDirectory() && !n.startsWith(".") && !n.startsWith("_")) names.add(n);
            }
            names.sort(null);
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every file under the class folders of a root, with their ids; a class's label is its index in
     * {@code classes}, and a class with no folder under this root has no files.
     */
    public static JavaRDD<Entry> list(JavaSparkContext sc, String root, List<String> classes, int partitions) {
        if (classes.isEmpty()) throw new ConfigError("no class folders in " + root + " (expected <root>/<class>/<file>)");
        SerializableConfiguration hadoop = new SerializableConfiguration(sc.hadoopConfiguration());
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) labels.add(i);
        return withIds(sc.parallelize(labels, Math.max(1, Math.min(classes.size(), partitions)))
                .flatMap(label -> {
                    Path dir = new Path(root, classes.get(label));
                    FileSystem fs = dir.getFileSystem(hadoop.value());
                    List<Entry> files = new ArrayList<>();
                    if (!fs.exists(dir)) return files.iterator();
                    FileStatus[] listed = fs.listStatus(dir);
                    Arrays.sort(listed);
                    for (FileStatus s : listed) {
                        if (s.isFile() && !s.getPath().getName().startsWith(".")) {
                            files.add(new Entry(-1, label, classes.get(label), s.getPath().toString(), s.getLen()));
                        }
                    }
                    return files.iterator();
                }), partitions);
    }

    /**
     * Every file of a flat folder (ImageNet's validation layout), labelled by a labels file: a class's label is
     * its index in {@code classes}; a file without a label, or with a class not in {@code classes}, gets label -1.
     */
    public static JavaRDD<Entry> list(JavaSparkContext sc, String root, Labels labels, List<String> classes,
                                      int partitions) {
        Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < classes.size(); i++) index.put(classes.get(i), i);
        List<Entry> files = new ArrayList<>();
        try {
            Path dir = new Path(root);
            var it = dir.getFileSystem(sc.hadoopConfiguration()).listLocatedStatus(dir); // paged on S3
            while (it.hasNext()) {
                FileStatus s = it.next();
                String name = s.getPath().getName();
                if (!s.isFile() || name.startsWith(".") || name.startsWith("_")) continue;
                String c = labels.of(name);
                int label = c == null ? -1 : index.getOrDefault(c, -1);
                files.add(new Entry(-1, label, c == null ? "" : c, s.getPath().toString(), s.getLen()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return withIds(sc.parallelize(files, Math.max(1, partitions)), partitions);
    }

    /** Ids: positions in a fixed pseudo-random order of the paths (a hash, then the path). */
    private static JavaRDD<Entry> withIds(JavaRDD<Entry> files, int partitions) {
        return files
                .sortBy(e -> String.format("%08x %s", e.path().hashCode(), e.path()), true, Math.max(1, partitions))
                .zipWithIndex()
                .map(t -> new Entry(t._2(), t._1().label(), t._1().className(), t._1().path(), t._1().bytes()));
    }

    /** A file's bytes, or null when it is too large to read. */
    static byte[] read(Configuration hadoop, Entry e) throws IOException {
        if (e.bytes() > MAX_FILE_BYTES) return null;
        Path p = new Path(e.path());
        byte[] b = new byte[(int) e.bytes()];
        try (FSDataInputStream in = p.getFileSystem(hadoop).open(p)) {
            in.readFully(0, b);
        }
        return b;
    }

    /** Reads an entry in a task and decodes it: a file too large to read is skipped unread. */
    static Decoded readAndDecode(Configuration hadoop, Entry e, ImageDecoder decoder) throws IOException {
        byte[] bytes = read(hadoop, e);
        ImageDecoder.Result r = bytes == null
                ? ImageDecoder.Result.skipped(ImageDecoder.Skip.TOO_LARGE, e.bytes() + " bytes")
                : decoder.decode(bytes, e.path(), e.id(), e.label());
        return new Decoded(bytes, r);
    }

    /**
     * Both split folders exist, and the training split has two class folders at least (one listing); a flat
     * folder only exists (it is not trained on).
     */
    @Override
    public void checkExists(Configuration hadoop) {
        for (String root : flat ? List.of(conf.dir()) : List.of(conf.splitPath(true), conf.splitPath(false))) {
            try {
                Path p = new Path(root);
                if (!p.getFileSystem(hadoop).exists(p)) throw new ConfigError("image folder not found: " + root);
            } catch (IOException e) {
                throw new ConfigError("cannot access image folder " + root + ": " + e.getMessage());
            }
        }
        if (flat) return;
        String root = conf.splitPath(true);
        try {
            ImageSource.requireTwoClasses("image folder " + root + " (<class>/<file> under it)", classes(hadoop, root));
        } catch (UncheckedIOException e) {
            throw new ConfigError(e.getMessage());
        }
    }

    /** A split's files with their ids: the one listing behind both {@link #load} and {@link #keys}. */
    private JavaRDD<Entry> listing(JavaSparkContext sc, Split split) {
        int partitions = conf.partitions() > 0 ? conf.partitions() : sc.defaultParallelism();
        if (flat) return list(sc, conf.dir(), Labels.NONE, List.of(), partitions);
        String root = conf.splitPath(split == Split.TRAIN);
        return list(sc, root, classes(sc.hadoopConfiguration(), root), partitions);
    }

    /** Each file's URI by its id (bad files too: they have ids, and no image to join). */
    @Override
    public JavaPairRDD<Long, String> keys(JavaSparkContext sc, Split split) {
        return listing(sc, split).mapToPair(e -> new Tuple2<>(e.id(), e.path()));
    }

    @Override
    public JavaRDD<ImageRecord> load(JavaSparkContext sc, Split split, int limit) {
        JavaRDD<Entry> entries = listing(sc, split);
        if (limit > 0) entries = entries.filter(e -> e.id() < limit);
        if (skippedFiles == null) {
            skippedFiles = new SkippedFiles(sc.sc(), "skipped image files");
            warnedFiles = new SkippedFiles(sc.sc(), "image files with warnings");
        }
        SkippedFiles skipped = skippedFiles, warned = warnedFiles;
        SerializableConfiguration hadoop = new SerializableConfiguration(sc.hadoopConfiguration());
        ImageDecoder decoder = new ImageDecoder(conf.channels(), conf.maxPixels());
        return entries.flatMap(e -> {
            Decoded d = readAndDecode(hadoop.value(), e, decoder);
            ImageDecoder.Result r = d.result();
            if (r.ok()) { // checked once; kept encoded and decoded on use, at the size the use needs
                if (r.warning() != null) {
                    log.warn("decoding {} by its content: {} ({})", e.path(), r.reason(), r.detail());
                    warned.add(e.path(), r);
                }
                ImageRecord i = r.image();
                return List.of(ImageRecord.encoded(i.id(), i.label(), i.channels(), i.height(), i.width(), d.bytes()))
                        .iterator();
            }
            log.warn("skipping {}: {} ({})", e.path(), r.skip().key(), r.detail());
            skipped.add(e.path(), r);
            return List.<ImageRecord>of().iterator();
        });
    }

    /** Skipped files by reason, each counted once. */
    @Override
    public Map<String, Integer> skipped() {
        return skippedFiles == null ? Map.of() : skippedFiles.counts();
    }

    /** Good files with a warning, by warning, each counted once. */
    @Override
    public Map<String, Integer> warnings() {
        return warnedFiles == null ? Map.of() : warnedFiles.counts();
    }
}
