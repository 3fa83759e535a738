package io.essl.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InfoNceLossTest {

    @Test
    void lossMatchesHandComputation() {
        // Views 1 = rows 0,1 and views 2 = rows 2,3; pairs identical in direction, 0 and 1 orthogonal. With T = 1
        // each row sees its partner at cosine 1 and one negative (the other image's other view) at cosine 0:
        // loss = log(e + 1) - 1 per row (N - 1 = 1 negative, not NT-Xent's 2N - 2 = 2).
        INDArray z = Nd4j.create(new double[][]{{1, 0}, {0, 3}, {2, 0}, {0, 1}});
        assertEquals(Math.log(Math.E + 1) - 1,
                new InfoNceLoss(1.0).computeScore(null, z, new ActivationIdentity(), null, true), 1e-9);
    }

    @Test
    void lossIsTheSymmetrisedReference() {
        Random r = new Random(5);
        for (int n : new int[]{2, 3, 8}) {
            for (double t : new double[]{0.2, 0.5, 2.0}) {
                double[][] z = NtXentLossTest.randomRows(r, 2 * n, 5);
                double got = new InfoNceLoss(t).computeScore(null, Nd4j.create(z), new ActivationIdentity(), null, true);
                assertEquals(reference(z, t), got, 1e-8, "n=" + n + " T=" + t);
            }
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        NtXentLossTest.assertGradientMatchesFiniteDifferences(new InfoNceLoss(0.2),
                NtXentLossTest.randomRows(new Random(13), 8, 3), z -> reference(z, 0.2));
    }

    /**
     * The reference's formula in plain loops: 0.5 L(z1, z2) + 0.5 L(z2, z1), L(a, b) = mean_i CE(cos(a_i, b_.)/T, i).
     */
    static double reference(double[][] z, double t) {
        int n = z.length / 2;
        double[][] a = java.util.Arrays.copyOfRange(z, 0, n), b = java.util.Arrays.copyOfRange(z, n, 2 * n);
        return 0.5 * oneWay(a, b, t) + 0.5 * oneWay(b, a, t);
    }

    private static double oneWay(double[][] a, double[][] b, double t) {
        double total = 0;
        for (int i = 0; i < a.length; i++) {
            double denom = 0;
            for (double[] bj : b) denom += Math.exp(NtXentLossTest.cos(a[i], bj) / t);
            total += Math.log(denom) - NtXentLossTest.cos(a[i], b[i]) / t;
        }
        return total / a.length;
    }
}
