package io.essl.model;

import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The weight initialisations of the reference code (PyTorch/torchvision), which DL4J's built-ins do not
 * reproduce (DL4J divides a convolution's fan-out by its stride):
 * <ul>
 * <li>{@link #CONV}: Kaiming normal, fan-out, ReLU gain: std = sqrt(2 / (out channels x kh x kw)) (torchvision ResNet);</li>
 * <li>{@link #LINEAR}: nn.Linear's default, uniform in +-1/sqrt(fan-in).</li>
 * </ul>
 */
public final class TorchInit implements IWeightInit {
    public static final TorchInit CONV = new TorchInit("conv");
    public static final TorchInit LINEAR = new TorchInit("linear");

    @JsonProperty
    private final String kind;

    @JsonCreator
    public TorchInit(@JsonProperty("kind") String kind) {
        if (!kind.equals("conv") && !kind.equals("linear")) throw new IllegalArgumentException("unknown init " + kind);
        this.kind = kind;
    }

    @Override
    public INDArray init(double fanIn, double fanOut, long[] shape, char order, INDArray paramView) {
        INDArray values;
        if (kind.equals("conv")) {
            // DL4J's convolution weights are [out, in, kh, kw], as PyTorch's.
            double std = Math.sqrt(2.0 / (shape[0] * shape[2] * shape[3]));
            values = Nd4j.randn(paramView.dataType(), shape).muli(std);
        } else {
            double bound = 1.0 / Math.sqrt(fanIn);
            values = Nd4j.rand(paramView.dataType(), shape).muli(2 * bound).subi(bound);
        }
        INDArray view = paramView.reshape(order, shape);
        view.assign(values);
        return view;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchInit t && t.kind.equals(kind);
    }

    @Override
    public int hashCode() {
        return kind.hashCode();
    }

    @Override
    public String toString() {
        return "TorchInit(" + kind + ")";
    }
}
