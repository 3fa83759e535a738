package io.essl.model;

import io.essl.kernels.FusedBatchNorm;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's BatchNormalization, computed by {@link FusedBatchNorm}. Being part of the configuration, the helper comes
 * with the network wherever it is built: on the driver, on every Spark executor, in the probe.
 */
public class BatchNormLayer extends BatchNormalization {

    /** For JSON. */
    public BatchNormLayer() {
    }

    /** eps 1e-5 and momentum 0.1 (decay 0.9) as the reference; running statistics as log10 std (DL4J's default). */
    public static BatchNormLayer of(int nOut, double gammaInit) {
        BatchNormLayer l = new BatchNormLayer();
        l.setNOut(nOut);
        l.setGamma(gammaInit);
        l.setEps(1e-5);
        l.setDecay(0.9);
        l.setUseLogStd(true);
        return l;
    }

    /** Scale 1 and shift 0, fixed: no affine part (DL4J's own code; FusedBatchNorm leaves this case to it). */
    static BatchNormLayer fixed(int nOut) {
        BatchNormLayer l = of(nOut, 1);
        l.setLockGammaBeta(true);
        l.setBeta(0);
        return l;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        Layer l = super.instantiate(conf, listeners, layerIndex, paramsView, initializeParams, networkDataType);
        FusedBatchNorm.install(l);
        return l;
    }
}
