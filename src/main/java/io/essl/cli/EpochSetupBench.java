package io.essl.cli;

import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;
import io.essl.data.ImageSource;
import io.essl.data.SyntheticTree;
import io.essl.spark.SparkContexts;
import io.essl.train.EpochBatches;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The epoch set-up half of {@code bench spark} (docs/scaling.md): on a synthetic JPEG tree of a given size, in Spark
 * local mode with two cores, the images are loaded once (listed, read, checked, cached: load_s_per_1k_images), then
 * each epoch order delivers two epochs' images, in order, to tasks of 8 batches each, without making views
 * (setup_s_per_1k_images, the mean of the two epochs), and Spark's listener counts what it wrote to shuffle files
 * for that (shuffle_bytes, per epoch).
 */
final class EpochSetupBench {
    /** {@code essl bench tree}: the synthetic tree alone, for trying the data path on a size of one's own. */
    @picocli.CommandLine.Command(name = "tree", mixinStandardHelpOptions = true,
            description = "Write a synthetic ImageFolder tree of small JPEGs (<output>/train/<class>/, 1 % more in <output>/val/).")
    static final class Tree implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Option(names = "--images", required = true, description = "Training images.")
        int images;

        @picocli.CommandLine.Option(names = "--output", required = true, description = "The tree's root folder.")
        File output;

        @picocli.CommandLine.Option(names = "--size", defaultValue = "" + SyntheticTree.SIZE, description = "Side in pixels (default: ${DEFAULT-VALUE}).")
        int size;

        @picocli.CommandLine.Option(names = "--classes", defaultValue = "" + SyntheticTree.CLASSES, description = "Class folders (default: ${DEFAULT-VALUE}).")
        int classes;

        @Override
        public Integer call() throws Exception {
            if (images < 1 || size < 2 || classes < 2) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--images must be at least 1, --size and --classes at least 2");
            }
            SyntheticTree.ensure(output, images, classes, size, SyntheticTree.SEED);
            System.out.println("wrote " + images + " training images in " + classes + " classes to " + output);
            return Main.OK;
        }
    }

    private static final int BATCHES_PER_TASK = 8, EPOCHS = 2;

    private EpochSetupBench() {
    }

    static List<Map<String, Object>> measure(File dir, int images, int blockImages, int batch) throws Exception {
        long t0 = System.nanoTime();
        File tree = SyntheticTree.ensure(new File(dir, "tree-" + images), images, SyntheticTree.CLASSES,
                SyntheticTree.SIZE, SyntheticTree.SEED);
        System.out.printf("synthetic tree of %d images at %s (%.1f s to write or find)%n", images, tree, (System.nanoTime() - t0) / 1e9);
        int partitions = Math.max(2, (images + blockImages - 1) / blockImages);
        EsslConfig conf = ConfigLoader.load(null, List.of("data.format=folder", "data.dir=\"" + tree + "\"",
                "data.partitions=" + partitions, "data.channels=3", "spark.master=\"local[2]\"",
                "spark.conf.\"spark.ui.enabled\"=false",
                "output.dir=\"" + Files.createTempDirectory("essl-bench-setup").toString().replace('\\', '/') + "\""));
        Map<String, SparkBench.TaskBytes> bytes = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        double load;
        try (SparkSession session = SparkContexts.start(conf.spark())) {
            JavaSparkContext sc = SparkContexts.java(session);
            for (String order : List.of("blocks", "shuffle")) {
                bytes.put(order, new SparkBench.TaskBytes("setup " + order));
                sc.sc().addSparkListener(bytes.get(order));
            }
            long l0 = System.nanoTime();
            sc.setJobDescription("load");
            JavaRDD<ImageRecord> cached = ImageSource.of(conf.data()).load(sc, ImageSource.Split.TRAIN, 0)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            long[] blocks = EpochBatches.blockSizes(cached);
            load = (System.nanoTime() - l0) / 1e9;
            for (String order : bytes.keySet()) {
                double sum = 0;
                for (int epoch = 0; epoch < EPOCHS; epoch++) {
                    sc.setJobDescription("setup " + order + " epoch " + epoch);
                    long s0 = System.nanoTime();
                    try (EpochBatches e = new EpochBatches(cached, blocks, 42, epoch, batch, order)) {
                        long got = e.records(0, e.numBatches(), Math.max(1, e.numBatches() / BATCHES_PER_TASK)).count();
                        if (got != (long) e.numBatches() * batch) throw new IllegalStateException(order + " delivered " + got);
                    }
                    sum += (System.nanoTime() - s0) / 1e9;
                }
                seconds.put(order, sum / EPOCHS);
            }
        } // stopped: the listener bus has delivered every event
        List<Map<String, Object>> out = new ArrayList<>();
        for (String order : bytes.keySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("images", images);
            m.put("order", order);
            m.put("blocks", partitions);
            m.put("load_s_per_1k_images", load / images * 1000);
            m.put("setup_s_per_1k_images", seconds.get(order) / images * 1000);
            m.put("shuffle_bytes", bytes.get(order).shuffleWritten() / EPOCHS);
            out.add(m);
            System.out.printf("%d images in %d blocks, %-7s order: load %.3f s per 1k images (once), epoch set-up %.3f s "
                            + "per 1k images, %.1f MB shuffled per epoch%n", images, partitions, order, load / images * 1000,
                    seconds.get(order) / images * 1000, bytes.get(order).shuffleWritten() / EPOCHS / 1e6);
        }
        return out;
    }
}
