package io.essl.model;

import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.List;

/**
 * Linear + LayerNorm (+ activation), whose LayerNorm gain is regularised like a bias. DL4J counts the gain as a
 * weight; the reference exempts every 1-d tensor (biases, norm scales) from LARS and treats it like a bias.
 * DL4J's form is LN(x W) * g + b: the reference's LN(x W + b0) * g + b has one more bias (see docs/model.md).
 */
public class NormedDenseLayer extends LinearLayer {

    /** For JSON. */
    public NormedDenseLayer() {
    }

    static NormedDenseLayer of(int nIn, int nOut, Activation activation) {
        return init(new NormedDenseLayer(), nIn, nOut, activation, true, true);
    }

    @Override
    public List<Regularization> getRegularizationByParam(String param) {
        return "g".equals(param) ? getRegularizationBias() : super.getRegularizationByParam(param);
    }
}
