package io.essl.model;

import io.essl.kernels.Chunked;
import io.essl.kernels.Chunked.Chunk;
import io.essl.kernels.Chunked.Tensor;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * ReLU as a layer, one pass each way: DL4J's ActivationLayer copies its input, applies the activation to the
 * copy, and in backward copies the input again, differentiates into a third array and may copy that once more.
 * Same results as DL4J's ReLU layer (tested); float and double tensors on the CPU backend, anything else falls
 * back to DL4J's.
 */
public class ReluLayer extends ActivationLayer {

    public ReluLayer() {
        super(Activation.RELU);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        Running l = new Running(conf, networkDataType);
        l.setListeners(listeners);
        l.setIndex(layerIndex);
        l.setParamsViewArray(paramsView);
        l.setParamTable(initializer().init(conf, paramsView, initializeParams));
        l.setConf(conf);
        return l;
    }

    static final class Running extends org.deeplearning4j.nn.layers.ActivationLayer {
        Running(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(false);
            if (!supported(input)) return super.activate(training, workspaceMgr);
            Tensor x = Tensor.reading(input);
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
            Tensor y = Tensor.writing(out);
            Chunked.forEach(x, 0, (t, acc, n, c0, c1) -> {
                Chunk c = t[0].load(x, n, c0, c1);
                c.relu(0, (c1 - c0) * x.hw);
                c.store(y, n, c0, c1);
            }, null);
            return out;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            if (!supported(input) || epsilon.dataType() != input.dataType()) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            Tensor x = Tensor.reading(input);
            Tensor dy = Tensor.reading(epsilon);
            INDArray dxArray = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
            Tensor dx = Tensor.writing(dxArray);
            Chunked.forEach(x, 0, (t, acc, n, c0, c1) -> {
                Chunk cx = t[0].load(x, n, c0, c1);
                Chunk cd = t[1].load(dy, n, c0, c1);
                cd.reluGradient(cx, 0, (c1 - c0) * x.hw);
                cd.store(dx, n, c0, c1);
            }, null);
            return new Pair<>(new DefaultGradient(), dxArray);
        }

        private static boolean supported(INDArray a) {
            return Chunked.handles(a) && a.rank() >= 2;
        }
    }
}
