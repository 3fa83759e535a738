package io.essl.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ingest: an ImageFolder tree into Parquet shards of about {@code shardBytes} each, plus {@code _manifest.json}.
 * One pass: each file is read once and decoded in a task to check it (bad ones are skipped and listed with their
 * reason, good ones with a warning are kept and listed with it); the shards keep the original encoded bytes, so
 * they are as compact as the source and decode the same way later.
 * <p>
 * Re-runnable: the shards are written with Spark's commit protocol in overwrite mode and the manifest last
 * (write, then rename), so an interrupted ingest leaves no manifest and the same command run again replaces
 * whatever it left with one complete, duplicate-free copy.
 */
public final class Ingest {
    /** Spark skips files whose names start with "_" when it reads the shards. */
    public static final String MANIFEST = "_manifest.json";
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("label", DataTypes.IntegerType, false)
            .add("class", DataTypes.StringType, false)
            .add("path", DataTypes.StringType, false)
            .add("width", DataTypes.IntegerType, false)
            .add("height", DataTypes.IntegerType, false)
            .add("bytes", DataTypes.BinaryType, false);

    /**
     * What an ingest did: the report's and the manifest's content. Skipped files are not in the shards; warned
     * files are (good images with a warning, such as a PNG named .JPEG).
     */
    public record Result(long written, List<String> classes, Map<String, Long> perClass, Map<String, Integer> skipped,
                         List<Map<String, String>> skippedFiles, Map<String, Integer> warnings,
                         List<Map<String, String>> warnedFiles, List<Map<String, Object>> shards, long bytes) {
    }

    /**
     * What to ingest: class folders under {@code root}, or (with {@code labels}) a flat folder labelled by a file;
     * {@code classes} gives each class its label (its index).
     */
    public record Input(String root, Labels labels, List<String> classes) {
        /**
         * Checks and resolves an ingest's input before Spark starts: the classes are those of {@code classesFrom}
         * (an ingest output's manifest: a validation split then gets the training split's labels even where it
         * lacks a class), else the labels file's, else the class folders'.
         */
        public static Input of(Configuration hadoop, String root, String labelsUri, String classesFrom) {
            Labels labels = labelsUri == null ? null : Labels.read(hadoop, labelsUri);
            List<String> folders = labels == null ? ImageFolder.classes(hadoop, root) : List.of();
            if (labels == null && folders.isEmpty()) {
                throw new ConfigError("no class folders in " + root + " (expected <input>/<class>/<file>, or --labels)");
            }
            List<String> classes;
            if (classesFrom != null) {
                try {
                    @SuppressWarnings("unchecked")
                    List<String> c = (List<String>) readManifest(hadoop, classesFrom).get("classes");
                    classes = c;
                } catch (IOException e) {
                    throw new ConfigError("--classes-from: " + e.getMessage());
                }
                for (String f : folders) {
                    if (!classes.contains(f)) throw new ConfigError("class folder " + f + " of " + root + " is not a class of " + classesFrom);
                }
            } else {
                classes = labels != null ? labels.classes() : folders;
            }
            return new Input(root, labels, classes);
        }
    }

    private Ingest() {
    }

    public static Result run(SparkSession spark, Input input, String output, long shardBytes, int partitions,
                             long maxPixels) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = sc.hadoopConfiguration();
        List<String> classes = input.classes();
        int p = partitions > 0 ? partitions : sc.defaultParallelism();
        JavaRDD<ImageFolder.Entry> entries = (input.labels() == null
                ? ImageFolder.list(sc, input.root(), classes, p)
                : ImageFolder.list(sc, input.root(), input.labels(), classes, p))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            // Shard count from the listed sizes (bad files are few): one pass over the images, not two.
            long listedBytes = entries.map(ImageFolder.Entry::bytes).fold(0L, Long::sum);
            int shards = (int) Math.max(1, Math.min(100_000, (listedBytes + shardBytes - 1) / shardBytes));
            SkippedFiles skippedFiles = new SkippedFiles(sc.sc(), "ingest: skipped files");
            SkippedFiles warnedFiles = new SkippedFiles(sc.sc(), "ingest: files with warnings");
            SerializableConfiguration conf = new SerializableConfiguration(hadoop);
            // Decoding only checks the file (3 channels, so colour and grey files are checked alike); the row
            // keeps the original bytes.
            ImageDecoder decoder = new ImageDecoder(3, maxPixels);
            JavaRDD<Row> rows = entries.flatMap(e -> {
                if (e.label() < 0) {
                    skippedFiles.add(e.path(), "no_label", e.className().isEmpty() ? "not in the labels file"
                            : "class " + e.className() + " is not in the class list");
                    return List.<Row>of().iterator();
                }
                ImageFolder.Decoded d = ImageFolder.readAndDecode(conf.value(), e, decoder);
                ImageDecoder.Result r = d.result();
                if (!r.ok()) {
                    skippedFiles.add(e.path(), r);
                    return List.<Row>of().iterator();
                }
                if (r.warning() != null) warnedFiles.add(e.path(), r);
                return List.of(RowFactory.create(e.id(), e.label(), e.className(), e.path(), r.image().width(),
                        r.image().height(), d.bytes())).iterator();
            });
            Dataset<Row> df = spark.createDataFrame(rows, SCHEMA).repartition(shards); // classes spread over shards
            FileSystem fs = new Path(output).getFileSystem(hadoop);
            df.write().mode(SaveMode.Overwrite).parquet(output); // replaces a previous (interrupted) run's output

            Map<String, Long> perClass = new TreeMap<>();
            for (String c : classes) perClass.put(c, 0L);
            for (Row r : spark.read().parquet(output).groupBy("class").count().collectAsList()) {
                perClass.put(r.getString(0), r.getLong(1));
            }
            long written = perClass.values().stream().mapToLong(Long::longValue).sum();
            List<Map<String, Object>> shardList = new ArrayList<>();
            long bytes = 0;
            for (FileStatus s : fs.listStatus(new Path(output))) {
                if (s.getPath().getName().endsWith(".parquet")) {
                    shardList.add(Map.of("file", s.getPath().getName(), "bytes", s.getLen()));
                    bytes += s.getLen();
                }
            }
            Result result = new Result(written, classes, perClass, skippedFiles.counts(), skippedFiles.files(),
                    warnedFiles.counts(), warnedFiles.files(), shardList, bytes);
            writeManifest(fs, new Path(output, MANIFEST), input.root(), result);
            return result;
        } finally {
            entries.unpersist(false);
        }
    }

    private static void writeManifest(FileSystem fs, Path manifest, String input, Result r) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "essl-spark shards v1");
        m.put("source", input);
        m.put("images", r.written());
        m.put("classes", r.classes());
        m.put("per_class", r.perClass());
        m.put("skipped", r.skipped());
        m.put("skipped_files", r.skippedFiles());
        m.put("warnings", r.warnings());
        m.put("warned_files", r.warnedFiles());
        m.put("shards", r.shards());
        m.put("bytes", r.bytes());
        Path tmp = new Path(manifest.getParent(), "." + MANIFEST + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(m)
                    .getBytes(StandardCharsets.UTF_8));
        }
        if (!fs.rename(tmp, manifest)) throw new IOException("could not rename " + tmp + " to " + manifest);
    }

    /** A manifest written by {@link #run}, or an error naming the folder when there is none (not ingested). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readManifest(Configuration hadoop, String dir) throws IOException {
        Path p = new Path(dir, MANIFEST);
        FileSystem fs = p.getFileSystem(hadoop);
        if (!fs.exists(p)) throw new IOException("no " + MANIFEST + " in " + dir + ": not a complete ingest output");
        try (var in = fs.open(p)) {
            return new ObjectMapper().readValue((java.io.InputStream) in, Map.class);
        }
    }
}
