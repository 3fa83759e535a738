package io.essl.train;

import io.essl.model.EsslGraph;
import io.essl.model.GroupCrossEntropy;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.util.NetworkUtils;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Runs on the workers around every batch. Two jobs:
 * <ul>
 * <li>Keeps the learning-rate schedule global: DL4J's parameter averaging rebuilds each worker's network from
 * {@code ComputationGraphConfiguration.clone()}, which drops the iteration and epoch counts, so every worker
 * would start each step at iteration 0. The driver sets the step's first iteration here before each step
 * (the hook is serialised into that step's tasks) and the hook puts it on the worker's network.</li>
 * <li>Reports each output's loss and the learning rate in use through Spark accumulators, which reach the
 * driver with the step's tasks (DL4J's averaged score is only the sum of the parts).</li>
 * </ul>
 */
public class WorkerHook implements TrainingHook {
    private final DoubleAccumulator contrastive;
    private final DoubleAccumulator group;
    private final DoubleAccumulator groupAccuracy;
    private final DoubleAccumulator learningRate;
    private final LongAccumulator batches;
    private transient double regularisation;
    private transient int batchesSeen; // in this task: 0 after deserialisation
    private int firstIteration;
    private int epoch;

    public WorkerHook(DoubleAccumulator contrastive, DoubleAccumulator group, DoubleAccumulator groupAccuracy,
                      DoubleAccumulator learningRate, LongAccumulator batches) {
        this.contrastive = contrastive;
        this.group = group;
        this.groupAccuracy = groupAccuracy;
        this.learningRate = learningRate;
        this.batches = batches;
    }

    /** Called on the driver before each step. */
    public void startStep(int firstIteration, int epoch) {
        this.firstIteration = firstIteration;
        this.epoch = epoch;
    }

    @Override
    public void preUpdate(MultiDataSet data, Model model) {
        ComputationGraph g = (ComputationGraph) model;
        g.getConfiguration().setIterationCount(firstIteration + batchesSeen);
        g.getConfiguration().setEpochCount(epoch);
        learningRate.add(NetworkUtils.getLearningRate(g, EsslGraph.FIRST_PROJECTOR_LAYER));
        // DL4J adds the weight-decay term to the first output's score; remove it to report the loss alone.
        regularisation = g.calcRegularizationScore(true);
    }

    @Override
    public void postUpdate(MultiDataSet data, Model model) {
        ComputationGraph g = (ComputationGraph) model;
        contrastive.add(g.getOutputLayer(0).score() - regularisation);
        if (g.getNumOutputArrays() > 1) {
            group.add(g.getOutputLayer(1).score());
            var loss = ((org.deeplearning4j.nn.conf.layers.BaseOutputLayer) g.getOutputLayer(1).conf().getLayer()).getLossFn();
            if (loss instanceof GroupCrossEntropy ce) groupAccuracy.add(ce.lastAccuracy());
        }
        batches.add(1);
        batchesSeen++;
    }

    @Override
    public void preUpdate(DataSet data, Model model) {
    }

    @Override
    public void postUpdate(DataSet data, Model model) {
    }

    /** Averages over the batches since the last reset. */
    public record Parts(double contrastive, double group, double groupAccuracy, double learningRate, long batches) {
    }

    public Parts drain() {
        long n = Math.max(1, batches.value());
        Parts p = new Parts(contrastive.value() / n, group.value() / n, groupAccuracy.value() / n,
                learningRate.value() / n, batches.value());
        contrastive.reset();
        group.reset();
        groupAccuracy.reset();
        learningRate.reset();
        batches.reset();
        return p;
    }
}
