package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import io.essl.model.EsslGraph;
import io.essl.model.ModelFile;
import io.essl.probe.FeatureExtractor;
import io.essl.probe.Metrics;
import io.essl.probe.ProbeData;
import io.essl.report.Charts;
import io.essl.report.Provenance;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import io.essl.train.FinetuneJob;
import io.essl.train.LabelSubset;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code essl finetune}: SimCLR's semi-supervised protocol on a saved encoder. A class-balanced fraction of the
 * training labels (chosen by the seed, ids written beside the report), the whole encoder plus a linear head
 * trained on Spark ({@link FinetuneJob}), top-1/top-5 on the test split; the same network from random
 * initialisation trained on the same labels alike, as the reference point.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune a saved encoder with a linear head on a fraction of the labels; compare with random initialisation.")
public class FinetuneCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "A model saved by pretrain.")
    String model;

    @Option(names = "--labels-fraction", paramLabel = "F", description = "Labelled share of the training split, e.g. 0.01, 0.1, 1.0 "
            + "(default: finetune.labels-fraction).")
    Double fraction;

    @Option(names = "--random-init", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also train the same network from random initialisation (default: ${DEFAULT-VALUE}).")
    boolean randomInit;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        if (fraction != null && !(fraction > 0 && fraction <= 1)) throw new ConfigError("--labels-fraction: want 0 < F <= 1, got " + fraction);
        ModelFile.Loaded loaded = Runs.loadModel(model, common);
        List<String> sets = new ArrayList<>(common.overrides);
        if (fraction != null) sets.add("finetune.labels-fraction=" + fraction);
        EsslConfig conf = Runs.modelConfig(loaded, common, sets);
        Runs.preflight(conf);
        EsslGraph.Shape shape = Runs.shapeOf(loaded);
        ComputationGraph encoder = Runs.encoderOf(loaded, conf, shape, model);
        File reportFile = common.reportOr(new File(conf.output().dir(), "finetune-report.json"));
        Report report = new Report().recipe(conf).put("command", "finetune").put("model.path", model)
                .put("provenance", Provenance.of(conf));
        try (SparkSession spark = SparkContexts.start(conf.spark());
             ProbeData data = ProbeData.load(spark, conf)) {
            Runs.checkInputShape(data, shape);
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            LabelSubset labels = LabelSubset.choose(data.train(), conf.finetune().labelsFraction(), conf.seed());
            int classes = labels.perClass().keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
            var labelled = labels.images().persist(StorageLevel.MEMORY_ONLY());
            File ids = Runs.sibling(reportFile, "-labelled-ids.txt");
            writeText(labels.idsText(), ids);
            report.put("labels_fraction", conf.finetune().labelsFraction()).put("labelled_images", labels.size())
                    .put("labelled_per_class", perClass(labels.perClass(), Runs.classNames(conf, classes))).put("labelled_ids_sha256", labels.idsSha256())
                    .put("labelled_ids_file", ids.getPath()).put("classes", classes);
            Map<String, double[][]> curves = new LinkedHashMap<>();
            Metrics tuned = train(spark, sc, conf, data, labelled, shape, classes, encoder, "finetune", report, curves);
            if (randomInit) train(spark, sc, conf, data, labelled, shape, classes, null, "random_init", report, curves);
            File png = Runs.sibling(reportFile, "-curves.png");
            Charts.lines("Fine-tuning on " + labels.size() + " labelled images", "step", "cross-entropy", curves, png);
            report.put("curves_png", png.getPath());
            Charts.confusion(tuned.confusion(), Runs.classNames(conf, classes),
                    "Fine-tuned, top-1 " + String.format("%.4f", tuned.top1()), Runs.sibling(reportFile, "-confusion.png"));
            labelled.unpersist(false);
        }
        Runs.finish(report, reportFile, start);
        return Main.OK;
    }

    /** One fine-tuning run (encoder null: random initialisation), scored on the test split, into the report. */
    private static Metrics train(SparkSession spark, JavaSparkContext sc, EsslConfig conf, ProbeData data,
                                 org.apache.spark.api.java.JavaRDD<io.essl.data.ImageRecord> labelled, EsslGraph.Shape shape,
                                 int classes, ComputationGraph encoder, String key, Report report,
                                 Map<String, double[][]> curves) throws java.io.IOException {
        FinetuneJob.Result r = FinetuneJob.run(sc, conf, labelled, FinetuneJob.classification(conf, shape, classes), encoder, key);
        sc.setJobDescription(key + ": test split");
        Metrics m = Metrics.of(FeatureExtractor.extract(spark, data.test(), r.graph(), conf.data().mean(), conf.data().std(),
                conf.probe().batchSize()), classes);
        sc.setJobDescription(null);
        double[][] xy = new double[2][r.history().size()];
        for (int i = 0; i < xy[0].length; i++) {
            xy[0][i] = r.history().get(i).step();
            xy[1][i] = r.history().get(i).loss();
        }
        curves.put(key.equals("finetune") ? "pre-trained encoder" : "random initialisation", xy);
        report.put(key + ".top1", m.top1()).put(key + ".top5", m.top5()).put(key + ".test_images", m.total())
                .put(key + ".steps", r.steps()).put(key + ".workers", r.workers()).put(key + ".batches_per_step", r.batchesPerStep())
                .put(key + ".seconds", r.seconds())
                .put(key + ".images_per_s", (double) r.steps() * r.workers() * r.batchesPerStep() * conf.finetune().batchSize() / r.seconds())
                .put(key + ".history", r.history());
        System.out.printf("%s: top-1 %.4f top-5 %.4f (%d test images, %d steps, %.0f s)%n", key, m.top1(), m.top5(), m.total(),
                r.steps(), r.seconds());
        return m;
    }

    /** Labelled images per class, by class name (JSON keys are strings). */
    private static Map<String, Integer> perClass(Map<Integer, Integer> counts, String[] names) {
        Map<String, Integer> m = new LinkedHashMap<>();
        counts.forEach((c, n) -> m.put(names[c], n));
        return m;
    }

    private static void writeText(String text, File file) throws java.io.IOException {
        File parent = file.getAbsoluteFile().getParentFile();
        if (parent != null) parent.mkdirs();
        java.nio.file.Files.writeString(file.toPath(), text);
    }
}
