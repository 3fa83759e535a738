package io.essl.train;

import com.fasterxml.jackson.annotation.JsonAlias;
import io.essl.augment.BatchBuilder;
import io.essl.augment.Groups;
import io.essl.augment.TransformationGroup;
import io.essl.augment.ViewFactory;
import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import io.essl.data.ImageSource;
import io.essl.data.ImageRecord;
import io.essl.model.EsslGraph;
import io.essl.model.ModelFile;
import io.essl.model.SslMethod;
import io.essl.optim.Optimisers;
import io.essl.spark.TrainingMetrics;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * E-SimCLR pre-training on Spark: the driver runs the epoch and step loop; each step, the workers build their
 * batches from the cached images inside their tasks (in the epoch's order, {@link EpochBatches}) and train them with the configured strategy ({@link StepTrainer}).
 */
public final class PretrainJob {
    private static final Logger log = LoggerFactory.getLogger(PretrainJob.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** What a run did: the trained graph and how it got there. */
    public record Result(ComputationGraph graph, EsslGraph.Shape shape, int workers, int imagesPerStep,
                         int stepsDone, int stepsPlanned, double epochsDone, long images, double seconds,
                         List<StepLog> history, boolean stoppedByTimeLimit, int resumedFromStep,
                         String checkpointDir, List<KnnLog> knnMonitor, Map<String, Integer> skipped,
                         Map<String, Integer> warnings) {
    }

    /** kNN monitor top-1 after a step (an epoch end). */
    public record KnnLog(int step, int epoch, double top1) {
    }

    /**
     * invariance: the method's loss ("contrastive" in metrics written before other methods existed, read as an
     * alias); monitorAccuracy: the online linear monitor's (NaN without one; absent in older metrics, read as 0);
     * viewSeconds: the tasks' seconds making the step's views, summed; trainSeconds: the workers' seconds in fit(),
     * summed (the resident averaging's, 0 under DL4J's strategies; both absent in older metrics, read as 0).
     */
    public record StepLog(int step, int epoch, @JsonAlias("contrastive") double invariance, double group,
                          double groupAccuracy, double learningRate, double imagesPerSecond, double monitorAccuracy,
                          double viewSeconds, double trainSeconds) {
    }

    private final EsslConfig conf;
    private final EpochMonitor.Factory monitorFactory;
    private final Map<String, Object> provenance;

    /** Without a monitor: train.monitor.knn-every-epochs is then not honoured (for runs that measure nothing). */
    public PretrainJob(EsslConfig conf) {
        this(conf, null, io.essl.report.Provenance.of(conf));
    }

    /**
     * {@code monitor}: opened when train.monitor.knn-every-epochs > 0 (the kNN monitor of the probe package);
     * {@code provenance}: recorded in every checkpoint, as in the model file.
     */
    public PretrainJob(EsslConfig conf, EpochMonitor.Factory monitor, Map<String, Object> provenance) {
        this.conf = conf;
        this.monitorFactory = monitor;
        this.provenance = provenance;
    }

    public Result run(JavaSparkContext sc) throws java.io.IOException {
        EsslConfig.Train t = conf.train();
        EsslConfig.Model m = conf.model();
        int workers = workers(sc, t);
        ImageSource source = ImageSource.of(conf.data());
        JavaRDD<ImageRecord> images = source
                .load(sc, ImageSource.Split.TRAIN, conf.data().pretrainLimit())
                .persist(StorageLevel.MEMORY_AND_DISK());
        long[] blocks = EpochBatches.blockSizes(images); // counts them too
        long count = java.util.Arrays.stream(blocks).sum();
        if (count == 0) throw new ConfigError("the training split of " + conf.data().dir() + " holds no usable images");
        ImageRecord first = images.first();
        int size = conf.augment().viewSize(first.height());
        EsslGraph.Shape shape = new EsslGraph.Shape(first.channels(), size, size, conf.augment().view3Size(first.height()));
        if (shape.view3Size() > size) {
            throw new ConfigError("bad value for key essl.augment.view3-size: " + shape.view3Size()
                    + " is larger than the views (" + size + "); view 3 is the small crop the group head sees");
        }
        if (first.height() != first.width() && conf.augment().viewSize() == 0) {
            throw new ConfigError("images are " + first.height() + "x" + first.width() + ": set essl.augment.view-size");
        }
        if (conf.data().mean().length != shape.channels()) {
            throw new ConfigError("bad value for key essl.data.mean: " + conf.data().mean().length
                    + " values but the images have " + shape.channels() + " channel(s)");
        }
        int n = t.batchSize();
        if (n > count) {
            throw new ConfigError("bad value for key essl.train.batch-size: " + n + " is larger than the " + count
                    + " images of the training split");
        }
        int numBatches = (int) (count / n);
        int perStep = workers * t.averagingFrequency();
        int stepsPerEpoch = numBatches / perStep;
        if (stepsPerEpoch == 0) {
            throw new ConfigError(count + " images are too few for " + workers + " worker(s) x "
                    + t.averagingFrequency() + " batch(es) of " + n + " (essl.train.batch-size)");
        }
        int totalSteps = stepsPerEpoch * t.epochs();
        int itersPerStep = t.averagingFrequency();

        boolean withGroup = m.lambda() > 0;
        String lossName = SslMethod.of(m).lossName(m);
        TransformationGroup group = withGroup ? Groups.of(m, conf.seed()) : null;
        if (withGroup) group.checkView3(shape.channels(), shape.view3Size());
        int classes = m.onlineMonitor() ? monitorClasses(images) : 0;
        ViewFactory views = new ViewFactory(conf.seed(), shape.height(), shape.view3Size(), conf.augment(),
                conf.data().mean(), conf.data().std(), group, m.groupSamples());
        if (withGroup) log.info("view 3: {}", views.view3Pipeline());
        BatchBuilder builder = new BatchBuilder(views, withGroup, classes);
        int rows = 2 * n; // DL4J's minibatch size of a batch: the rows of its first input

        Optimisers.Optimisation opt = Optimisers.of(t, workers * n, t.warmupEpochs() * stepsPerEpoch * itersPerStep,
                totalSteps * itersPerStep);
        ComputationGraph graph = new ComputationGraph(EsslGraph.pretraining(m, shape, withGroup ? group.size() : 0, classes, opt, conf.seed(),
                DataType.FLOAT));
        graph.init();
        Checkpoints checkpoints = new Checkpoints(Checkpoints.dirOf(conf), t.checkpointKeep(), sc.hadoopConfiguration());
        List<StepLog> history = new ArrayList<>();
        int resumedFrom = 0;
        Optional<ModelFile.Loaded> last = t.resume().equals("auto") ? checkpoints.latest() : Optional.empty();
        if (last.isPresent()) {
            ComputationGraph restored = last.get().graph();
            Object trainedOn = last.get().metadata().get("input_shape");
            List<Integer> now = List.of(shape.channels(), shape.height(), shape.width());
            if (trainedOn != null && !now.equals(trainedOn)) {
                throw new ConfigError("checkpoint in " + checkpoints.dir() + " was trained on " + trainedOn
                        + " (channels, height, width) inputs but this data and configuration give " + now);
            }
            if (restored.numParams() != graph.numParams()) {
                throw new ConfigError("checkpoint in " + checkpoints.dir() + " has " + restored.numParams()
                        + " parameters but this configuration builds " + graph.numParams() + ": not the same model");
            }
            // Keep the network built from this configuration and copy the flat parameter and updater arrays into
            // it: a graph rebuilt from the saved JSON orders its updater blocks differently from the one the
            // workers (which build from conf.clone()) wrote the state in, and Adam's second moments would land
            // on first moments (negative variances, NaN after one step).
            graph.setParams(restored.params());
            graph.getUpdater().setStateViewArray(restored.getUpdater().getStateViewArray().dup());
            resumedFrom = ((Number) last.get().metadata().get("step")).intValue();
            for (String line : checkpoints.readMetrics()) {
                StepLog l = JSON.readValue(line, StepLog.class);
                if (l.step() <= resumedFrom) history.add(l);
            }
            log.info("resuming from the checkpoint of step {} in {}", resumedFrom, checkpoints.dir());
        }

        StepMetrics metrics = new StepMetrics(sc.sc());
        StepTrainer trainer = StepTrainer.of(conf, sc, graph, workers, rows);

        log.info("pre-training {} on {} images ({}x{}x{}), {} worker(s) x {} images/batch, {} step(s)/epoch x {} epoch(s), "
                        + "lambda {}, base lr {} (scaled {}), strategy {}", io.essl.model.SslMethod.displayName(m), count,
                shape.channels(), shape.height(), shape.width(), workers, n, stepsPerEpoch, t.epochs(), m.lambda(),
                t.baseLr(), opt.peakLr(), t.strategy());
        List<KnnLog> knnLogs = new ArrayList<>();
        EpochMonitor monitor = t.knnEveryEpochs() > 0 && monitorFactory != null ? monitorFactory.open(sc) : null;
        long start = System.nanoTime();
        int global = resumedFrom, lastCheckpoint = resumedFrom;
        boolean timeUp = false, stop = false;
        try (trainer; TrainingMetrics live = TrainingMetrics.register()) {
            live.set("steps_total", totalSteps);
            live.set("epochs_total", t.epochs());
            for (int epoch = global / stepsPerEpoch; epoch < t.epochs() && !stop; epoch++) {
                int firstStep = epoch == resumedFrom / stepsPerEpoch ? resumedFrom % stepsPerEpoch : 0;
                try (EpochBatches batches = new EpochBatches(images, blocks, conf.seed(), epoch, n, conf.data().epochOrder())) {
                    for (int s = firstStep; s < stepsPerEpoch && !stop; s++) {
                        long stepStart = System.nanoTime();
                        sc.setJobDescription(String.format("pretrain epoch %d/%d step %d/%d", epoch + 1, t.epochs(), s + 1, stepsPerEpoch));
                        trainer.fit(batches.batches(s * perStep, perStep, workers, builder, epoch,
                                global * itersPerStep, metrics));
                        global++;
                        StepMetrics.Parts parts = metrics.drain();
                        double stepSeconds = (System.nanoTime() - stepStart) / 1e9;
                        double elapsed = (System.nanoTime() - start) / 1e9;
                        double ips = perStep * n / stepSeconds;
                        double eta = elapsed / (global - resumedFrom) * (totalSteps - global);
                        if (t.maxSeconds() > 0) eta = Math.min(eta, Math.max(0, t.maxSeconds() - elapsed));
                        history.add(new StepLog(global, epoch + 1, parts.invariance(), parts.group(), parts.groupAccuracy(),
                                parts.learningRate(), ips, parts.monitorAccuracy(), parts.viewSeconds(),
                                parts.trainSeconds()));
                        log.info(Progress.line(epoch + 1, t.epochs(), s + 1, stepsPerEpoch, global, totalSteps, parts,
                                lossName, withGroup ? group.name() : null, ips, eta));
                        publish(live, global, epoch + 1, parts, withGroup, ips, eta, source);
                        if (t.maxSeconds() > 0 && elapsed > t.maxSeconds() && global < totalSteps) {
                            log.warn("time limit of {} s reached after {} of {} steps: stopping", t.maxSeconds(), global, totalSteps);
                            timeUp = stop = true;
                        }
                        if (t.maxSteps() > 0 && global >= t.maxSteps() && global < totalSteps) {
                            log.warn("train.max-steps = {} reached: stopping", t.maxSteps());
                            stop = true;
                        }
                        boolean every = t.checkpointEverySteps() > 0 && global % t.checkpointEverySteps() == 0;
                        if (monitor != null && s == stepsPerEpoch - 1 && (epoch + 1) % t.knnEveryEpochs() == 0) {
                            sc.setJobDescription(String.format("pretrain epoch %d/%d: kNN monitor", epoch + 1, t.epochs()));
                            double top1 = monitor.top1(trainer.network(), shape);
                            knnLogs.add(new KnnLog(global, epoch + 1, top1));
                            live.set("knn_monitor_top1", top1);
                            log.info("epoch {}/{}: kNN monitor top-1 {} ({})", epoch + 1, t.epochs(),
                                    String.format("%.4f", top1), monitor.sizes());
                        }
                        if (every || stop || s == stepsPerEpoch - 1) {
                            checkpoint(checkpoints, trainer.network(), global, epoch, shape, history, lastCheckpoint);
                            lastCheckpoint = global;
                            live.checkpointed(global);
                        }
                    }
                }
            }
        }
        if (monitor != null) monitor.close();
        images.unpersist(false);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(trainer.network(), shape, workers, perStep * n, global, totalSteps,
                (double) global / stepsPerEpoch, count, seconds, history, timeUp, resumedFrom, checkpoints.dir(),
                knnLogs, source.skipped(), source.warnings());
    }

    /** The online monitor's classes: max label + 1 over the training images, all of which must be labelled. */
    private static int monitorClasses(JavaRDD<ImageRecord> images) {
        org.apache.spark.util.StatCounter labels = images.mapToDouble(ImageRecord::label).stats(); // one pass: min and max
        if (labels.min() < 0) throw new ConfigError("model.online-monitor needs labelled training images; these have none (set it false)");
        return (int) labels.max() + 1;
    }

    /** One step's numbers to Spark's metrics system (what the progress line says, for the cluster's sinks). */
    private static void publish(TrainingMetrics live, int step, int epoch, StepMetrics.Parts parts, boolean withGroup,
                                double imagesPerSecond, double etaSeconds, ImageSource source) {
        live.set("step", step);
        live.set("epoch", epoch);
        live.set("loss", parts.invariance() + parts.group());
        live.set("loss_invariance", parts.invariance());
        live.set("loss_group", withGroup ? parts.group() : Double.NaN);
        live.set("group_accuracy", withGroup ? parts.groupAccuracy() : Double.NaN);
        live.set("online_monitor_accuracy", parts.monitorAccuracy());
        live.set("learning_rate", parts.learningRate());
        live.set("images_per_second", imagesPerSecond);
        live.set("eta_seconds", etaSeconds);
        live.set("files_skipped", source.skipped().values().stream().mapToInt(Integer::intValue).sum());
    }

    /** train.workers, or one per GPU slot when tasks are GPU-scheduled, or Spark's default parallelism. */
    static int workers(JavaSparkContext sc, EsslConfig.Train t) {
        if (t.workers() > 0) return t.workers();
        int executors = sc.getConf().getInt("spark.executor.instances",
                Math.max(1, sc.sc().getExecutorMemoryStatus().size() - 1));
        int gpuSlots = io.essl.spark.GpuAffinity.gpuSlots(sc.getConf(), executors);
        return gpuSlots > 0 ? gpuSlots : sc.defaultParallelism();
    }

    /**
     * Writes the checkpoint of {@code step}. A storage failure (folder gone read-only, disk full, object store
     * unreachable) stops the run with one line naming the folder, the step and the checkpoint a resume would start
     * from: training on without checkpoints would only grow what a later crash loses.
     */
    private void checkpoint(Checkpoints checkpoints, ComputationGraph graph, int step, int epoch, EsslGraph.Shape shape,
                            List<StepLog> history, int lastGood) {
        try {
            writeCheckpoint(checkpoints, graph, step, epoch, shape, history);
        } catch (java.io.IOException | RuntimeException e) {
            throw new io.essl.config.RunFailure("cannot write the checkpoint of step " + step + " to " + checkpoints.dir()
                    + " (" + io.essl.config.RunFailure.oneLine(io.essl.config.RunFailure.root(e)) + "); "
                    + (lastGood > 0 ? "the last complete checkpoint is step " + lastGood + ": fix the folder and rerun with --resume"
                    : "no checkpoint was written yet"), e);
        }
    }

    private void writeCheckpoint(Checkpoints checkpoints, ComputationGraph graph, int step, int epoch, EsslGraph.Shape shape,
                                 List<StepLog> history) throws java.io.IOException {
        String path = checkpoints.save(graph, step, ModelMetadata.checkpoint(conf, shape, provenance, step, epoch));
        List<String> lines = new ArrayList<>();
        for (StepLog l : history) lines.add(JSON.writeValueAsString(l));
        checkpoints.writeMetrics(lines);
        log.info("checkpoint: {}", path);
    }
}
