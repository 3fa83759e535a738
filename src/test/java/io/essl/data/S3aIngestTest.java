package io.essl.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import io.essl.cli.Main;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Ingest through Hadoop's real S3A client against a real S3-compatible server (s3proxy, in memory, started in
 * this JVM on 127.0.0.1): exact counts per class and per bad-file reason, and one clear line with exit code 2 for
 * a wrong bucket or missing credentials. Credentials reach S3A through the standard AWS chain (here: Java system
 * properties), never through the configuration.
 */
class S3aIngestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] CLASSES = {"tshirt", "trouser", "pullover"};
    @TempDir
    static File tmp;
    static S3Proxy proxy;
    static BlobStoreContext store;

    @BeforeAll
    static void startServerAndUpload() throws Exception {
        store = ContextBuilder.newBuilder("transient").credentials("identity", "credential").build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(store.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "test-access-key", "test-secret-key").build();
        proxy.start();
        for (int i = 0; i < 100 && !"STARTED".equals(proxy.getState()); i++) Thread.sleep(50);
        store.getBlobStore().createContainerInLocation(null, "essl-test");
        System.setProperty("aws.accessKeyId", "test-access-key");
        System.setProperty("aws.secretKey", "test-secret-key");

        File tree = new File(tmp, "tree");
        File slice = TestData.sliceDir();
        SampleTree.write(new File(slice, "train-images-idx3-ubyte.gz"), new File(slice, "train-labels-idx1-ubyte.gz"),
                tree, CLASSES, 3, 10, true);
        Configuration hadoop = io.essl.spark.SparkContexts.hadoop(io.essl.config.ConfigLoader.load(null, sets()).spark());
        FileSystem fs = FileSystem.newInstance(new URI("s3a://essl-test/"), hadoop);
        fs.copyFromLocalFile(new Path(tree.toURI()), new Path("s3a://essl-test/tree"));
        fs.close();
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretKey");
        if (proxy != null) proxy.stop();
        if (store != null) store.close();
    }

    /** S3A pointed at the in-process server; no cached FileSystem, so each run sees the credentials of its time. */
    private static List<String> sets() {
        return new ArrayList<>(List.of("spark.master=\"local[2]\"", "output.dir=\"" + tmp.getPath() + "\"",
                "spark.s3.endpoint=\"http://127.0.0.1:" + proxy.getPort() + "\"", "spark.s3.path-style-access=true",
                "spark.s3.region=us-east-1",
                "spark.conf.\"spark.hadoop.fs.s3a.connection.ssl.enabled\"=false",
                "spark.conf.\"spark.hadoop.fs.s3a.impl.disable.cache\"=true",
                "spark.conf.\"spark.hadoop.fs.s3a.attempts.maximum\"=1",
                "spark.conf.\"spark.hadoop.fs.s3a.retry.limit\"=1"));
    }

    private static int ingest(String input, String output, File report) {
        List<String> a = new ArrayList<>(List.of("ingest", "--input", input, "--output", output, "--report", report.getPath()));
        for (String s : sets()) {
            a.add("--set");
            a.add(s);
        }
        return Main.run(a.toArray(String[]::new));
    }

    @Test
    void ingestsFromS3ToS3WithExactCounts() throws Exception {
        File report = new File(tmp, "s3-ingest.json");
        assertEquals(Main.OK, ingest("s3a://essl-test/tree", "s3a://essl-test/shards/train", report));
        JsonNode r = JSON.readTree(report);
        assertEquals(32, r.at("/images/written").asInt(), "30 images, the PNG named .JPEG and the CMYK JPEG");
        assertEquals(12, r.at("/classes/tshirt").asInt(), "the odd good files are in the first class folder");
        assertEquals(10, r.at("/classes/trouser").asInt());
        assertEquals(10, r.at("/classes/pullover").asInt());
        assertEquals(SampleTree.BAD_FILES.size(), r.at("/skipped").size(), r.at("/skipped").toString());
        for (Map.Entry<String, String> bad : SampleTree.BAD_FILES.entrySet()) {
            assertEquals(1, r.at("/skipped/" + bad.getValue()).asInt(), bad.getKey());
        }
        assertEquals(JSON.valueToTree(Map.of("renamed", 1)), r.at("/warnings"));
        assertTrue(store.getBlobStore().blobExists("essl-test", "shards/train/" + Ingest.MANIFEST), "manifest on S3");
    }

    @Test
    void aWrongBucketIsOneLineAndExitCode2() {
        assertEquals(Main.BAD_INPUT, ingest("s3a://no-such-bucket/tree", "s3a://essl-test/out", new File(tmp, "x.json")));
    }

    @Test
    void missingCredentialsAreOneLineAndExitCode2() {
        String key = System.clearProperty("aws.accessKeyId");
        String secret = System.clearProperty("aws.secretKey");
        try {
            assertEquals(Main.BAD_INPUT, ingest("s3a://essl-test/tree", "s3a://essl-test/out2", new File(tmp, "y.json")));
        } finally {
            System.setProperty("aws.accessKeyId", key);
            System.setProperty("aws.secretKey", secret);
        }
    }
}
