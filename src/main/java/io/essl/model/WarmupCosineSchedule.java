package io.essl.model;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Only so that model files written before the schedule moved to {@code io.essl.optim} still load: their JSON names
 * this class. New files name {@link io.essl.optim.WarmupCosineSchedule}. Never build one.
 */
@Deprecated
public final class WarmupCosineSchedule extends io.essl.optim.WarmupCosineSchedule {
    @JsonCreator
    public WarmupCosineSchedule(@JsonProperty("base") double base, @JsonProperty("finalValue") double finalValue,
                                @JsonProperty("warmupSteps") int warmupSteps, @JsonProperty("totalSteps") int totalSteps) {
        super(base, finalValue, warmupSteps, totalSteps);
    }
}
