package io.essl.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnoreProperties;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The LARS part of the reference optimiser, applied to one weight tensor before the momentum step
 * ({@link MomentumSgd}): g' = g + wd w, then g' *= eta |w| / |g'| (left unscaled when either norm is 0).
 * The reference exempts biases and normalisation parameters (every 1-d tensor) from both; they get a plain
 * momentum step, so this is only attached to weights (see {@link Optimisers}).
 * <p>
 * Why it extends L2Regularization: DL4J's layer validation runs more than once per layer and appends the global
 * regularisation list again each time, except for L1/L2 entries it recognises; a plain Regularization would
 * be applied twice (measured; OptimiserTest checks the step).
 */
@JsonIgnoreProperties({"l2"})
public class LarsAdaptation extends L2Regularization {
    @JsonProperty
    private final double weightDecay;
    @JsonProperty
    private final double eta;

    @JsonCreator
    public LarsAdaptation(@JsonProperty("weightDecay") double weightDecay, @JsonProperty("eta") double eta) {
        super(weightDecay);
        this.weightDecay = weightDecay;
        this.eta = eta;
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        if (weightDecay != 0) gradView.addi(param.mul(weightDecay));
        double paramNorm = param.norm2Number().doubleValue();
        double updateNorm = gradView.norm2Number().doubleValue();
        if (paramNorm > 0 && updateNorm > 0) gradView.muli(eta * paramNorm / updateNorm);
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        double n = param.norm2Number().doubleValue();
        return 0.5 * weightDecay * n * n;
    }

    @Override
    public Regularization clone() {
        return new LarsAdaptation(weightDecay, eta);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LarsAdaptation l && l.weightDecay == weightDecay && l.eta == eta;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(weightDecay) * 31 + Double.hashCode(eta);
    }

    @Override
    public String toString() {
        return "LarsAdaptation(wd=" + weightDecay + ", eta=" + eta + ")";
    }
}
