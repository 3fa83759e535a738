package io.essl.train;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Only so that model files written before the optimisers moved to {@code io.essl.optim} still load: their JSON
 * names this class. New files name {@link io.essl.optim.MomentumSgd}. Never build one.
 */
@Deprecated
public final class MomentumSgd extends io.essl.optim.MomentumSgd {
    @JsonCreator
    public MomentumSgd(@JsonProperty("learningRate") double learningRate,
                       @JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
                       @JsonProperty("momentum") double momentum) {
        super(learningRate, learningRateSchedule, momentum);
    }
}
