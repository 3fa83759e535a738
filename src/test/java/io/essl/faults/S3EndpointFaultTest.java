package io.essl.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import io.essl.cli.Main;
import io.essl.data.Ingest;
import io.essl.data.SampleTree;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The S3 endpoint goes away in the middle of an ingest from s3a:// to s3a:// (s3proxy on 127.0.0.1, stopped while
 * Spark writes the first shard): one line naming the endpoint and the bucket, exit code 1, within seconds; no
 * manifest (the ingest's commit) at the output, so nothing reads it as a data set; and the same command run again
 * after the endpoint is back writes exactly what an uninterrupted ingest writes.
 */
class S3EndpointFaultTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUCKET = "essl-fault";
    @TempDir
    static File tmp;
    static BlobStoreContext context;
    static Tripwire store;
    static S3Proxy proxy;
    static int port;

    /** The real in-memory blob store; once armed, the first shard PUT waits until the server is stopping, then fails. */
    static final class Tripwire extends ForwardingBlobStore {
        volatile CountDownLatch reached;

        Tripwire(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public String putBlob(String container, Blob blob) {
            return putBlob(container, blob, PutOptions.NONE);
        }

        @Override
        public String putBlob(String container, Blob blob, PutOptions options) {
            CountDownLatch latch = reached;
            String name = blob.getMetadata().getName();
            if (latch != null && name.startsWith("shards/") && name.endsWith(".parquet")) {
                reached = null;
                latch.countDown();
                for (int i = 0; i < 600 && "STARTED".equals(proxy.getState()); i++) sleep(50);
                throw new IllegalStateException("the endpoint went away during this PUT");
            }
            return super.putBlob(container, blob, options);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void startProxy(int onPort) throws Exception {
        proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:" + onPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "test-access-key", "test-secret-key").build();
        proxy.start();
        for (int i = 0; i < 100 && !"STARTED".equals(proxy.getState()); i++) Thread.sleep(50);
        assertEquals("STARTED", proxy.getState());
        port = proxy.getPort();
    }

    @BeforeAll
    static void startServerAndUpload() throws Exception {
        context = ContextBuilder.newBuilder("transient").credentials("identity", "credential").build(BlobStoreContext.class);
        store = new Tripwire(context.getBlobStore());
        startProxy(0);
        store.createContainerInLocation(null, BUCKET);
        System.setProperty("aws.accessKeyId", "test-access-key");
        System.setProperty("aws.secretKey", "test-secret-key");
        File tree = new File(tmp, "tree");
        File slice = TestData.sliceDir();
        SampleTree.write(new File(slice, "train-images-idx3-ubyte.gz"), new File(slice, "train-labels-idx1-ubyte.gz"),
                tree, new String[]{"tshirt", "trouser", "pullover"}, 3, 10, true);
        Configuration hadoop = io.essl.spark.SparkContexts.hadoop(io.essl.config.ConfigLoader.load(null, sets()).spark());
        try (FileSystem fs = FileSystem.newInstance(new URI("s3a://" + BUCKET + "/"), hadoop)) {
            fs.copyFromLocalFile(new Path(tree.toURI()), new Path("s3a://" + BUCKET + "/tree"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretKey");
        if (proxy != null) proxy.stop();
        if (context != null) context.close();
    }

    /**
     * S3A on the in-process server, with retries cut to one attempt: S3A's defaults retry a refused connection for
     * minutes (docs/operations.md), which is right for a blip but not for a test of the failure.
     */
    private static List<String> sets() {
        return new ArrayList<>(List.of("spark.master=\"local[2]\"", "output.dir=\"" + tmp.getPath() + "\"",
                "spark.s3.endpoint=\"http://127.0.0.1:" + port + "\"", "spark.s3.path-style-access=true",
                "spark.s3.region=us-east-1",
                "spark.conf.\"spark.hadoop.fs.s3a.connection.ssl.enabled\"=false",
                "spark.conf.\"spark.hadoop.fs.s3a.impl.disable.cache\"=true",
                "spark.conf.\"spark.hadoop.fs.s3a.attempts.maximum\"=1",
                "spark.conf.\"spark.hadoop.fs.s3a.retry.limit\"=1",
                "spark.conf.\"spark.hadoop.fs.s3a.connection.establish.timeout\"=2000"));
    }

    private static int ingest(PrintWriter err, String output, File report) {
        List<String> a = new ArrayList<>(List.of("ingest", "--input", "s3a://" + BUCKET + "/tree", "--output", output,
                "--report", report.getPath()));
        for (String s : sets()) {
            a.add("--set");
            a.add(s);
        }
        return Main.run(err, a.toArray(String[]::new));
    }

    private static List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        for (StorageMetadata m : context.getBlobStore().list(BUCKET, ListContainerOptions.Builder.prefix(prefix).recursive())) {
            keys.add(m.getName());
        }
        return keys;
    }

    @Test
    void theEndpointGoingAwayFailsInSecondsLeavesNoCommittedOutputAndARerunIsExact() throws Exception {
        PrintWriter quiet = new PrintWriter(new StringWriter(), true);
        File reference = new File(tmp, "reference.json");
        assertEquals(Main.OK, ingest(quiet, "s3a://" + BUCKET + "/reference", reference));

        CountDownLatch reached = new CountDownLatch(1);
        store.reached = reached;
        StringWriter err = new StringWriter();
        String output = "s3a://" + BUCKET + "/shards/train";
        CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() ->
                ingest(new PrintWriter(err, true), output, new File(tmp, "failed.json")));
        assertTrue(reached.await(3, TimeUnit.MINUTES), "the ingest never wrote a shard: " + err);
        int stoppedPort = port;
        long stopped = System.nanoTime();
        proxy.stop();
        int code = job.get(5, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - stopped) / 1e9;
        System.out.printf("the fault, as the user sees it (%.1f s after the stop): %s%n", seconds, err.toString().trim());

        assertEquals(Main.FAILURE, code, err.toString());
        List<String> lines = err.toString().lines().toList();
        assertEquals(1, lines.size(), "one line, no stack trace:\n" + err);
        assertTrue(lines.get(0).startsWith("essl: failed: ingest of s3a://" + BUCKET + "/tree to " + output + " failed: "), lines.get(0));
        assertTrue(lines.get(0).contains("S3 endpoint http://127.0.0.1:" + stoppedPort + ", bucket " + BUCKET), lines.get(0));
        assertTrue(seconds < 30, "failed within seconds, not minutes: " + seconds + " s");
        assertFalse(new File(tmp, "failed.json").exists(), "no report for a failed ingest");
        List<String> left = keys("shards/train/");
        assertFalse(left.contains("shards/train/" + Ingest.MANIFEST), "not committed: " + left);
        for (String k : left) assertTrue(k.startsWith("shards/train/_temporary/"), "only Spark's uncommitted task files: " + left);

        startProxy(stoppedPort); // the endpoint comes back where it was
        File rerun = new File(tmp, "rerun.json");
        assertEquals(Main.OK, ingest(quiet, output, rerun));
        JsonNode a = JSON.readTree(reference), b = JSON.readTree(rerun);
        assertEquals(32, b.at("/images/written").asInt(), "30 images, the PNG named .JPEG and the CMYK JPEG");
        for (String key : List.of("/images/written", "/classes", "/skipped", "/shards")) {
            assertEquals(a.at(key), b.at(key), key + ": the rerun writes what an uninterrupted ingest writes");
        }
        assertTrue(keys("shards/train/").contains("shards/train/" + Ingest.MANIFEST));
        assertTrue(keys("shards/train/_temporary/").isEmpty(), "the rerun's overwrite cleared the first run's leftovers");
    }
}
