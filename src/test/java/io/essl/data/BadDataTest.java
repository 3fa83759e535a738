package io.essl.data;

import io.essl.TestData;
import io.essl.cli.Main;
import io.essl.config.ConfigError;
import io.essl.config.ConfigLoader;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Data that cannot be trained on as it stands is bad input: one readable line and exit code 2, from the checks
 * before Spark starts (labels past data.class-names, a malformed labels file, a data set of one class as IDX
 * labels, an image tree or shards).
 */
class BadDataTest {
    @TempDir
    File tmp;

    /** The command's exit code and its error output, which must be one line starting "essl: ". */
    private record Outcome(int code, String message) {
    }

    private static Outcome run(String command, List<String> sets) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), TestData.args(command, sets));
        String msg = err.toString().strip();
        assertEquals(1, msg.lines().count(), "one line: " + msg);
        assertTrue(msg.startsWith("essl: "), msg);
        return new Outcome(code, msg);
    }

    /** A small run on {@code dir} (the slice's layout) with {@code more} settings. */
    private List<String> sets(File dir, String... more) {
        List<String> s = new ArrayList<>(TestData.smallRun(new File(tmp, "out")));
        s.removeIf(x -> x.startsWith("data.dir"));
        s.add("data.dir=\"" + dir.getAbsolutePath() + "\"");
        s.addAll(List.of(more));
        return s;
    }

    /** The committed slice's labels of a split (gzipped IDX). */
    private static int[] sliceLabels(String name) throws IOException {
        try (InputStream in = Files.newInputStream(new File(TestData.sliceDir(), name).toPath())) {
            return IdxReader.readLabels(in, name);
        }
    }

    /** An idx1 labels file, plain (IdxReader reads gzip or not by the content). */
    private static void writeLabels(File f, int[] labels) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new FileOutputStream(f))) {
            out.writeInt(0x00000801);
            out.writeInt(labels.length);
            for (int l : labels) out.writeByte(l);
        }
    }

    /** The slice's files in a new folder, the labels of {@code split} ("train" or "t10k") replaced. */
    private File sliceWithLabels(String split, int[] labels) throws IOException {
        File dir = new File(tmp, "idx");
        assertTrue(dir.mkdirs());
        for (File f : TestData.sliceDir().listFiles((d, n) -> n.endsWith(".gz"))) {
            Files.copy(f.toPath(), new File(dir, f.getName()).toPath());
        }
        writeLabels(new File(dir, split + "-labels-idx1-ubyte.gz"), labels);
        return dir;
    }

    @Test
    void anIdxLabelPastTheDeclaredClassesNamesTheFileTheFirstBadIndexAndTheRange() throws Exception {
        int[] labels = sliceLabels("train-labels-idx1-ubyte.gz");
        labels[37] = 10; // data.class-names declares the ten Fashion-MNIST classes: 0..9
        labels[100] = 200;
        File dir = sliceWithLabels("train", labels);
        String file = dir.getAbsolutePath() + "/train-labels-idx1-ubyte.gz";
        for (String command : new String[]{"pretrain", "demo"}) {
            Outcome o = run(command, sets(dir));
            assertEquals(Main.BAD_INPUT, o.code(), command + ": " + o.message());
            assertTrue(o.message().contains(file + ": label 10 at index 37 is out of range"), o.message());
            assertTrue(o.message().contains("declares 10 classes, so labels must be in [0, 9]"), o.message());
        }
        // Without class names the labels are taken as they are: the same files pass the checks.
        ImageSource.of(ConfigLoader.load(null, sets(dir, "data.class-names=[]")).data()).checkExists(new Configuration());
        // Loading checks too (a caller need not have run the checks first), still as bad input.
        IdxSource source = new IdxSource(ConfigLoader.load(null, sets(dir)).data());
        ConfigError e = assertThrows(ConfigError.class, () -> source.labels(new Configuration(), ImageSource.Split.TRAIN));
        assertTrue(e.getMessage().contains("label 10 at index 37"), e.getMessage());
    }

    @Test
    void anIdxTestLabelOutOfRangeIsRefusedToo() throws Exception {
        int[] labels = sliceLabels("t10k-labels-idx1-ubyte.gz");
        labels[0] = 12;
        File dir = sliceWithLabels("t10k", labels);
        Outcome o = run("pretrain", sets(dir));
        assertEquals(Main.BAD_INPUT, o.code(), o.message());
        assertTrue(o.message().contains(dir.getAbsolutePath() + "/t10k-labels-idx1-ubyte.gz: label 12 at index 0"),
                o.message());
    }

    @Test
    void idxLabelsOfOneClassAreRefused() throws Exception {
        int[] labels = new int[512];
        java.util.Arrays.fill(labels, 3);
        File dir = sliceWithLabels("train", labels);
        Outcome o = run("pretrain", sets(dir));
        assertEquals(Main.BAD_INPUT, o.code(), o.message());
        assertTrue(o.message().contains(dir.getAbsolutePath() + "/train-labels-idx1-ubyte.gz has only one class (3)"),
                o.message());
        assertTrue(o.message().endsWith("a data set needs at least two classes"), o.message());
    }

    @Test
    void aMalformedLabelsFileIsBadInput() throws Exception {
        File dir = sliceWithLabels("train", new int[0]);
        Files.writeString(new File(dir, "train-labels-idx1-ubyte.gz").toPath(), "not labels");
        Outcome o = run("pretrain", sets(dir));
        assertEquals(Main.BAD_INPUT, o.code(), o.message());
        assertTrue(o.message().contains("train-labels-idx1-ubyte.gz: not an unsigned-byte IDX file"), o.message());
    }

    /** An image tree of one class, tshirt, in both splits. */
    private File oneClassTree() throws IOException {
        File tree = new File(tmp, "tree");
        File slice = TestData.sliceDir();
        for (String split : new String[]{"train", "val"}) {
            SampleTree.write(new File(slice, "train-images-idx3-ubyte.gz"), new File(slice, "train-labels-idx1-ubyte.gz"),
                    new File(tree, split), new String[]{"tshirt"}, 1, 4, false);
        }
        return tree;
    }

    @Test
    void anImageTreeWithOneClassFolderIsRefused() throws Exception {
        File tree = oneClassTree();
        Outcome o = run("pretrain", sets(tree, "data.format=folder", "data.channels=1", "data.class-names=[]"));
        assertEquals(Main.BAD_INPUT, o.code(), o.message());
        assertTrue(o.message().contains("image folder " + tree.getAbsolutePath() + "/train"), o.message());
        assertTrue(o.message().contains("has only one class (tshirt): a data set needs at least two classes"),
                o.message());
    }

    @Test
    void shardsOfOneClassAreRefused() throws Exception {
        File tree = oneClassTree();
        File shards = new File(tmp, "shards");
        // ingest takes a one-class split (it may be one part of a data set); training from it is refused
        assertEquals(Main.OK, Main.run("ingest", "--input", new File(tree, "train").getPath(), "--output",
                new File(shards, "train").getPath(), "--set", "spark.master=\"local[1]\"",
                "--set", "output.dir=\"" + tmp.getPath() + "\"", "--report", new File(tmp, "ingest.json").getPath()));
        File val = new File(shards, "val"); // the same shards as the test split: a real ingest's output
        assertTrue(val.mkdirs());
        for (File f : new File(shards, "train").listFiles()) {
            assertTrue(f.isFile(), f.getPath());
            Files.copy(f.toPath(), new File(val, f.getName()).toPath());
        }
        Outcome o = run("pretrain", sets(shards, "data.format=parquet", "data.channels=1", "data.class-names=[]"));
        assertEquals(Main.BAD_INPUT, o.code(), o.message());
        assertTrue(o.message().contains("data.format = parquet: " + shards.getAbsolutePath() + "/train"), o.message());
        assertTrue(o.message().contains("has only one class (tshirt): a data set needs at least two classes"),
                o.message());
    }
}
