package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import io.essl.data.ImageSource;
import io.essl.model.EsslGraph;
import io.essl.model.ModelFile;
import io.essl.augment.Groups;
import io.essl.probe.ProbeData;
import io.essl.probe.ProbeJob;
import io.essl.report.Charts;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import io.essl.report.Provenance;
import io.essl.report.Report;
import io.essl.config.RecipeDiff;
import io.essl.train.Checkpoints;
import io.essl.train.PretrainJob;
import io.essl.train.RunLock;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The steps the commands share: checks before Spark starts, pre-train and save, probe, report. */
final class Runs {
    private Runs() {
    }

    /** Everything that can be checked without Spark: data files exist, output folder can be created. */
    static void preflight(EsslConfig conf) {
        preflight(conf, ImageSource.of(conf.data()));
    }

    /** {@link #preflight(EsslConfig)} for images read from another source than data.format's (embed --flat). */
    static void preflight(EsslConfig conf, ImageSource images) {
        images.checkExists(io.essl.spark.SparkContexts.hadoop(conf.spark()));
        Groups.of(conf.model(), conf.seed()); // model.group, group-size, group-samples against each other and lambda
        io.essl.spark.CudaSupport.checkBeforeTraining(); // a -Pcuda build on a GPU it has no machine code for
        RobustnessReport.check(conf);
        File out = new File(conf.output().dir());
        if (!out.isDirectory() && !out.mkdirs()) throw new ConfigError("cannot create output folder " + out);
    }

    /** A training run's hold on its folders and, when it resumes, the recipe keys {@code --force} let change. */
    record Claim(RunLock lock, Map<String, List<String>> forcedKeys) implements AutoCloseable {
        static Claim none() {
            return new Claim(null, Map.of());
        }

        @Override
        public void close() {
            if (lock != null) lock.close();
        }
    }

    /**
     * Before a training run's Spark starts: locks its output and checkpoint folders (a second run there fails at
     * once, naming the holder), and when resuming, refuses a recipe that differs from the checkpoint's in more than
     * run-length keys unless {@code force}.
     */
    static Claim claim(EsslConfig conf, String command, boolean force) {
        org.apache.hadoop.conf.Configuration hadoop = io.essl.spark.SparkContexts.hadoop(conf.spark());
        String checkpoints = Checkpoints.dirOf(conf);
        // The default checkpoint folder lies inside the output folder, whose lock covers it.
        RunLock lock = conf.train().checkpointDir().isBlank() ? RunLock.acquire(hadoop, command, conf.output().dir())
                : RunLock.acquire(hadoop, command, conf.output().dir(), checkpoints);
        try {
            Map<String, List<String>> diff = Map.of();
            if (conf.train().resume().equals("auto")) {
                var last = new Checkpoints(checkpoints, 1, hadoop).latestMetadata();
                if (last.isPresent()) diff = RecipeDiff.of(String.valueOf(last.get().get("config")), conf.rendered());
            }
            if (!diff.isEmpty() && !force) {
                throw new ConfigError("--resume with a changed recipe (" + RecipeDiff.describe(diff) + "): only run-length "
                        + "keys such as train.epochs, train.max-steps, train.max-seconds may change; --force continues anyway");
            }
            if (!diff.isEmpty()) System.err.println("essl: warning: resuming with a changed recipe (--force): " + RecipeDiff.describe(diff));
            return new Claim(lock, diff);
        } catch (java.io.IOException e) {
            lock.close();
            throw new ConfigError("cannot read the checkpoints in " + checkpoints + ": " + e.getMessage());
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Provenance, with the recipe keys a forced resume changed (key: [checkpoint's value, this run's]). */
    static Map<String, Object> provenance(EsslConfig conf, Claim claim) {
        Map<String, Object> p = Provenance.of(conf);
        if (!claim.forcedKeys().isEmpty()) p.put("resume_forced", claim.forcedKeys());
        return p;
    }

    static PretrainJob.Result pretrainAndSave(SparkSession spark, EsslConfig conf, Claim claim, String modelPath,
                                              Report report) throws Exception {
        io.essl.spark.ClusterEvents events = io.essl.spark.ClusterEvents.attach(spark.sparkContext());
        Map<String, Object> provenance = provenance(conf, claim);
        PretrainJob.Result r = new PretrainJob(conf, sc -> new io.essl.probe.KnnMonitor(sc, conf), provenance)
                .run(io.essl.spark.SparkContexts.java(spark));
        spark.sparkContext().removeSparkListener(events);
        report.put("spark.master", spark.sparkContext().master());
        for (Map.Entry<String, Object> e : events.summary().entrySet()) report.put("spark." + e.getKey(), e.getValue());
        ModelFile.save(r.graph(), io.essl.train.ModelMetadata.model(conf, r, provenance), modelPath, spark.sparkContext().hadoopConfiguration());
        if (!r.history().isEmpty()) {
            File png = new File(conf.output().dir(), "pretrain-curves.png");
            int n = r.history().size();
            int[] steps = new int[n];
            double[] c = new double[n], g = new double[n], lr = new double[n];
            for (int i = 0; i < n; i++) {
                PretrainJob.StepLog s = r.history().get(i);
                steps[i] = s.step();
                c[i] = s.invariance();
                g[i] = s.group();
                lr[i] = s.learningRate();
            }
            Charts.trainingCurves(steps, c, g, lr, io.essl.model.SslMethod.of(conf.model()).lossName(conf.model()), png);
            report.put("pretrain.curves_png", png.getPath());
            double[] acc = new double[n];
            double[] monitor = new double[n];
            for (int i = 0; i < n; i++) {
                acc[i] = conf.model().lambda() > 0 ? r.history().get(i).groupAccuracy() : Double.NaN;
                monitor[i] = r.history().get(i).monitorAccuracy();
            }
            int m = r.knnMonitor().size();
            int[] knnSteps = new int[m];
            double[] knn = new double[m];
            for (int i = 0; i < m; i++) {
                knnSteps[i] = r.knnMonitor().get(i).step();
                knn[i] = r.knnMonitor().get(i).top1();
            }
            File accPng = new File(conf.output().dir(), "pretrain-accuracy.png");
            Charts.accuracyCurves(steps, acc, monitor, knnSteps, knn, accPng);
            if (!Double.isNaN(monitor[n - 1])) report.put("pretrain.online_monitor_accuracy", monitor[n - 1]);
            report.put("pretrain.accuracy_png", accPng.getPath());
        }
        report.put("model.path", modelPath)
                .put("pretrain.method", io.essl.model.SslMethod.displayName(conf.model()))
                .put("pretrain.lambda", conf.model().lambda())
                .put("pretrain.group", Groups.nameOf(conf.model()))
                .put("pretrain.group_size", Groups.sizeOf(conf.model(), conf.seed()))
                .put("pretrain.images", r.images())
                .put("pretrain.workers", r.workers())
                .put("train.strategy", conf.train().strategy())
                .put("pretrain.images_per_step", r.imagesPerStep())
                .put("pretrain.steps", r.stepsDone())
                .put("pretrain.steps_planned", r.stepsPlanned())
                .put("pretrain.epochs", r.epochsDone())
                .put("pretrain.stopped_by_time_limit", r.stoppedByTimeLimit())
                .put("pretrain.checkpoints", r.checkpointDir())
                .put("data.skipped", r.skipped())
                .put("data.warnings", r.warnings())
                .put("train.steps_done", r.stepsDone())
                .put("train.resumed_from_step", r.resumedFromStep())
                .put("pretrain.seconds", r.seconds())
                .put("pretrain.images_per_second", r.stepsDone() * (double) r.imagesPerStep() / r.seconds())
                .put("pretrain.first_loss", first(r))
                .put("pretrain.last_loss", last(r))
                .put("pretrain.knn_monitor", r.knnMonitor())
                .put("pretrain.history", r.history())
                .put("loss.parts", lossParts(r, conf.model().lambda() > 0));
        return r;
    }

    /** pretrain, save, then probe the trained encoder (already in memory: the saved file holds the same). */
    static void pretrainAndProbe(SparkSession spark, EsslConfig conf, Claim claim, String modelPath, boolean randomFloor,
                                 Report report, File reportFile) throws Exception {
        PretrainJob.Result r = pretrainAndSave(spark, conf, claim, modelPath, report);
        probeAll(spark, conf, r.graph(), r.shape(), randomFloor, report, reportFile);
    }

    /** One run of a study: pretrain and probe into dir (model.zip, report.json); the report as a map. */
    static Map<String, Object> studyRun(SparkSession spark, EsslConfig conf, File dir) throws Exception {
        long runStart = System.nanoTime();
        Report report = new Report().recipe(conf).put("provenance", Provenance.of(conf));
        File reportFile = new File(dir, "report.json");
        pretrainAndProbe(spark, conf, Claim.none(), new File(dir, "model.zip").getPath(), false, report, reportFile);
        finish(report, reportFile, runStart);
        return report.asMap();
    }

    /**
     * A study run already finished with this very recipe, for a study resumed (another session, a stopped one):
     * dir's report.json when its provenance hash equals conf's resolved configuration and it has a probe result;
     * null otherwise. The code that made it may be older: its git commit stays in the report's provenance.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> finishedStudyRun(EsslConfig conf, File dir) throws java.io.IOException {
        File file = new File(dir, "report.json");
        if (!file.isFile()) return null;
        Map<String, Object> r = new com.fasterxml.jackson.databind.ObjectMapper().readValue(file, Map.class);
        Object hash = r.get("provenance") instanceof Map<?, ?> p ? p.get("config_sha256") : null;
        if (!Provenance.sha256(conf.rendered()).equals(hash) || Double.isNaN(num(r, "probe", "top1"))) return null;
        System.out.println("resume: reusing " + file.getPath() + " (same recipe, finished)");
        return r;
    }

    /**
     * The group head's accuracy over the last tenth of the steps (at least one) of a run's report (its loss.parts):
     * whether the head could learn the group at all. NaN without a group head.
     */
    static double lastGroupAccuracy(Map<String, Object> r) {
        if (!(r.get("loss") instanceof Map<?, ?> loss) || !(loss.get("parts") instanceof List<?> parts) || parts.isEmpty()) {
            return Double.NaN;
        }
        int n = Math.max(1, parts.size() / 10);
        double sum = 0;
        for (Object step : parts.subList(parts.size() - n, parts.size())) {
            if (!(step instanceof Map<?, ?> m) || !(m.get("group_accuracy") instanceof Number a)) return Double.NaN;
            sum += a.doubleValue();
        }
        return sum / n;
    }

    /** A number of a report section (NaN when absent). */
    @SuppressWarnings("unchecked")
    static double num(Map<String, Object> r, String section, String key) {
        Object s = r.get(section);
        Object v = s instanceof Map ? ((Map<String, Object>) s).get(key) : null;
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static Map<String, Double> first(PretrainJob.Result r) {
        return parts(r.history().isEmpty() ? null : r.history().get(0));
    }

    private static Map<String, Double> last(PretrainJob.Result r) {
        return parts(r.history().isEmpty() ? null : r.history().get(r.history().size() - 1));
    }

    /**
     * Per step, the parts the loss is made of: the method's invariance loss, the weighted group loss and the group
     * head's accuracy (with lambda > 0), the online monitor's accuracy (with one).
     */
    private static List<Map<String, Object>> lossParts(PretrainJob.Result r, boolean withGroup) {
        return r.history().stream().map(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", s.step());
            m.put("invariance", s.invariance());
            if (withGroup) {
                m.put("group", s.group());
                m.put("group_accuracy", s.groupAccuracy());
            }
            if (!Double.isNaN(s.monitorAccuracy())) m.put("online_monitor_accuracy", s.monitorAccuracy());
            return m;
        }).toList();
    }

    private static Map<String, Double> parts(PretrainJob.StepLog s) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (s != null) {
            m.put("invariance", s.invariance());
            m.put("group", s.group());
        }
        return m;
    }

    /** A saved model, or a config error (exit 2) naming the path: missing, or not one of ours. */
    static ModelFile.Loaded loadModel(String model, CommonOptions common) {
        try {
            return ModelFile.load(model, io.essl.spark.SparkContexts.hadoop(
                    io.essl.config.ConfigLoader.load(common.config, common.overrides).spark())); // s3a settings for the path
        } catch (java.io.FileNotFoundException e) {
            throw new ConfigError("model not found: " + model);
        } catch (Exception e) {
            throw new ConfigError("not a readable essl-spark model: " + model + " (" + e.getMessage() + ")");
        }
    }

    /** The frozen encoder of a saved model under the run's configuration: a config error if they do not match. */
    static ComputationGraph encoderOf(ModelFile.Loaded loaded, EsslConfig conf, EsslGraph.Shape shape, String model) {
        try {
            return EsslGraph.extractEncoder(loaded.graph(), conf.model(), shape);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConfigError(model + ": " + e.getMessage());
        }
    }

    /**
     * The configuration of a command on a saved model: the model's own recorded configuration is the base (same
     * data and normalisation), then --config and the --set overrides.
     */
    static EsslConfig modelConfig(ModelFile.Loaded loaded, CommonOptions common, List<String> overrides) {
        return io.essl.config.ConfigLoader.load(io.essl.config.ConfigLoader.parseRecorded((String) loaded.metadata().get("config")),
                common.config, overrides);
    }

    /** The input geometry recorded in a model file. */
    @SuppressWarnings("unchecked")
    static EsslGraph.Shape shapeOf(ModelFile.Loaded model) {
        List<Integer> s = (List<Integer>) model.metadata().get("input_shape");
        Object v3 = model.metadata().get("view3_size");
        return v3 == null ? new EsslGraph.Shape(s.get(0), s.get(1), s.get(2))
                : new EsslGraph.Shape(s.get(0), s.get(1), s.get(2), ((Number) v3).intValue());
    }

    /**
     * Probes the encoder of a (trained or initialised) E-SSL graph with the configured protocol and kNN; with
     * {@code probe.baselines} (or {@code randomFloor}) also a randomly initialised encoder of the same
     * architecture, and with {@code probe.baselines} the raw pixels. Writes the confusion matrix PNG next to
     * the report.
     */
    static void probeAll(SparkSession spark, EsslConfig conf, ComputationGraph full, EsslGraph.Shape shape,
                         boolean randomFloor, Report report, File reportFile) throws Exception {
        try (ProbeData data = ProbeData.load(spark, conf)) {
            checkInputShape(data, shape);
            ProbeJob.Result r = ProbeJob.encoder(spark, conf, data, EsslGraph.extractEncoder(full, conf.model(), shape), "model", true,
                    conf.probe().exportEmbeddings());
            putProbe(report, "probe", r);
            // bad files and warned ones met reading the splits (known after use)
            report.put("data.skipped", data.source().skipped()).put("data.warnings", data.source().warnings());
            if (r.knn() != null) {
                report.put("knn.top1", r.knn().top1()).put("knn.top5", r.knn().top5())
                        .put("knn.k", conf.probe().knnK()).put("knn.temperature", conf.probe().knnTemperature());
            }
            if (!conf.probe().exportEmbeddings().isBlank()) report.put("probe.embeddings", conf.probe().exportEmbeddings());
            File png = sibling(reportFile, "-confusion.png");
            Charts.confusion(r.probe().confusion(), classNames(conf, r.probe().confusion().length),
                    "Linear probe (" + r.protocol() + "), top-1 " + String.format("%.4f", r.probe().top1()), png);
            report.put("probe.confusion_png", png.getPath());
            if (r.map() != null) {
                File map = sibling(reportFile, "-map.png");
                int classes = java.util.Arrays.stream(r.map().labels()).max().orElse(0) + 1;
                Charts.embeddingMap("Test embeddings on the training features' first two principal components ("
                        + r.map().labels().length + " points)", r.map().xy(), r.map().labels(), classNames(conf, classes), map);
                report.put("probe.map_png", map.getPath());
            }
            boolean robustness = conf.probe().robustness().enabled();
            if (randomFloor || conf.probe().baselines() || robustness) { // also the baseline of the corruption errors
                ProbeJob.Result random = ProbeJob.encoder(spark, conf, data,
                        EsslGraph.randomEncoder(conf.model(), shape, conf.seed()), "random encoder", false, null);
                putProbe(report, "baselines.random_encoder", random);
                if (robustness) {
                    RobustnessReport.put(report, reportFile, conf, data.test().first(), r.robustness(), random.robustness());
                }
            }
            if (conf.probe().baselines()) putProbe(report, "baselines.raw_pixels", ProbeJob.pixels(spark, conf, data));
        }
    }

    /** The probe's images (after the centre view) must be what the encoder takes. */
    static void checkInputShape(ProbeData data, EsslGraph.Shape shape) {
        io.essl.data.ImageRecord first = data.train().first();
        if (first.channels() != shape.channels() || first.height() != shape.height() || first.width() != shape.width()) {
            throw new ConfigError("the encoder takes " + shape.channels() + "x" + shape.height() + "x" + shape.width()
                    + " images (channels x height x width) but the data gives " + first.channels() + "x" + first.height()
                    + "x" + first.width() + " (set data.channels, or augment.view-size to resize)");
        }
    }

    static void putProbe(Report report, String prefix, ProbeJob.Result r) {
        report.put(prefix + ".protocol", r.protocol())
                .put(prefix + ".top1", r.probe().top1())
                .put(prefix + ".top5", r.probe().top5())
                .put(prefix + ".test_images", r.probe().total())
                .put(prefix + ".features", r.features())
                .put(prefix + ".seconds", r.seconds());
        if (r.fast() != null) {
            report.put(prefix + ".train_images", r.fast().trainRows())
                    .put(prefix + ".reg_param", r.fast().regParam())
                    .put(prefix + ".validation_images", r.fast().validationRows())
                    .put(prefix + ".validation_top1", r.fast().validationTop1())
                    .put(prefix + ".validation_iterations", r.fast().validationIterations())
                    .put(prefix + ".iterations", r.fast().iterations())
                    .put(prefix + ".converged", r.fast().converged())
                    .put(prefix + ".search_converged", r.fast().searchConverged())
                    .put(prefix + ".max_iter", r.fast().maxIter())
                    .put(prefix + ".tolerance", r.fast().tolerance());
        }
        report.put(prefix + ".per_class_top1", r.probe().perClassAccuracy())
                .put(prefix + ".confusion", r.probe().confusion());
    }

    static String[] classNames(EsslConfig conf, int classes) {
        String[] names = new String[classes];
        for (int i = 0; i < classes; i++) {
            names[i] = i < conf.data().classNames().size() ? conf.data().classNames().get(i) : Integer.toString(i);
        }
        return names;
    }

    static File sibling(File reportFile, String suffix) {
        String name = reportFile.getName().replaceFirst("\\.json$", "");
        return new File(reportFile.getAbsoluteFile().getParentFile(), name + suffix);
    }

    static void finish(Report report, File file, long startNanos) throws Exception {
        report.put("elapsed_s", (System.nanoTime() - startNanos) / 1e9);
        report.write(file);
        System.out.println("report: " + file.getAbsolutePath());
    }
}
