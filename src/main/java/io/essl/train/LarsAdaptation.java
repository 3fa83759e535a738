package io.essl.train;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Only so that model files written before the optimisers moved to {@code io.essl.optim} still load: their JSON
 * names this class. New files name {@link io.essl.optim.LarsAdaptation}. Never build one.
 */
@Deprecated
public final class LarsAdaptation extends io.essl.optim.LarsAdaptation {
    @JsonCreator
    public LarsAdaptation(@JsonProperty("weightDecay") double weightDecay, @JsonProperty("eta") double eta) {
        super(weightDecay, eta);
    }
}
