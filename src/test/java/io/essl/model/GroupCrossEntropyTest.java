package io.essl.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GroupCrossEntropyTest {

    @Test
    void scoreGradientAndAccuracyAgainstHandComputation() {
        INDArray logits = Nd4j.create(new double[][]{{2, 0, 0, 0}, {0, 0, 3, 0}});
        INDArray labels = Nd4j.create(new double[][]{{1, 0, 0, 0}, {0, 1, 0, 0}});
        GroupCrossEntropy loss = new GroupCrossEntropy(0.4, 0.5);
        double ce0 = Math.log(Math.exp(2) + 3) - 2, ce1 = Math.log(Math.exp(3) + 3);
        assertEquals(0.4 * (ce0 + ce1) / 2, loss.computeScore(labels, logits, new ActivationIdentity(), null, true), 1e-9);
        assertEquals(0.5, loss.lastAccuracy(), 1e-12, "row 0 right, row 1 wrong");
        // Gradient: weight x gradientScale x (softmax - onehot).
        double z0 = Math.exp(2) + 3;
        double[] g0 = {0.2 * (Math.exp(2) / z0 - 1), 0.2 / z0, 0.2 / z0, 0.2 / z0};
        INDArray grad = loss.computeGradient(labels, logits, new ActivationIdentity(), null);
        assertArrayEquals(g0, grad.getRow(0).toDoubleVector(), 1e-9);
    }
}
