package io.essl.model;

import io.essl.kernels.Chunked;
import io.essl.kernels.ForwardOutputs;
import io.essl.kernels.Chunked.Chunk;
import io.essl.kernels.Chunked.Tensor;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
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
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collection;
import java.util.Map;

/**
 * A DL4J DenseLayer (x W + b, optional LayerNorm, activation) whose backward pass reuses the forward pass's
 * product: DL4J's BaseLayer multiplies again at the start of backpropagation, which on the 2048-wide heads is a
 * third of their matrix work. With an identity or ReLU activation the kept output is enough to differentiate
 * (ReLU's derivative is 1 exactly where its output is positive); other activations recompute as DL4J does.
 * LayerNorm's backward pass runs in Java in one pass per row ({@link Running#layerNormBackward}): libnd4j's
 * layer_norm_bp cost more than both of the layer's matrix products.
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

        /** DL4J's BaseLayer backward pass (same gradients, same order), with LayerNorm's part in Java. */
        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (!Chunked.handles(epsilon) || epsilon.dataType() != dataType || !hasLayerNorm() || maskArray != null
                    || layerConf().getNOut() > Chunked.CHUNK) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            assertInputSet(true);
            Pair<INDArray, INDArray> zAndPreNorm = preOutputWithPreNorm(true, true, workspaceMgr);
            INDArray delta = layerConf().getActivationFn().backprop(zAndPreNorm.getFirst(), epsilon).getFirst();
            Gradient ret = new DefaultGradient();
            if (hasBias()) {
                INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
                delta.sum(biasGrad, 0);
                ret.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
            }
            INDArray gainGrad = gradientViews.get(DefaultParamInitializer.GAIN_KEY);
            delta = layerNormBackward(zAndPreNorm.getSecond(), getParam(DefaultParamInitializer.GAIN_KEY), delta,
                    gainGrad, workspaceMgr);
            ret.gradientForVariable().put(DefaultParamInitializer.GAIN_KEY, gainGrad);

            INDArray w = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, true, workspaceMgr);
            INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
                    new long[]{w.size(0), delta.size(0)}, 'f');
            epsilonNext = w.mmuli(delta.transpose(), epsilonNext).transpose();
            INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
            Nd4j.gemm(input.castTo(weightGrad.dataType()), delta, weightGrad, true, false, 1.0, 0.0);
            ret.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
            weightNoiseParams.clear();
            return new Pair<>(ret, backpropDropOutIfPresent(epsilonNext));
        }

        /**
         * Gradient through y = g * (p - mean) / std per row (libnd4j's layer_norm: biased variance, no epsilon):
         * dp = (dxHat - mean(dxHat) - xHat * mean(dxHat * xHat)) / std with dxHat = dy * g, and
         * dg = sum over rows of dy * xHat (written to {@code gainGrad}). One row is one chunk.
         */
        INDArray layerNormBackward(INDArray preNorm, INDArray gain, INDArray dy, INDArray gainGrad,
                                   LayerWorkspaceMgr workspaceMgr) {
            Tensor p = Tensor.reading(preNorm);
            Tensor d = Tensor.reading(dy);
            Tensor g = Tensor.reading(gain.reshape(1, gain.length()));
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dy.dataType(), dy.shape(), 'c');
            Tensor dp = Tensor.writing(out);
            int width = p.channels;
            double[][] dGain = Chunked.forEach(p, 1, (t, acc, n, c0, c1) -> {
                Chunk x = t[0].load(p, n, 0, width);
                Chunk grad = t[1].load(d, n, 0, width);
                double mean = x.sum(0, width) / width;
                double invStd = 1 / Math.sqrt(x.centredDot(x, mean, 0, width) / width);
                if (Double.isInfinite(invStd)) invStd = 0; // a constant row gets a zero gradient (libnd4j: NaN)
                x.normalise(0, width, mean, invStd, 0);
                grad.addProducts(x, 0, width, acc[0]);
                grad.multiply(t[2].load(g, 0, 0, width), 0, width);
                double meanGrad = grad.sum(0, width) / width;
                double meanGradXHat = grad.centredDot(x, 0, 0, width) / width;
                grad.inputGradient(x, 0, width, invStd, 0, -invStd * meanGradXHat, -invStd * meanGrad);
                grad.store(dp, n, 0, width);
            }, Chunked::sumInto);
            Chunked.put(gainGrad, dGain[0]);
            return out;
        }
    }
}
