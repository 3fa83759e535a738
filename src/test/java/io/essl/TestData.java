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
                "train.weight-decay=0", "train.warmup-epochs=0", "probe.max-iter=100",
                "train.monitor.train-images=512", "train.monitor.test-images=256", "probe.knn.k=20"));
        return s;
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
