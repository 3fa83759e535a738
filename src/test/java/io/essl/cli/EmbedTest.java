package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import io.essl.augment.CentreCrop;
import io.essl.augment.FloatImage;
import io.essl.augment.Normalisation;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.data.IdxReader;
import io.essl.data.ImageRecord;
import io.essl.data.ImageSource;
import io.essl.data.Ingest;
import io.essl.data.ShardSource;
import io.essl.model.EsslGraph;
import io.essl.model.ModelFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/essl embed: every image of the source once, the probe's own features for it, where it came from, the model
 * named; rerunnable. A flat folder of unlabelled files: each good file once under its path, bad ones counted.
 */
@TestMethodOrder(MethodOrderer.MethodName.class) // the shards' test last: Spark and Parquet are warm by then
class EmbedTest {
    static final String MODEL = "src/test/resources/fixtures/model-2026-12-02.zip";

    @Test
    void embeddingsAreTheProbesFeaturesOfEveryImage(@TempDir File tmp) throws Exception {
        List<String> sets = List.of("data.dir=\"" + TestData.sliceDir().getAbsolutePath() + "\"",
                "output.dir=\"" + tmp.getAbsolutePath() + "\"", "probe.train-limit=96", "probe.test-limit=48",
                "probe.reg-params=[0]", "probe.max-iter=30", "probe.knn.enabled=false", "probe.map=false");
        String probeOut = new File(tmp, "probe-emb").getPath(), out = new File(tmp, "emb").getPath();
        assertEquals(Main.OK, Main.run(TestData.args("probe", sets, "--model", MODEL, "--export-embeddings", probeOut)));
        File report = new File(tmp, "embed.json");
        String[] embed = TestData.args("embed", sets, "--model", MODEL, "--set", "probe.map=true", "--output", out,
                "--report", report.getPath());
        // what a run killed while writing leaves: a part file of garbage and Spark's uncommitted task output
        File half = new File(out, "_temporary/0/task_0");
        assertTrue(half.mkdirs());
        Files.writeString(new File(half, "part-00000.parquet").toPath(), "half written");
        Files.writeString(new File(out, "part-00009-stale.snappy.parquet").toPath(), "not parquet");
        assertEquals(Main.OK, Main.run(embed));
        assertEquals(Main.OK, Main.run(embed), "a rerun replaces the output");
        JsonNode r = new ObjectMapper().readTree(report);
        assertEquals(96 + 48, r.at("/images/written").asLong());
        assertTrue(r.get("images_per_s").isNumber() && r.get("images_per_s").asDouble() > 0);
        assertTrue(r.get("skipped").isObject() && r.get("skipped").isEmpty(), "no bad file in the slice");
        assertTrue(new File(r.get("map_png").asText()).length() > 0, "the map of the embeddings");
        try (SparkSession spark = SparkSession.builder().master("local[1]").appName("read").getOrCreate()) {
            Map<String, List<Float>> probe = new HashMap<>();
            for (Row row : spark.read().parquet(probeOut).collectAsList()) {
                probe.put(row.getAs("split") + "/" + row.getAs("id"), row.getList(row.fieldIndex("features")));
            }
            List<Row> rows = spark.read().parquet(out).collectAsList();
            assertEquals(144, rows.size());
            assertEquals(144, rows.stream().map(x -> x.getAs("split") + "/" + x.getAs("id")).distinct().count(), "each image once");
            assertEquals(144, rows.stream().map(x -> x.getAs("path")).distinct().count(), "each under its own path");
            for (Row row : rows) {
                List<Float> e = row.getList(row.fieldIndex("embedding"));
                assertEquals(probe.get(row.getAs("split") + "/" + row.getAs("id")), e, "the probe's features");
                var vector = (org.apache.spark.ml.linalg.Vector) row.getAs("features");
                assertEquals(e.size(), vector.size(), "an MLlib vector too");
                assertEquals(MODEL, row.getAs("model_path"));
                String images = row.getAs("split").equals("train") ? "train-images-idx3-ubyte.gz" : "t10k-images-idx3-ubyte.gz";
                assertEquals(TestData.sliceDir().getAbsolutePath() + "/" + images + "#" + row.getAs("id"), row.getAs("path"),
                        "an IDX image is its file and index");
                assertTrue(!row.isNullAt(row.fieldIndex("label")), "IDX images are labelled");
            }
            assertEquals(r.get("embedding_size").asInt(), rows.get(0).getList(rows.get(0).fieldIndex("embedding")).size());
        }
        assertEquals(Main.BAD_INPUT, Main.run(TestData.args("embed", sets, "--model", "nowhere.zip", "--output", out)));
    }

    @Test
    void aFlatFolderIsEmbeddedFileByFileAndItsBadFilesCounted(@TempDir File tmp) throws Exception {
        // Six test images of the slice: four PNGs and a JPEG at the encoder's 28 x 28 and a PNG of 36 x 44 (the
        // probe's centre crop makes it 28 x 28); a corrupt JPEG, a text file, and a subfolder, which is not read.
        ImageRecord[] slice;
        try (InputStream in = Files.newInputStream(new File(TestData.sliceDir(), "t10k-images-idx3-ubyte.gz").toPath())) {
            slice = IdxReader.readImages(in, "t10k", null, 0, 6);
        }
        File flat = new File(tmp, "flat");
        assertTrue(new File(flat, "sub").mkdirs());
        Map<String, ImageRecord> seen = new LinkedHashMap<>(); // what the encoder must see of each good file
        for (int i = 0; i < 4; i++) {
            write(slice[i], "png", new File(flat, "a" + i + ".png"));
            seen.put("a" + i + ".png", slice[i]);
        }
        File jpeg = new File(flat, "b4.jpg");
        write(slice[4], "jpeg", jpeg); // lossy: the encoder sees the file as decoded
        seen.put("b4.jpg", ImageRecord.encoded(4, -1, 1, 28, 28, Files.readAllBytes(jpeg.toPath())).decode(1));
        ImageRecord larger = nearest(slice[5], 36, 44);
        write(larger, "png", new File(flat, "c5.png"));
        seen.put("c5.png", CentreCrop.of(larger, 28));
        write(slice[0], "png", new File(flat, "sub/inside.png"));
        byte[] corrupt = Files.readAllBytes(jpeg.toPath()); // complete (SOI ... EOI), garbage inside
        for (int i = 2; i < corrupt.length - 2; i++) corrupt[i] = (byte) (i * 37);
        Files.write(new File(flat, "corrupt.jpg").toPath(), corrupt);
        Files.writeString(new File(flat, "notes.txt").toPath(), "not an image\n");

        String out = new File(tmp, "emb").getPath();
        File report = new File(tmp, "embed.json");
        List<String> sets = List.of("output.dir=\"" + tmp.getAbsolutePath() + "\"");
        assertEquals(Main.OK, Main.run(TestData.args("embed", sets, "--model", MODEL, "--input", flat.getPath(), "--flat",
                "--output", out, "--report", report.getPath())));
        JsonNode r = new ObjectMapper().readTree(report);
        assertEquals(6, r.at("/images/written").asLong());
        assertEquals(new ObjectMapper().readTree("{\"corrupt\": 1, \"not_an_image\": 1}"), r.get("skipped"));
        assertEquals("all", r.at("/splits/0").asText());
        assertTrue(new File(r.get("map_png").asText()).length() > 0, "a map of unlabelled images too");

        float[][] expected = features(new ArrayList<>(seen.values()));
        try (SparkSession spark = SparkSession.builder().master("local[1]").appName("read").getOrCreate()) {
            Map<String, Row> byPath = new HashMap<>();
            for (Row row : spark.read().parquet(out).collectAsList()) assertEquals(null, byPath.put(row.getAs("path"), row), "each file once");
            int i = 0;
            for (String name : seen.keySet()) {
                Row row = byPath.get(new File(flat, name).toURI().toString());
                assertTrue(row != null, name + " under its URI in " + byPath.keySet());
                assertEquals("all", row.getAs("split"));
                assertTrue(row.isNullAt(row.fieldIndex("label")), "unlabelled: null");
                List<Float> e = row.getList(row.fieldIndex("embedding"));
                float[] f = expected[i++];
                assertEquals(f.length, e.size());
                for (int j = 0; j < f.length; j++) assertEquals(f[j], e.get(j), 1e-4 * (1 + Math.abs(f[j])), name + " feature " + j);
            }
            assertEquals(seen.size(), byPath.size(), "only the good files directly in the folder: " + byPath.keySet());
        }
        assertEquals(Main.BAD_INPUT, Main.run(TestData.args("embed", sets, "--model", MODEL, "--flat", "--output", out)),
                "--flat needs --input");
        assertEquals(Main.BAD_INPUT, Main.run(TestData.args("embed", sets, "--model", MODEL, "--input", flat.getPath(),
                "--flat", "--split", "test", "--output", out)), "a flat folder has no splits");
        assertEquals(Main.BAD_INPUT, Main.run(TestData.args("embed", sets, "--model", MODEL, "--input",
                new File(tmp, "nowhere").getPath(), "--flat", "--output", out)), "a missing folder, before Spark starts");
    }

    @Test
    void shardKeysAreTheIngestedPathsOrTheShardAndRow(@TempDir File tmp) {
        try (SparkSession spark = SparkSession.builder().master("local[1]").appName("shards").getOrCreate()) {
            List<Row> rows = new ArrayList<>();
            for (long id = 0; id < 3; id++) {
                rows.add(RowFactory.create(id, 0, "c", "s3a://bucket/c/" + id + ".jpg", 1, 1, new byte[]{1}));
            }
            var shards = spark.createDataFrame(rows, Ingest.SCHEMA).coalesce(1);
            shards.write().parquet(new File(tmp, "ingested/train").getPath());
            shards.drop("path").write().parquet(new File(tmp, "pathless/train").getPath());
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Map<Long, String> ingested = keys(sc, new File(tmp, "ingested"));
            for (long id = 0; id < 3; id++) assertEquals("s3a://bucket/c/" + id + ".jpg", ingested.get(id));
            Map<Long, String> pathless = keys(sc, new File(tmp, "pathless"));
            for (long id = 0; id < 3; id++) {
                String key = pathless.get(id);
                assertTrue(key.matches("file:.*/pathless/train/part-.*\\.parquet#" + id), key);
            }
        }
    }

    private static Map<Long, String> keys(JavaSparkContext sc, File dir) {
        EsslConfig.Data data = ConfigLoader.load(null, List.of("data.format=parquet",
                "data.dir=\"" + dir.getAbsolutePath() + "\"")).data();
        return new ShardSource(data).keys(sc, ImageSource.Split.TRAIN).collectAsMap();
    }

    /** The fixture encoder's features of images, computed directly (no Spark, no FeatureExtractor). */
    private static float[][] features(List<ImageRecord> images) throws Exception {
        ModelFile.Loaded m = ModelFile.load(MODEL, new Configuration());
        EsslConfig conf = ConfigLoader.load(ConfigLoader.parseRecorded((String) m.metadata().get("config")), null, List.of());
        var encoder = EsslGraph.extractEncoder(m.graph(), conf.model(), new EsslGraph.Shape(1, 28, 28,
                ((Number) m.metadata().get("view3_size")).intValue()));
        INDArray f = encoder.output(false, Normalisation.batch(images.stream().map(FloatImage::of).toList(),
                conf.data().mean(), conf.data().std()))[0];
        return f.toFloatMatrix();
    }

    private static void write(ImageRecord grey, String format, File f) throws Exception {
        BufferedImage img = new BufferedImage(grey.width(), grey.height(), BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, grey.width(), grey.height(), grey.pixels());
        assertTrue(ImageIO.write(img, format, f), format);
    }

    /** A grey image resized to h x w by nearest neighbour. */
    private static ImageRecord nearest(ImageRecord r, int h, int w) {
        byte[] px = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) px[y * w + x] = r.pixels()[(y * r.height() / h) * r.width() + x * r.width() / w];
        }
        return new ImageRecord(r.id(), r.label(), 1, h, w, px);
    }
}
