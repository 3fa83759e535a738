package io.essl.train;

import io.essl.augment.BatchMaker;
import io.essl.augment.LabelledBatch;
import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;
import io.essl.model.EsslGraph;
import io.essl.optim.Optimisers;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * Fine-tuning on Spark: the whole encoder plus a head, trained on labelled images with parameter averaging by the
 * pre-training loop's parts (the epoch order of {@link EpochBatches}, batches built in the tasks,
 * {@link StepListener}'s loss and learning-rate reports). {@code bin/essl finetune}'s head is SimCLR's protocol: a
 * linear softmax classifier, SGD with Nesterov momentum, cosine decay without warm-up, crop + flip views; the
 * photonics regression ({@code bin/essl photonics finetune}) brings its own {@link Head}. Parameter averaging is
 * {@link ResidentAveraging}'s; the driver sets each step's learning rate, which travels to the workers with the
 * state (a schedule inside the updater would follow each worker's own iteration count, not the run's).
 */
public final class FinetuneJob {
    private static final Logger log = LoggerFactory.getLogger(FinetuneJob.class);

    public record StepLog(int step, int epoch, double loss, double learningRate, double imagesPerSecond) {
    }

    /** The trained network (its output: the head's) and how it got there. */
    public record Result(ComputationGraph graph, List<StepLog> history, int steps, int workers, int batchesPerStep,
                         long images, double seconds) {
    }

    /**
     * What is fine-tuned: the network (encoder + head) for a peak learning rate, the batches the tasks build, and
     * what the progress line calls the loss.
     */
    public record Head(DoubleFunction<ComputationGraphConfiguration> network, BatchMaker batches, String lossName) {
    }

    private FinetuneJob() {
    }

    /** SimCLR's: a linear softmax head over {@code classes}, crop + flip views, finetune.optimizer (Nesterov SGD). */
    public static Head classification(EsslConfig conf, EsslGraph.Shape shape, int classes) {
        EsslConfig.Finetune f = conf.finetune();
        return new Head(lr -> EsslGraph.classifier(conf.model(), shape, classes, Optimisers.finetuning(f, lr), conf.seed()),
                new LabelledBatch(conf.seed(), shape.height(), f.cropScale(), conf.augment().cropRatio(), classes,
                        conf.data().mean(), conf.data().std()), "cross-entropy");
    }

    /**
     * @param labelled the labelled training images, decoded at the encoder's side and cached by the caller
     * @param encoder  the pre-trained encoder whose parameters start the backbone; null: random initialisation
     * @param name     what the progress lines call the run
     */
    public static Result run(JavaSparkContext sc, EsslConfig conf, JavaRDD<ImageRecord> labelled, Head head,
                             ComputationGraph encoder, String name) {
        EsslConfig.Finetune f = conf.finetune();
        long[] blocks = EpochBatches.blockSizes(labelled); // counts them too
        long count = java.util.Arrays.stream(blocks).sum();
        int n = f.batchSize();
        int batches = (int) (count / n);
        if (batches < 1) {
            throw new ConfigError("fine-tuning: " + count + " labelled images are fewer than essl.finetune.batch-size (" + n + ")");
        }
        // A step is W workers x F batches; a small labelled set gets fewer of either so that an epoch holds a step.
        int workers = Math.min(PretrainJob.workers(sc, conf.train()), batches);
        int frequency = Math.max(1, Math.min(conf.train().averagingFrequency(), batches / workers));
        int perStep = workers * frequency;
        int stepsPerEpoch = batches / perStep;
        int total = stepsPerEpoch * f.epochs();
        double peak = f.baseLr() * workers * n / 256.0;

        ComputationGraph graph = new ComputationGraph(head.network().apply(peak));
        graph.init();
        if (encoder != null) EsslGraph.copyParameters(encoder, graph);
        ResidentAveraging trainer = new ResidentAveraging(sc, graph);
        StepMetrics metrics = new StepMetrics(sc.sc());
        log.info("fine-tuning {}: {} labelled images, {} worker(s) x {} batch(es) of {} per step, {} step(s)/epoch x {} epoch(s), "
                + "peak lr {}", name, count, workers, frequency, n, stepsPerEpoch, f.epochs(), peak);
        List<StepLog> history = new ArrayList<>();
        long start = System.nanoTime();
        int global = 0;
        try (trainer) {
            for (int epoch = 0; epoch < f.epochs(); epoch++) {
                try (EpochBatches order = new EpochBatches(labelled, blocks, conf.seed(), epoch, n, conf.data().epochOrder())) {
                    for (int s = 0; s < stepsPerEpoch; s++) {
                        long stepStart = System.nanoTime();
                        double lr = peak * 0.5 * (1 + Math.cos(Math.PI * global / total));
                        trainer.setLearningRate(lr);
                        sc.setJobDescription(String.format("finetune %s epoch %d/%d step %d/%d", name, epoch + 1, f.epochs(), s + 1, stepsPerEpoch));
                        trainer.fit(order.batches(s * perStep, perStep, workers, head.batches(), epoch, 0, metrics));
                        global++;
                        StepMetrics.Parts parts = metrics.drain();
                        double ips = perStep * n / ((System.nanoTime() - stepStart) / 1e9);
                        double elapsed = (System.nanoTime() - start) / 1e9;
                        history.add(new StepLog(global, epoch + 1, parts.invariance(), parts.learningRate(), ips));
                        log.info("{}: {}", name, Progress.line(epoch + 1, f.epochs(), s + 1, stepsPerEpoch, global, total, parts,
                                head.lossName(), null, ips, elapsed / global * (total - global)));
                    }
                }
            }
        } finally {
            sc.setJobDescription(null);
        }
        return new Result(trainer.network(), history, global, workers, frequency, count, (System.nanoTime() - start) / 1e9);
    }
}
