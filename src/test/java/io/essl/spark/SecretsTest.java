package io.essl.spark;

import io.essl.TestData;
import io.essl.cli.Main;
import io.essl.data.SampleTree;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * With S3 credentials in the environment, a real run (ingest to S3A, then pre-training and the probe with
 * checkpoints and the model on S3A and Spark's event log on) writes the secret key nowhere: not in its log lines,
 * reports, PNGs, metrics, event log, model file or checkpoints (zip entries decompressed), nor in any object it
 * left in the bucket. The runs are child processes, so the credentials really are environment variables.
 */
class SecretsTest {
    private static final String ACCESS = "essl-access-key-id";
    private static final String SECRET = "Sk-" + UUID.randomUUID().toString().replace("-", "");

    @Test
    void noOutputOfAnS3aRunHoldsTheSecretKey(@TempDir File tmp) throws Exception {
        BlobStoreContext store = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder().blobStore(store.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        try {
            for (int i = 0; i < 100 && !"STARTED".equals(proxy.getState()); i++) Thread.sleep(50);
            store.getBlobStore().createContainerInLocation(null, "essl-secrets");
            File tree = new File(tmp, "tree"), out = new File(tmp, "out"), events = new File(tmp, "events"), log = new File(tmp, "run.log");
            assertTrue(events.mkdirs());
            File slice = TestData.sliceDir();
            SampleTree.write(new File(slice, "train-images-idx3-ubyte.gz"), new File(slice, "train-labels-idx1-ubyte.gz"),
                    tree, new String[]{"a", "b"}, 2, 8, false);
            List<String> s3 = List.of("--set", "spark.s3.endpoint=\"http://127.0.0.1:" + proxy.getPort() + "\"",
                    "--set", "spark.s3.path-style-access=true", "--set", "spark.s3.region=us-east-1",
                    "--set", "spark.conf.\"spark.hadoop.fs.s3a.connection.ssl.enabled\"=false",
                    "--set", "spark.conf.\"spark.eventLog.enabled\"=true",
                    "--set", "spark.conf.\"spark.eventLog.dir\"=\"" + events.toURI() + "\"",
                    "--set", "output.dir=\"" + out.getAbsolutePath() + "\"");
            List<String> ingest = new ArrayList<>(List.of("ingest", "--input", tree.getAbsolutePath(),
                    "--output", "s3a://essl-secrets/shards/train", "--report", new File(out, "ingest.json").getPath()));
            ingest.addAll(s3);
            assertEquals(0, child(log, ingest), tail(log));

            List<String> pipeline = new ArrayList<>(List.of("pipeline", "--model", "s3a://essl-secrets/model.zip",
                    "--report", new File(out, "pipeline.json").getPath()));
            List<String> sets = TestData.smallRun(out);
            sets.set(sets.indexOf("train.epochs=3"), "train.epochs=1");
            sets.addAll(List.of("train.max-steps=2", "train.monitor.knn-every-epochs=0", "probe.max-iter=10",
                    "train.checkpoint.dir=\"s3a://essl-secrets/checkpoints\""));
            for (String x : sets) pipeline.addAll(List.of("--set", x));
            pipeline.addAll(s3);
            assertEquals(0, child(log, pipeline), tail(log));

            // The run did use S3 and did write what is searched.
            BlobStore blobs = store.getBlobStore();
            assertTrue(blobs.blobExists("essl-secrets", "model.zip"), "the model is on S3");
            assertTrue(blobs.blobExists("essl-secrets", "checkpoints/step-00000002.zip"), "a checkpoint is on S3");
            assertTrue(blobs.blobExists("essl-secrets", "shards/train/" + io.essl.data.Ingest.MANIFEST), "the shards are on S3");
            assertTrue(events.list().length > 0, "an event log was written");

            // The search finds the secret where it is, deflated inside a zip too.
            File control = new File(tmp, "control.zip");
            try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(control.toPath()))) {
                z.putNextEntry(new ZipEntry("x"));
                z.write(("padding " + SECRET).getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(holdsSecret(Files.readAllBytes(control.toPath())), "the search would see a zipped secret");

            List<String> leaks = new ArrayList<>();
            try (Stream<java.nio.file.Path> files = Files.walk(tmp.toPath())) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.filter(Files::isRegularFile)::iterator) {
                    if (f.equals(control.toPath()) || f.startsWith(tree.toPath())) continue;
                    if (holdsSecret(Files.readAllBytes(f))) leaks.add(f.toString());
                }
            }
            int objects = 0;
            for (StorageMetadata m : blobs.list("essl-secrets", ListContainerOptions.Builder.recursive())) {
                if (m.getName().endsWith("/")) continue;
                objects++;
                try (InputStream in = blobs.getBlob("essl-secrets", m.getName()).getPayload().openStream()) {
                    if (holdsSecret(in.readAllBytes())) leaks.add("s3a://essl-secrets/" + m.getName());
                }
            }
            assertTrue(objects >= 4, "objects searched: " + objects);
            assertEquals(List.of(), leaks, "files holding the secret key");
        } finally {
            proxy.stop();
            store.close();
        }
    }

    @Test
    void aSecretInTheConfigurationIsRefused() {
        java.io.StringWriter err = new java.io.StringWriter();
        assertEquals(Main.BAD_INPUT, Main.run(new java.io.PrintWriter(err, true), "pretrain", "--set",
                "spark.conf.\"spark.hadoop.fs.s3a.secret.key\"=" + SECRET));
        assertTrue(err.toString().contains("secret") && !err.toString().contains(SECRET), err.toString());
    }

    /** The bytes, or any zip entry inside them (model files and checkpoints are deflated), contain the secret. */
    private static boolean holdsSecret(byte[] bytes) throws IOException {
        if (new String(bytes, StandardCharsets.ISO_8859_1).contains(SECRET)) return true;
        if (bytes.length < 4 || bytes[0] != 'P' || bytes[1] != 'K') return false;
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
                if (holdsSecret(z.readAllBytes())) return true;
            }
        }
        return false;
    }

    /** essl in a child JVM with the credentials in its environment only. */
    private static int child(File log, List<String> args) throws Exception {
        ProcessBuilder pb = TestData.esslProcess(log, "3g", args);
        pb.environment().put("AWS_ACCESS_KEY_ID", ACCESS);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", SECRET);
        Process p = pb.start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("timed out: " + args + "\n" + tail(log));
        }
        return p.exitValue();
    }

    private static String tail(File log) throws IOException {
        List<String> lines = Files.readAllLines(log.toPath());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
