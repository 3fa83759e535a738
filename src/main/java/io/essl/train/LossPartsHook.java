package io.essl.train;

import io.essl.model.EsslGraph;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.util.NetworkUtils;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Runs on the workers after every batch: adds each output's loss and the learning rate in use to Spark
 * accumulators, which reach the driver with the step's tasks. This is how the driver can report the loss parts
 * (DL4J's averaged score is only their sum) and the learning rate the workers actually used.
 */
public class LossPartsHook implements TrainingHook {
    private final DoubleAccumulator contrastive;
    private final DoubleAccumulator group;
    private final DoubleAccumulator learningRate;
    private final LongAccumulator batches;
    private transient double regularisation;

    public LossPartsHook(DoubleAccumulator contrastive, DoubleAccumulator group, DoubleAccumulator learningRate,
                         LongAccumulator batches) {
        this.contrastive = contrastive;
        this.group = group;
        this.learningRate = learningRate;
        this.batches = batches;
    }

    @Override
    public void preUpdate(MultiDataSet data, Model model) {
        ComputationGraph g = (ComputationGraph) model;
        learningRate.add(NetworkUtils.getLearningRate(g, EsslGraph.CONTRASTIVE));
        // DL4J adds the weight-decay term to the first output's score; remove it to report the loss alone.
        regularisation = g.calcRegularizationScore(true);
    }

    @Override
    public void postUpdate(MultiDataSet data, Model model) {
        ComputationGraph g = (ComputationGraph) model;
        contrastive.add(g.getOutputLayer(0).score() - regularisation);
        if (g.getNumOutputArrays() > 1) group.add(g.getOutputLayer(1).score());
        batches.add(1);
    }

    @Override
    public void preUpdate(DataSet data, Model model) {
    }

    @Override
    public void postUpdate(DataSet data, Model model) {
    }

    /** Averages over the batches since the last reset. */
    public record Parts(double contrastive, double group, double learningRate, long batches) {
    }

    public Parts drain() {
        long n = Math.max(1, batches.value());
        Parts p = new Parts(contrastive.value() / n, group.value() / n, learningRate.value() / n, batches.value());
        contrastive.reset();
        group.reset();
        learningRate.reset();
        batches.reset();
        return p;
    }
}
