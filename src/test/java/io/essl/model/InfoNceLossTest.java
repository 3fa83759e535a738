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
        double[][] z = NtXentLossTest.randomRows(new Random(13), 8, 3);
        double t = 0.2;
        INDArray grad = new InfoNceLoss(t).computeGradient(null, Nd4j.create(z), new ActivationIdentity(), null);
        double eps = 1e-6;
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < z[0].length; j++) {
                double keep = z[i][j];
                z[i][j] = keep + eps;
                double up = reference(z, t) * z.length;
                z[i][j] = keep - eps;
                double down = reference(z, t) * z.length;
                z[i][j] = keep;
                assertEquals((up - down) / (2 * eps), grad.getDouble(i, j), 1e-6, "d/dz[" + i + "][" + j + "]");
            }
        }
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
            for (double[] bj : b) denom += Math.exp(cos(a[i], bj) / t);
            total += Math.log(denom) - cos(a[i], b[i]) / t;
        }
        return total / a.length;
    }

    private static double cos(double[] x, double[] y) {
        double xy = 0, xx = 0, yy = 0;
        for (int k = 0; k < x.length; k++) {
            xy += x[k] * y[k];
            xx += x[k] * x[k];
            yy += y[k] * y[k];
        }
        return xy / Math.sqrt(xx * yy);
    }
}
