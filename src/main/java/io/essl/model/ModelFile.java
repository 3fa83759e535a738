package io.essl.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;

/**
 * One model file: DL4J's zip (configuration, parameters, updater state) plus an {@value #METADATA} entry with the
 * recipe and provenance as plain UTF-8 JSON. Paths go through Hadoop's FileSystem (local, HDFS, S3A); the file is
 * written under a temporary name and renamed into place, so a crash never leaves a half-written model at the final
 * path. A file is checked ({@link ModelFileCheck}) before DL4J reads any of it: loading runs no code from the file.
 */
public final class ModelFile {
    public static final String METADATA = ModelFileCheck.METADATA;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFile() {
    }

    public record Loaded(ComputationGraph graph, Map<String, Object> metadata) {
    }

    public static void save(ComputationGraph graph, Map<String, Object> metadata, String path, Configuration hadoop)
            throws IOException {
        File local = Files.createTempFile("essl-model", ".zip").toFile();
        try {
            ModelSerializer.writeModel(graph, local, true);
            try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(local.toPath())) {
                Files.write(zip.getPath(METADATA), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(metadata));
            }
            publish(local, path, hadoop);
        } finally {
            Files.deleteIfExists(local.toPath());
        }
    }

    /** A finished local file to {@code path} (local, HDFS, S3A): streamed to a temporary name there, then renamed. */
    static void publish(File local, String path, Configuration hadoop) throws IOException {
        Path target = new Path(path);
        FileSystem fs = target.getFileSystem(hadoop);
        if (fs instanceof org.apache.hadoop.fs.LocalFileSystem l) fs = l.getRawFileSystem(); // no .crc sidecars
        Path parent = target.getParent();
        if (parent != null) fs.mkdirs(parent);
        Path tmp = new Path(parent, "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        // Streamed, not copyFromLocalFile: S3A's (Hadoop 3.3.4) fails on a single file ("Cannot get relative path").
        try (var out = fs.create(tmp, true)) {
            Files.copy(local.toPath(), out);
        }
        if (fs.exists(target) && !fs.delete(target, false)) throw new IOException("cannot replace " + target);
        if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
    }

    /** The checked file's graph (with its updater state) and metadata. */
    public static Loaded load(String path, Configuration hadoop) throws IOException {
        File local = copyToLocal(path, hadoop);
        try {
            Map<String, Object> metadata = ModelFileCheck.check(local, path);
            return new Loaded(ModelSerializer.restoreComputationGraph(local, true), metadata);
        } finally {
            Files.deleteIfExists(local.toPath());
        }
    }

    /** The checked file's metadata alone (no network is built): for checks before Spark starts. */
    public static Map<String, Object> metadata(String path, Configuration hadoop) throws IOException {
        File local = copyToLocal(path, hadoop);
        try {
            return ModelFileCheck.check(local, path);
        } finally {
            Files.deleteIfExists(local.toPath());
        }
    }

    private static File copyToLocal(String path, Configuration hadoop) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(hadoop);
        if (!fs.exists(p)) throw new java.io.FileNotFoundException("model not found: " + path);
        File local = Files.createTempFile("essl-model", ".zip").toFile();
        try {
            try (var in = fs.open(p)) {
                Files.copy(in, local.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(local.toPath());
            throw e;
        }
        return local;
    }

    /** Serialises a graph to bytes (for broadcasting to Spark tasks). */
    public static byte[] toBytes(ComputationGraph graph) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ModelSerializer.writeModel(graph, out, false);
        return out.toByteArray();
    }

    /** Bytes from {@link #toBytes} in this application (a broadcast), never a file from outside. */
    public static ComputationGraph fromBytes(byte[] bytes) throws IOException {
        return ModelSerializer.restoreComputationGraph(new java.io.ByteArrayInputStream(bytes), false);
    }
}
