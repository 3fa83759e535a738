package io.essl.train;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import io.essl.model.ModelFile;
import io.essl.model.ModelFileCheck;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Training checkpoints in one folder (local, HDFS or S3A, through Hadoop's FileSystem): {@code step-NNNNNNNN.zip}
 * model files with the updater state and the step, epoch and configuration in their metadata. Each is written
 * under a temporary name and renamed into place ({@link ModelFile#save}), the last {@code keep} are kept, and
 * {@link #latest()} skips any file it cannot read, so a crash mid-write never costs the previous checkpoint.
 */
public final class Checkpoints {
    private static final Logger log = LoggerFactory.getLogger(Checkpoints.class);
    private static final Pattern NAME = Pattern.compile("step-(\\d{8})\\.zip");
    public static final String METRICS = "metrics.jsonl";

    private final Path dir;
    private final int keep;
    private final Configuration hadoop;

    public Checkpoints(String dir, int keep, Configuration hadoop) {
        this.dir = new Path(dir);
        this.keep = Math.max(1, keep);
        this.hadoop = hadoop;
    }

    public String save(ComputationGraph graph, int step, Map<String, Object> metadata) throws IOException {
        String path = new Path(dir, String.format("step-%08d.zip", step)).toString();
        ModelFile.save(graph, metadata, path, hadoop);
        List<Integer> steps = steps();
        for (int i = 0; i + keep < steps.size(); i++) {
            fs().delete(new Path(dir, String.format("step-%08d.zip", steps.get(i))), false);
        }
        return path;
    }

    /** A run's checkpoint folder: {@code train.checkpoint.dir}, or {@code <output.dir>/checkpoints}. */
    public static String dirOf(EsslConfig conf) {
        String d = conf.train().checkpointDir();
        return d.isBlank() ? new java.io.File(conf.output().dir(), "checkpoints").getPath() : d;
    }

    /** The newest checkpoint that loads, if any. */
    public Optional<ModelFile.Loaded> latest() throws IOException {
        return newest(path -> ModelFile.load(path, hadoop));
    }

    /** The metadata of the newest checkpoint that reads (no network built): for checks before Spark starts. */
    public Optional<Map<String, Object>> latestMetadata() throws IOException {
        return newest(path -> ModelFile.metadata(path, hadoop));
    }

    private interface Reader<T> {
        T read(String path) throws IOException;
    }

    /**
     * The newest checkpoint that reads: a damaged file (a crash while writing) is skipped with a warning, but a
     * file with content this project never writes stops the run (someone else wrote it: nothing of it ran).
     */
    private <T> Optional<T> newest(Reader<T> reader) throws IOException {
        List<Integer> steps = steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            String path = new Path(dir, String.format("step-%08d.zip", steps.get(i))).toString();
            try {
                return Optional.of(reader.read(path));
            } catch (ModelFileCheck.Refused e) {
                throw new ConfigError("checkpoint refused: " + e.getMessage());
            } catch (Exception e) {
                log.warn("skipping unreadable checkpoint {}: {}", path, e.toString());
            }
        }
        return Optional.empty();
    }

    /** Steps of the complete checkpoints present, oldest first (temporary files are not listed). */
    public List<Integer> steps() throws IOException {
        List<Integer> steps = new ArrayList<>();
        if (!fs().exists(dir)) return steps;
        for (FileStatus f : fs().listStatus(dir)) {
            Matcher m = NAME.matcher(f.getPath().getName());
            if (m.matches()) steps.add(Integer.parseInt(m.group(1)));
        }
        steps.sort(Comparator.naturalOrder());
        return steps;
    }

    /** Rewrites the metrics file (one JSON object per step) next to the checkpoints, atomically. */
    public void writeMetrics(List<String> jsonLines) throws IOException {
        Path target = new Path(dir, METRICS), tmp = new Path(dir, "." + METRICS + ".tmp");
        fs().mkdirs(dir);
        try (var out = fs().create(tmp, true)) {
            for (String line : jsonLines) out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        fs().delete(target, false);
        if (!fs().rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
    }

    public List<String> readMetrics() throws IOException {
        Path target = new Path(dir, METRICS);
        if (!fs().exists(target)) return new ArrayList<>();
        try (var in = fs().open(target)) {
            return new ArrayList<>(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        }
    }

    public String dir() {
        return dir.toString();
    }

    private FileSystem fs() throws IOException {
        return dir.getFileSystem(hadoop);
    }
}
