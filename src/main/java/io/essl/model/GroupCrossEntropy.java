package io.essl.model;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * lambda x softmax cross-entropy of the group-element prediction, on logits (log-softmax inside, stable).
 * <p>
 * Why {@code gradientScale}: DL4J divides each output's score by that output's own row count, but the whole
 * graph's gradient by the first output's row count (the 2N contrastive rows). The group output has G*N rows,
 * so its raw gradient is scaled by 2N / (G*N) = 2/G to make the reported loss and the gradient agree.
 */
public class GroupCrossEntropy extends PerRowLoss {
    @JsonProperty
    private final double weight;
    @JsonProperty
    private final double gradientScale;
    /** Fraction of rows whose arg-max logit is the true element, from the last score computation (monitor only). */
    private transient double lastAccuracy = Double.NaN;

    @JsonCreator
    public GroupCrossEntropy(@JsonProperty("weight") double weight, @JsonProperty("gradientScale") double gradientScale) {
        if (weight < 0 || gradientScale <= 0) {
            throw new IllegalArgumentException("weight must be >= 0 and gradientScale > 0");
        }
        this.weight = weight;
        this.gradientScale = gradientScale;
    }

    public double weight() {
        return weight;
    }

    private static INDArray logSoftmax(INDArray x) {
        long rows = x.size(0);
        INDArray max = x.max(1).reshape(rows, 1);
        INDArray shifted = x.subColumnVector(max);
        INDArray lse = Transforms.log(Transforms.exp(shifted, true).sum(1), false).reshape(rows, 1);
        return shifted.subiColumnVector(lse);
    }

    public double lastAccuracy() {
        return lastAccuracy;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray logits = activationFn.getActivation(preOutput.dup(), true);
        lastAccuracy = logits.argMax(1).eq(labels.argMax(1)).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .meanNumber().doubleValue();
        INDArray perRow = logSoftmax(logits).muli(labels).sum(1).reshape(logits.size(0), 1).muli(-weight);
        return mask == null ? perRow : perRow.muli(mask.reshape(perRow.shape()));
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray logits = activationFn.getActivation(preOutput.dup(), true);
        INDArray grad = Transforms.exp(logSoftmax(logits), false).subi(labels).muli(weight * gradientScale);
        if (mask != null) grad.muliColumnVector(mask.reshape(grad.size(0), 1));
        return activationFn.backprop(preOutput.dup(), grad).getFirst();
    }

    @Override
    public String name() {
        return "GroupCrossEntropy(weight=" + weight + ")";
    }

}
