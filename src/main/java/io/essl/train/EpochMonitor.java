package io.essl.train;

import io.essl.model.EsslGraph;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What the pre-training loop measures at the end of every {@code train.monitor.knn-every-epochs}-th epoch: the
 * probe package's kNN monitor, handed in by the command, so that training does not depend on evaluation.
 */
public interface EpochMonitor extends AutoCloseable {
    /** Builds the monitor for a run (it may read and cache its images here). */
    interface Factory {
        EpochMonitor open(JavaSparkContext sc);
    }

    /** A top-1 of the current network's encoder. */
    double top1(ComputationGraph network, EsslGraph.Shape shape) throws java.io.IOException;

    /** What it measures on, for the log line ("5000 train / 1000 test images"). */
    String sizes();

    @Override
    void close();
}
