package io.essl.kernels;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.reflect.Field;

/**
 * DL4J's oneDNN convolution helper, except that the backward pass gets the forward pass's output instead of a
 * second convolution: DL4J's ConvolutionLayer computes its forward convolution again at the start of
 * backpropagation (to differentiate the activation), and with an identity activation that output is the layer's
 * own activation, still in the training workspace and unchanged. DL4J's cache mode does the same with a copy of
 * every output; measured, the copy cost what it saved (docs/performance.md).
 *
 * <p>The output is reused only for the same input and weight arrays and only within the forward-backward
 * iteration that wrote it ({@link ForwardOutputs#live}); any other call convolves as usual.
 */
public final class ConvForwardReuse extends MKLDNNConvHelper {
    private INDArray input;
    private INDArray weights;
    private INDArray output;
    /** Backward passes that reused the forward output (for tests). */
    int reuses;

    private ConvForwardReuse(org.nd4j.linalg.api.buffer.DataType type) {
        super(type);
    }

    /** Gives every convolution of {@code graph} with DL4J's oneDNN helper and an identity activation this one. */
    public static void install(ComputationGraph graph) {
        try {
            Field helper = ConvolutionLayer.class.getDeclaredField("helper");
            helper.setAccessible(true);
            for (Layer l : graph.getLayers()) {
                if (l instanceof ConvolutionLayer conv && helper.get(conv) instanceof MKLDNNConvHelper
                        && conv.layerConf().getActivationFn() instanceof ActivationIdentity) {
                    helper.set(conv, new ConvForwardReuse(conv.getParam("W").dataType()));
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DL4J's ConvolutionLayer has no helper field to set", e);
        }
    }

    @Override
    public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides, int[] pad,
                              org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode mode,
                              org.deeplearning4j.nn.conf.layers.ConvolutionLayer.FwdAlgo fwdAlgo,
                              ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
                              LayerWorkspaceMgr workspaceMgr) {
        if (input == this.input && weights == this.weights && ForwardOutputs.live(output)) {
            INDArray z = output;
            output = null;
            reuses++;
            return z;
        }
        INDArray z = super.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, convolutionMode,
                dilation, format, workspaceMgr);
        this.input = input;
        this.weights = weights;
        this.output = z;
        return z;
    }
}
