package io.essl.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import io.essl.cli.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A sample ImageFolder tree (Fashion-MNIST as PNG and JPEG, three classes, plus a PNG named .JPEG, a CMYK JPEG and
 * one bad file of each kind): ingest with exact counts per class, per skip reason and per warning, an interrupted
 * ingest run again, and pre-training from the shards and straight from the folders, reporting the same counts.
 */
class IngestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] CLASSES = {"tshirt", "trouser", "pullover"};
    @TempDir
    static File tmp;
    static File tree;

    @BeforeAll
    static void sampleTree() throws Exception {
        tree = new File(tmp, "tree");
        File slice = TestData.sliceDir();
        assertEquals(Map.of("tshirt", 16 + SampleTree.ODD_GOOD_FILES.size(), "trouser", 16, "pullover", 16), SampleTree.write(
                new File(slice, "train-images-idx3-ubyte.gz"), new File(slice, "train-labels-idx1-ubyte.gz"),
                new File(tree, "train"), CLASSES, 3, 16, true));
        SampleTree.write(new File(slice, "t10k-images-idx3-ubyte.gz"), new File(slice, "t10k-labels-idx1-ubyte.gz"),
                new File(tree, "val"), CLASSES, 3, 8, false);
    }

    private static JsonNode ingest(String split, File out) throws Exception {
        File report = new File(tmp, "ingest-" + split + ".json");
        assertEquals(Main.OK, Main.run("ingest", "--input", new File(tree, split).getPath(), "--output",
                new File(out, split).getPath(), "--shard-mb", "1", "--set", "spark.master=\"local[2]\"",
                "--set", "output.dir=\"" + tmp.getPath() + "\"", "--report", report.getPath()));
        return JSON.readTree(report);
    }

    @Test
    void ingestCountsEveryClassAndEveryBadFile() throws Exception {
        File out = new File(tmp, "shards");
        JsonNode r = ingest("train", out);
        assertEquals(50, r.at("/images/written").asInt(), "48 images, the PNG named .JPEG and the CMYK JPEG");
        assertEquals(18, r.at("/classes/tshirt").asInt(), "the odd good files are in the first class folder");
        assertEquals(16, r.at("/classes/trouser").asInt());
        assertEquals(16, r.at("/classes/pullover").asInt());
        JsonNode skipped = r.at("/skipped");
        assertEquals(SampleTree.BAD_FILES.size(), skipped.size(), skipped.toString());
        for (String reason : SampleTree.BAD_FILES.values()) assertEquals(1, skipped.get(reason).asInt(), reason);
        assertEquals(SampleTree.BAD_FILES.size(), r.at("/skipped_files").size());
        for (JsonNode f : r.at("/skipped_files")) {
            String name = new File(f.get("path").asText()).getName();
            assertEquals(SampleTree.BAD_FILES.get(name), f.get("reason").asText(), name + ": " + f.get("detail"));
        }
        assertEquals(JSON.valueToTree(Map.of("renamed", 1)), r.at("/warnings"));
        assertEquals(1, r.at("/warned_files").size());
        JsonNode warned = r.at("/warned_files/0");
        assertEquals("renamed.JPEG", new File(warned.get("path").asText()).getName());
        assertEquals("renamed", warned.get("reason").asText());
        assertEquals("a png file named .JPEG", warned.get("detail").asText());
        JsonNode manifest = JSON.readTree(new File(out, "train/" + Ingest.MANIFEST));
        assertEquals(50, manifest.get("images").asInt());
        for (String key : new String[]{"skipped", "skipped_files", "warnings", "warned_files"}) {
            assertEquals(r.get(key), manifest.get(key), "the manifest records the report's " + key);
        }
        // data.validation reads the training split for both parts: its manifest's counts still count once.
        ImageSource shards = ImageSource.of(io.essl.config.ConfigLoader.load(null, List.of("data.format=parquet",
                "data.dir=\"" + out.getAbsolutePath() + "\"", "data.validation=10")).data());
        try (org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder()
                .master("local[1]").config("spark.ui.enabled", "false").getOrCreate()) {
            var sc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
            shards.load(sc, ImageSource.Split.TEST, 0);
            shards.load(sc, ImageSource.Split.TRAIN, 0);
        }
        assertEquals(r.get("skipped"), JSON.valueToTree(shards.skipped()));
        assertEquals(r.get("warnings"), JSON.valueToTree(shards.warnings()));
        assertEquals(List.of(CLASSES).stream().sorted().toList(),
                JSON.convertValue(manifest.get("classes"), List.class));
    }

    @Test
    void anInterruptedIngestRunAgainIsCompleteAndDuplicateFree() throws Exception {
        File out = new File(tmp, "rerun");
        ingest("train", out);
        // What a crash can leave: no manifest yet, a half-written task output, a stray copy of a shard.
        File dir = new File(out, "train");
        assertTrue(new File(dir, Ingest.MANIFEST).delete());
        File shard = List.of(dir.listFiles((d, n) -> n.endsWith(".parquet"))).get(0);
        Files.copy(shard.toPath(), new File(dir, "part-99999-stray.snappy.parquet").toPath());
        File temporary = new File(dir, "_temporary/0/task_1");
        assertTrue(temporary.mkdirs());
        Files.writeString(new File(temporary, "part-00000.parquet").toPath(), "half a file");

        JsonNode r = ingest("train", out);
        assertEquals(50, r.at("/images/written").asInt(), "the same command again: complete, no duplicates");
        try (org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder()
                .master("local[1]").config("spark.ui.enabled", "false").getOrCreate()) {
            var rows = spark.read().parquet(dir.getPath());
            assertEquals(50, rows.count());
            assertEquals(50, rows.select("id").distinct().count(), "ids are unique");
            assertEquals(50, rows.select("path").distinct().count(), "no image twice");
        }
    }

    @Test
    void pretrainsFromShardsAndFromFoldersReportingTheIngestsCounts() throws Exception {
        File out = new File(tmp, "train-shards");
        JsonNode ingested = ingest("train", out);
        ingest("val", out);
        for (String format : new String[]{"parquet", "folder"}) {
            File run = new File(tmp, "run-" + format);
            List<String> sets = new ArrayList<>(TestData.smallRun(run));
            sets.removeIf(s -> s.startsWith("data.dir"));
            sets.addAll(List.of("data.format=" + format,
                    "data.dir=\"" + (format.equals("parquet") ? out : tree).getAbsolutePath() + "\"",
                    "data.channels=1", "data.class-names=[]", "train.epochs=1", "train.batch-size=8",
                    "train.monitor.knn-every-epochs=0"));
            File report = new File(run, "r.json");
            assertEquals(Main.OK, Main.run(TestData.args("pretrain", sets, "--report", report.getPath())), format);
            JsonNode r = JSON.readTree(report);
            assertEquals(50, r.at("/pretrain/images").asInt(), format + ": the good images of the train split");
            assertEquals(3, r.at("/train/steps_done").asInt(), format + ": 50 images / (2 workers x 8)");
            // The folder source counts what its tasks met, the shards copy the manifest: the same as the ingest.
            assertEquals(ingested.get("skipped"), r.at("/data/skipped"), format + ": skipped");
            assertEquals(ingested.get("warnings"), r.at("/data/warnings"), format + ": warnings");
            assertEquals(1, r.at("/data/warnings/renamed").asInt(), format);
            for (String reason : SampleTree.BAD_FILES.values()) {
                assertEquals(1, r.at("/data/skipped/" + reason).asInt(), format + ": " + reason + " reported");
            }
        }
    }

    @Test
    void pipelineFromShardsProbesCentreCropsAtTheEncodersSize() throws Exception {
        File out = new File(tmp, "pipeline-shards");
        ingest("train", out);
        ingest("val", out);
        File run = new File(tmp, "run-pipeline");
        List<String> sets = new ArrayList<>(TestData.smallRun(run));
        sets.removeIf(s -> s.startsWith("data.dir"));
        // 24 px views of the 28 px images: the probe sees each image's centre crop resized to 24.
        sets.addAll(List.of("data.format=parquet", "data.dir=\"" + out.getAbsolutePath() + "\"", "data.channels=1",
                "data.class-names=[]", "augment.view-size=24", "augment.view3-size=12", "train.epochs=1",
                "train.batch-size=8", "train.monitor.knn-every-epochs=0"));
        File report = new File(run, "r.json");
        assertEquals(Main.OK, Main.run(TestData.args("pipeline", sets, "--report", report.getPath())));
        JsonNode r = JSON.readTree(report);
        assertEquals(50, r.at("/probe/train_images").asInt());
        assertEquals(24, r.at("/probe/test_images").asInt());
        double top1 = r.at("/probe/top1").asDouble();
        assertTrue(top1 > 1 / 3.0 && top1 <= 1, "three classes, above chance: " + top1);
    }

    @Test
    void aFlatFolderWithALabelsFileTakesTheTrainingSplitsClasses() throws Exception {
        // ImageNet's validation layout: one folder, classes in a file (Kaggle's CSV), and here one class missing.
        File flat = new File(tmp, "flat");
        assertTrue(flat.mkdirs());
        StringBuilder csv = new StringBuilder("ImageId,PredictionString\n");
        for (String c : new String[]{"tshirt", "trouser"}) {
            for (File f : new File(tree, "val/" + c).listFiles()) {
                Files.copy(f.toPath(), new File(flat, f.getName()).toPath());
                String id = f.getName().substring(0, f.getName().lastIndexOf('.'));
                csv.append(id).append(',').append(c).append(" 10 20 30 40 ").append(c).append(" 1 2 3 4\n");
            }
        }
        File pullover = new File(tree, "val/pullover").listFiles()[0]; // an image the labels file does not name
        Files.copy(pullover.toPath(), new File(flat, pullover.getName()).toPath());
        File labels = new File(tmp, "LOC_val_solution.csv");
        Files.writeString(labels.toPath(), csv);

        File out = new File(tmp, "flat-shards");
        ingest("train", out);
        File report = new File(tmp, "ingest-flat.json");
        String[] common = {"--shard-mb", "1", "--set", "spark.master=\"local[2]\"", "--set",
                "output.dir=\"" + tmp.getPath() + "\"", "--report", report.getPath()};
        List<String> args = new ArrayList<>(List.of("ingest", "--input", flat.getPath(), "--output",
                new File(out, "val").getPath(), "--labels", labels.getPath(), "--classes-from",
                new File(out, "train").getPath()));
        args.addAll(List.of(common));
        assertEquals(Main.OK, Main.run(args.toArray(String[]::new)));
        JsonNode r = JSON.readTree(report);
        assertEquals(16, r.at("/images/written").asInt());
        assertEquals(8, r.at("/classes/tshirt").asInt());
        assertEquals(8, r.at("/classes/trouser").asInt());
        assertEquals(0, r.at("/classes/pullover").asInt(), "a class of the training split missing here");
        assertEquals(1, r.at("/skipped/no_label").asInt(), r.at("/skipped").toString());
        try (org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder()
                .master("local[1]").config("spark.ui.enabled", "false").getOrCreate()) {
            for (var row : spark.read().parquet(new File(out, "val").getPath()).select("class", "label").distinct()
                    .collectAsList()) {
                assertEquals(List.of("pullover", "trouser", "tshirt").indexOf(row.getString(0)), row.getInt(1),
                        "the training split's label of " + row.getString(0));
            }
        }

        // Without --classes-from the split numbers only its own two classes: training refuses the pair.
        File other = new File(tmp, "flat-own-classes");
        ingest("train", other);
        args = new ArrayList<>(List.of("ingest", "--input", flat.getPath(), "--output", new File(other, "val").getPath(),
                "--labels", labels.getPath()));
        args.addAll(List.of(common));
        assertEquals(Main.OK, Main.run(args.toArray(String[]::new)));
        File run = new File(tmp, "run-mismatch");
        List<String> sets = new ArrayList<>(TestData.smallRun(run));
        sets.removeIf(x -> x.startsWith("data.dir"));
        sets.addAll(List.of("data.format=parquet", "data.dir=\"" + other.getAbsolutePath() + "\"", "data.channels=1",
                "data.class-names=[]"));
        assertEquals(2, Main.run(TestData.args("pretrain", sets)), "classes numbered differently: exit code 2");
    }

    @Test
    void labelsFilesReadInBothLayouts() throws Exception {
        File plain = new File(tmp, "labels.txt");
        Files.writeString(plain.toPath(), "# file class\nILSVRC2012_val_00000001.JPEG n01751748\n\n"
                + "ILSVRC2012_val_00000002.JPEG\tn09193705\n");
        Labels l = Labels.read(new org.apache.hadoop.conf.Configuration(), plain.getPath());
        assertEquals("n01751748", l.of("ILSVRC2012_val_00000001.JPEG"));
        assertEquals("n09193705", l.of("ILSVRC2012_val_00000002.JPEG"));
        assertNull(l.of("ILSVRC2012_val_00000003.JPEG"));
        assertEquals(List.of("n01751748", "n09193705"), l.classes());
        File kaggle = new File(tmp, "kaggle.csv");
        Files.writeString(kaggle.toPath(), "ImageId,PredictionString\nILSVRC2012_val_00008726,n02119789 255 142 454 329 "
                + "n02119789 44 21 322 295\n");
        assertEquals("n02119789", Labels.read(new org.apache.hadoop.conf.Configuration(), kaggle.getPath())
                .of("ILSVRC2012_val_00008726.JPEG"), "matched without the extension");
        Files.writeString(plain.toPath(), "just-a-name\n");
        assertThrows(io.essl.config.ConfigError.class,
                () -> Labels.read(new org.apache.hadoop.conf.Configuration(), plain.getPath()));
    }
}
