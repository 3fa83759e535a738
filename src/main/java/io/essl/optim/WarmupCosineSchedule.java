package io.essl.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/** Linear warm-up from base/warmup to base over {@code warmupSteps}, then cosine decay to {@code finalValue}. */
public class WarmupCosineSchedule implements ISchedule {
    @JsonProperty private final double base;
    @JsonProperty private final double finalValue;
    @JsonProperty private final int warmupSteps;
    @JsonProperty private final int totalSteps;

    @JsonCreator
    public WarmupCosineSchedule(@JsonProperty("base") double base, @JsonProperty("finalValue") double finalValue,
                                @JsonProperty("warmupSteps") int warmupSteps, @JsonProperty("totalSteps") int totalSteps) {
        this.base = base;
        this.finalValue = finalValue;
        this.warmupSteps = Math.max(0, warmupSteps);
        this.totalSteps = Math.max(totalSteps, this.warmupSteps + 1);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmupSteps) {
            return base * (iteration + 1) / warmupSteps;
        }
        double t = Math.min(1.0, (double) (iteration - warmupSteps) / (totalSteps - warmupSteps));
        return finalValue + 0.5 * (base - finalValue) * (1 + Math.cos(Math.PI * t));
    }

    @Override
    public ISchedule clone() {
        return new WarmupCosineSchedule(base, finalValue, warmupSteps, totalSteps);
    }
}
