package io.essl.train;

import io.essl.model.BatchLayout;
import io.essl.model.EsslGraph;
import io.essl.model.GroupCrossEntropy;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.NetworkUtils;

import java.io.Serializable;

/**
 * Runs on the workers after each batch's backward pass, before the updater. Two jobs, the same under both DL4J
 * strategies:
 * <ul>
 * <li>Keeps the learning-rate schedule global. Each batch carries its position in the run (global iteration and
 * epoch) in the labels of the contrastive output, which the loss ignores; the listener puts it on the network
 * before the updater reads it. Parameter averaging rebuilds every worker's network each step with
 * {@code ComputationGraphConfiguration.clone()}, which drops the counts, and gradient sharing keeps one network
 * per executor that counts only its own batches: neither knows the global step on its own.</li>
 * <li>Reports each output's loss (fine-tuning's: its classifier's cross-entropy, as the first output), the rotation and online-monitor accuracies and the learning rate in use to the task's
 * {@link StepMetrics} (DL4J only reports the sum of the losses).</li>
 * </ul>
 */
public final class StepListener extends BaseTrainingListener implements Serializable {
    @Override
    public void onBackwardPass(Model model) {
        ComputationGraph g = (ComputationGraph) model;
        int[] position = BatchLayout.readPosition(((IOutputLayer) g.getOutputLayer(0)).getLabels());
        if (position != null) {
            g.getConfiguration().setIterationCount(position[0]);
            g.getConfiguration().setEpochCount(position[1]);
        }
        StepMetrics metrics = StepMetrics.forCurrentTask();
        if (metrics == null) return;
        // DL4J adds the weight-decay term to the first output's score; remove it to report the loss alone.
        double invariance = g.getOutputLayer(0).score() - g.calcRegularizationScore(true);
        double group = 0, accuracy = 0, monitor = Double.NaN;
        var outputs = g.getConfiguration().getNetworkOutputs();
        if (outputs.contains(EsslGraph.GROUP)) {
            group = g.getLayer(EsslGraph.GROUP).score();
            accuracy = lastAccuracy(g, EsslGraph.GROUP);
        }
        if (outputs.contains(EsslGraph.MONITOR)) monitor = lastAccuracy(g, EsslGraph.MONITOR);
        // pre-training: the projector's first layer; fine-tuning: the head, the network's one output
        String lrLayer = g.getVertex(EsslGraph.FIRST_PROJECTOR_LAYER) != null ? EsslGraph.FIRST_PROJECTOR_LAYER : outputs.get(0);
        metrics.add(invariance, group, accuracy, monitor, NetworkUtils.getLearningRate(g, lrLayer));
    }

    private static double lastAccuracy(ComputationGraph g, String output) {
        return ((BaseOutputLayer) g.getLayer(output).conf().getLayer()).getLossFn() instanceof GroupCrossEntropy ce
                ? ce.lastAccuracy() : Double.NaN;
    }
}
