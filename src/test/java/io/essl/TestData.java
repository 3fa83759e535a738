package io.essl;

import java.io.File;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/** The committed Fashion-MNIST slice (512 train / 256 test images) and settings for short test runs. */
public final class TestData {
    private TestData() {
    }

    public static File sliceDir() {
        try {
            return new File(TestData.class.getResource("/fashion-mnist-slice").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** --set flags for a small, fast run on the slice. */
    public static List<String> smallRun(File outputDir) {
        List<String> s = new ArrayList<>(List.of(
                "data.dir=\"" + sliceDir().getAbsolutePath() + "\"",
                "output.dir=\"" + outputDir.getAbsolutePath() + "\"",
                "spark.master=\"local[2]\"",
                "model.width=0.125", "model.projector=[64, 32]", "model.rotation-head=[64]",
                "train.epochs=3", "train.batch-size=32", "train.optimizer=adam", "train.base-lr=0.002",
                "train.weight-decay=0", "train.warmup-epochs=0", "probe.max-iter=40",
                "train.monitor.train-images=512", "train.monitor.test-images=256", "probe.knn.k=20",
                "probe.map=false")); // the map (a PCA and a picture per probe) is tested in PipelineTest
        return s;
    }

    /**
     * A child JVM running {@code essl} as bin/essl starts it (its JVM flags, this test JVM's classpath), with
     * Spark on the loopback address; output and errors go to {@code log}. For faults and environments a test
     * cannot give its own JVM (SIGKILL, environment variables).
     */
    public static ProcessBuilder esslProcess(File log, String heap, List<String> args) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").getPath()));
        cmd.addAll(java.nio.file.Files.readAllLines(new File("bin/jvm-flags").toPath()).stream().filter(l -> !l.isBlank()).toList());
        cmd.addAll(List.of("-Xmx" + heap, "-Dorg.bytedeco.javacpp.maxbytes=4G", "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), "io.essl.cli.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        pb.environment().put("OMP_NUM_THREADS", "2");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb;
    }

    public static String[] args(String command, List<String> sets, String... more) {
        List<String> a = new ArrayList<>();
        a.add(command);
        for (String s : sets) {
            a.add("--set");
            a.add(s);
        }
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }
}
