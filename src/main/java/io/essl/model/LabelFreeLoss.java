package io.essl.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An invariance loss: computed from the embedding rows alone (DL4J's labels carry the batch's position, see
 * {@link BatchLayout}, and are ignored), no masks. Subclasses give per-row losses and the gradient of their sum.
 */
abstract class LabelFreeLoss extends PerRowLoss {

    /** Per-row losses [rows, 1] and, when asked, the gradient of their sum with respect to {@code z}. */
    protected abstract Pair<INDArray, INDArray> compute(INDArray z, boolean withGradient);

    @Override
    public final INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        noMask(mask);
        return compute(activationFn.getActivation(preOutput.dup(), true), false).getFirst();
    }

    @Override
    public final INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        noMask(mask);
        INDArray grad = compute(activationFn.getActivation(preOutput.dup(), true), true).getSecond();
        return activationFn.backprop(preOutput.dup(), grad).getFirst();
    }

    private void noMask(INDArray mask) {
        if (mask != null) throw new UnsupportedOperationException(name() + " does not support masks");
    }
}
