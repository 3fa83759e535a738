package io.essl.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * SGD with heavy-ball momentum exactly as PyTorch's {@code torch.optim.SGD} (and the reference's LARS) step:
 * v = m v + g, update = lr v. DL4J's {@code Nesterovs} is Nesterov momentum, a different update.
 * Weight decay and LARS scaling act on g before this step ({@link LarsAdaptation}, L2 regularisation).
 */
public class MomentumSgd implements IUpdater {
    @JsonProperty
    private double learningRate;
    @JsonProperty
    private ISchedule learningRateSchedule;
    @JsonProperty
    private final double momentum;

    @JsonCreator
    public MomentumSgd(@JsonProperty("learningRate") double learningRate,
                       @JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
                       @JsonProperty("momentum") double momentum) {
        this.learningRate = learningRate;
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = momentum;
    }

    public MomentumSgd(ISchedule schedule, double momentum) {
        this(Double.NaN, schedule, momentum);
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        INDArray v = viewArray.reshape(viewArray.length());
        u.setStateViewArray(v, v.shape(), v.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> state, boolean initializeStateArrays) {
        Updater u = new Updater(this);
        u.setState(state, initializeStateArrays);
        return u;
    }

    @Override
    public MomentumSgd clone() {
        return new MomentumSgd(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), momentum);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MomentumSgd s && s.momentum == momentum && Double.compare(s.learningRate, learningRate) == 0
                && java.util.Objects.equals(s.learningRateSchedule, learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(learningRate, learningRateSchedule, momentum);
    }

    @Override
    public String toString() {
        return "MomentumSgd(momentum=" + momentum + ")";
    }

    private static final class Updater implements GradientUpdater<MomentumSgd> {
        private static final String STATE = "V";
        private final MomentumSgd config;
        private INDArray v;

        Updater(MomentumSgd config) {
            this.config = config;
        }

        @Override
        public MomentumSgd getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            if (!state.containsKey(STATE) || state.size() != 1) {
                throw new IllegalStateException("momentum state must hold only " + STATE + ", got " + state.keySet());
            }
            v = state.get(STATE);
            if (initialize) v.assign(0);
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(STATE, v);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (initialize) viewArray.assign(0);
            v = org.nd4j.linalg.api.shape.Shape.newShapeNoCopy(viewArray, gradientShape, gradientOrder == 'f');
            if (v == null) throw new IllegalStateException("momentum state cannot take the gradient's shape");
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            INDArray g = gradient.reshape(v.shape());
            v.muli(config.momentum).addi(g);
            g.assign(v).muli(config.getLearningRate(iteration, epoch));
        }
    }
}
