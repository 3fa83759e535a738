package io.essl.optim;

import io.essl.config.EsslConfig;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.List;

/**
 * The optimiser of a recipe, as DL4J updater plus per-parameter regularisation:
 * <ul>
 * <li>{@code sgd}: PyTorch's SGD with momentum and coupled weight decay on every parameter (small-image recipe);</li>
 * <li>{@code lars}: LARS (weight decay and trust ratio on weights only, then momentum) (ImageNet recipe);</li>
 * <li>{@code adam}: Adam with coupled weight decay (a CPU-demo convenience, not in the paper).</li>
 * </ul>
 * The learning rate is base-lr x global batch / 256, warmed up linearly and then decayed by a cosine to
 * lr-floor x that, stepped every iteration.
 */
public final class Optimisers {
    private Optimisers() {
    }

    /** {@code weights}: regularisation of multi-dimensional weights; {@code others}: of biases and norm parameters. */
    public record Optimisation(IUpdater updater, List<Regularization> weights, List<Regularization> others,
                               ISchedule schedule, double peakLr) {
    }

    public static Optimisation of(EsslConfig.Train t, int globalBatch, int warmupIterations, int totalIterations) {
        double lr = t.baseLr() * globalBatch / 256.0;
        ISchedule schedule = new WarmupCosineSchedule(lr, lr * t.lrFloor(), warmupIterations, totalIterations);
        List<Regularization> l2 = l2(t.weightDecay());
        return switch (t.optimizer()) {
            case "sgd" -> new Optimisation(new MomentumSgd(schedule, t.momentum()), l2, l2, schedule, lr);
            case "lars" -> new Optimisation(new MomentumSgd(schedule, t.momentum()),
                    List.of(new LarsAdaptation(t.weightDecay(), t.larsEta())), List.of(), schedule, lr);
            case "adam" -> new Optimisation(new Adam(schedule), l2, l2, schedule, lr);
            default -> throw new IllegalArgumentException("unknown optimizer " + t.optimizer());
        };
    }

    /**
     * Fine-tuning's: SGD with Nesterov momentum at a constant {@code lr}, which the driver changes every step
     * (train.FinetuneJob), and L2 weight decay when {@code weightDecay} > 0 (SimCLR's protocol has none).
     */
    public static Optimisation nesterov(double lr, double momentum, double weightDecay) {
        List<Regularization> l2 = l2(weightDecay);
        return new Optimisation(new org.nd4j.linalg.learning.config.Nesterovs(lr, momentum), l2, l2, null, lr);
    }

    /** Fine-tuning's optimiser by finetune.optimizer: {@link #nesterov}, or Adam at a constant {@code lr} alike. */
    public static Optimisation finetuning(EsslConfig.Finetune f, double lr) {
        if (!f.optimizer().equals("adam")) return nesterov(lr, f.momentum(), f.weightDecay());
        List<Regularization> l2 = l2(f.weightDecay());
        return new Optimisation(new Adam(lr), l2, l2, null, lr);
    }

    /** L2 weight decay, or none at 0. */
    private static List<Regularization> l2(double weightDecay) {
        return weightDecay > 0 ? List.of(new L2Regularization(weightDecay)) : List.of();
    }
}
