package io.essl.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;

/**
 * A DL4J DenseLayer (x W + b, optional LayerNorm, activation) whose backward pass reuses the forward pass's
 * product: DL4J's BaseLayer multiplies again at the start of backpropagation, which on the 2048-wide heads is a
 * third of their matrix work. With an identity or ReLU activation the kept output is enough to differentiate
 * (ReLU's derivative is 1 exactly where its output is positive); other activations recompute as DL4J does.
 */
public class LinearLayer extends DenseLayer {

    /** For JSON. */
    public LinearLayer() {
    }

    static <T extends LinearLayer> T init(T l, int nIn, int nOut, Activation activation, boolean bias, boolean layerNorm) {
        l.setNIn(nIn);
        l.setNOut(nOut);
        l.setHasBias(bias);
        l.setHasLayerNorm(layerNorm);
        l.setActivationFn(activation.getActivationFunction());
        // Unset (NaN) like a builder leaves them, so the network's defaults fill them in.
        l.setBiasInit(Double.NaN);
        l.setGainInit(Double.NaN);
        l.setGradientNormalizationThreshold(Double.NaN);
        return l;
    }

    static LinearLayer of(int nIn, int nOut, Activation activation, boolean bias) {
        return init(new LinearLayer(), nIn, nOut, activation, bias, false);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        Running l = new Running(conf, networkDataType);
        l.setListeners(listeners);
        l.setIndex(layerIndex);
        l.setParamsViewArray(paramsView);
        Map<String, INDArray> params = initializer().init(conf, paramsView, initializeParams);
        l.setParamTable(params);
        l.setConf(conf);
        return l;
    }

    /** The running layer: DL4J's, keeping the training forward pass's (output, pre-norm product) for backward. */
    static final class Running extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {
        private final boolean reusable;
        private INDArray keptFor;
        private Pair<INDArray, INDArray> kept;
        /** Backward passes that reused the forward product (for tests). */
        int reuses;

        Running(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
            IActivation a = layerConf().getActivationFn();
            reusable = a instanceof ActivationIdentity || new ActivationReLU().equals(a);
        }

        @Override
        protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop,
                                                                LayerWorkspaceMgr workspaceMgr) {
            if (forBackprop && kept != null && input == keptFor && ForwardOutputs.live(kept.getFirst())
                    && ForwardOutputs.live(kept.getSecond())) {
                Pair<INDArray, INDArray> p = kept;
                kept = null;
                reuses++;
                return p;
            }
            if (!training || forBackprop || !reusable || maskArray != null) {
                return super.preOutputWithPreNorm(training, forBackprop, workspaceMgr);
            }
            // Training forward pass: ask for a separate pre-norm product (LayerNorm then writes the output
            // beside it) and keep both where the backward pass can still read them.
            Pair<INDArray, INDArray> p = super.preOutputWithPreNorm(true, true, workspaceMgr);
            INDArray preNorm = p.getSecond() == p.getFirst() ? p.getFirst()
                    : workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, p.getSecond());
            kept = new Pair<>(p.getFirst(), preNorm);
            keptFor = input;
            return p;
        }
    }
}
