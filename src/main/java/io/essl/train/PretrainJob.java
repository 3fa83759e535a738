package io.essl.train;

import io.essl.augment.BatchBuilder;
import io.essl.augment.FourFoldRotation;
import io.essl.augment.ViewFactory;
import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import io.essl.data.IdxSource;
import io.essl.data.ImageRecord;
import io.essl.model.EsslGraph;
import io.essl.model.WarmupCosineSchedule;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * E-SimCLR pre-training on Spark: the driver runs the epoch and step loop; each step, the workers build their
 * batches from the cached images inside their tasks and train with DL4J's parameter averaging.
 */
public final class PretrainJob {
    private static final Logger log = LoggerFactory.getLogger(PretrainJob.class);

    /** What a run did: the trained graph and how it got there. */
    public record Result(ComputationGraph graph, EsslGraph.Shape shape, int workers, int imagesPerStep,
                         int stepsDone, int stepsPlanned, double epochsDone, long images, double seconds,
                         List<StepLog> history, boolean stoppedByTimeLimit) {
    }

    public record StepLog(int step, int epoch, double contrastive, double group, double learningRate,
                          double imagesPerSecond) {
    }

    private final EsslConfig conf;

    public PretrainJob(EsslConfig conf) {
        this.conf = conf;
    }

    public Result run(JavaSparkContext sc) {
        EsslConfig.Train t = conf.train();
        EsslConfig.Model m = conf.model();
        int workers = t.workers() > 0 ? t.workers() : sc.defaultParallelism();
        int partitions = conf.data().partitions() > 0 ? conf.data().partitions() : sc.defaultParallelism();
        JavaRDD<ImageRecord> images = new IdxSource(conf.data())
                .load(sc, IdxSource.Split.TRAIN, conf.data().pretrainLimit(), partitions)
                .persist(StorageLevel.MEMORY_ONLY());
        long count = images.count();
        ImageRecord first = images.first();
        EsslGraph.Shape shape = new EsslGraph.Shape(first.channels(), first.height(), first.width());
        if (conf.data().mean().length != shape.channels()) {
            throw new ConfigError("bad value for key essl.data.mean: " + conf.data().mean().length
                    + " values but the images have " + shape.channels() + " channel(s)");
        }
        int n = t.batchSize();
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
        FourFoldRotation group = new FourFoldRotation();
        BatchBuilder builder = new BatchBuilder(new ViewFactory(conf.seed(), shape.height(), conf.augment(),
                conf.data().mean(), conf.data().std(), group), withGroup);
        int rows = n * builder.rowsPerImage();

        double lr = t.baseLr() * (workers * n) / 256.0;
        ISchedule schedule = new WarmupCosineSchedule(lr, 0.0, t.warmupEpochs() * stepsPerEpoch * itersPerStep,
                totalSteps * itersPerStep);
        IUpdater updater = t.optimizer().equals("adam") ? new Adam(schedule) : new Nesterovs(schedule, t.momentum());
        ComputationGraph graph = new ComputationGraph(EsslGraph.pretraining(m, shape, group.size(), updater,
                t.weightDecay(), conf.seed(), DataType.FLOAT));
        graph.init();

        WorkerHook hook = new WorkerHook(sc.sc().doubleAccumulator("contrastive"),
                sc.sc().doubleAccumulator("group"), sc.sc().doubleAccumulator("lr"), sc.sc().longAccumulator("batches"));
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers, rows)
                .batchSizePerWorker(rows)            // one pre-built batch = one DL4J minibatch: pairs never split
                .averagingFrequency(t.averagingFrequency())
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Never)    // the step's partitions are already one per worker
                .storageLevel(StorageLevel.MEMORY_ONLY())
                .saveUpdater(true)
                .rngSeed(conf.seed())
                .trainingHooks(hook)
                .build();
        SparkComputationGraph spark = new SparkComputationGraph(sc, graph, master);

        log.info("pre-training {} on {} images ({}x{}x{}), {} worker(s) x {} images/batch, {} step(s)/epoch x {} epoch(s), "
                        + "lambda {}, base lr {} (scaled {})", withGroup ? "E-SimCLR" : "SimCLR", count, shape.channels(),
                shape.height(), shape.width(), workers, n, stepsPerEpoch, t.epochs(), m.lambda(), t.baseLr(), lr);
        List<StepLog> history = new ArrayList<>();
        long start = System.nanoTime();
        int global = 0;
        boolean timeUp = false;
        for (int epoch = 0; epoch < t.epochs() && !timeUp; epoch++) {
            try (EpochBatches batches = new EpochBatches(images, count, conf.seed(), epoch, n)) {
                for (int s = 0; s < stepsPerEpoch; s++) {
                    long stepStart = System.nanoTime();
                    sc.setJobDescription(String.format("pretrain epoch %d/%d step %d/%d", epoch + 1, t.epochs(), s + 1, stepsPerEpoch));
                    hook.startStep(global * itersPerStep, epoch);
                    spark.fitMultiDataSet(batches.batches(s * perStep, perStep, workers, builder, epoch));
                    global++;
                    WorkerHook.Parts parts = hook.drain();
                    double stepSeconds = (System.nanoTime() - stepStart) / 1e9;
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    double ips = perStep * n / stepSeconds;
                    double eta = elapsed / global * (totalSteps - global);
                    if (t.maxSeconds() > 0) eta = Math.min(eta, Math.max(0, t.maxSeconds() - elapsed));
                    history.add(new StepLog(global, epoch + 1, parts.contrastive(), parts.group(), parts.learningRate(), ips));
                    log.info(Progress.line(epoch + 1, t.epochs(), s + 1, stepsPerEpoch, global, totalSteps, parts,
                            withGroup, ips, eta));
                    if (t.maxSeconds() > 0 && elapsed > t.maxSeconds() && global < totalSteps) {
                        log.warn("time limit of {} s reached after {} of {} steps: stopping", t.maxSeconds(), global, totalSteps);
                        timeUp = true;
                        break;
                    }
                }
            }
        }
        spark.getTrainingMaster().deleteTempFiles(sc);
        images.unpersist(false);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(spark.getNetwork(), shape, workers, perStep * n, global, totalSteps,
                (double) global / stepsPerEpoch, count, seconds, history, timeUp);
    }
}
