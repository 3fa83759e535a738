package io.essl.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stop-gradient as an activation: the identity forward, a zero gradient backward. In an ActivationLayer it is the
 * graph vertex SimSiam needs on its target branch (PyTorch's {@code z.detach()}): the loss sees the projection,
 * the projector learns only through the other branch. No parameters.
 */
public class StopGradient extends BaseActivationFunction {

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return in;
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        return new Pair<>(in.assign(0), null); // DL4J's activations write the gradient into their input array
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StopGradient;
    }

    @Override
    public int hashCode() {
        return StopGradient.class.hashCode();
    }

    @Override
    public String toString() {
        return "stopgradient";
    }
}
