package io.essl.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** SimSiam's and Barlow Twins' losses against the reference formulas in plain loops, and by finite differences. */
class SslLossesTest {

    @Test
    void negativeCosineIsTheReferencesSymmetrisedD() {
        Random r = new Random(21);
        for (int n : new int[]{1, 2, 5}) {
            for (int d : new int[]{2, 7}) {
                double[][] pz = NtXentLossTest.randomRows(r, 2 * n, 2 * d);
                double got = new NegativeCosineLoss().computeScore(null, Nd4j.create(pz), new ActivationIdentity(), null, true);
                assertEquals(negativeCosine(pz), got, 1e-10, "n=" + n + " d=" + d);
            }
        }
        // identical prediction and target directions: the minimum, -1
        double[][] same = {{1, 2, 3, 6}, {0, 1, 0, 4}, {3, 6, 1, 2}, {0, 2, 0, 1}};
        assertEquals(-1, new NegativeCosineLoss().computeScore(null, Nd4j.create(same), new ActivationIdentity(), null, true), 1e-12);
    }

    @Test
    void negativeCosineGradientMatchesFiniteDifferences() {
        for (int n : new int[]{1, 3}) {
            NtXentLossTest.assertGradientMatchesFiniteDifferences(new NegativeCosineLoss(),
                    NtXentLossTest.randomRows(new Random(31 + n), 2 * n, 8), SslLossesTest::negativeCosine);
        }
    }

    @Test
    void barlowTwinsIsTheReferencesCrossCorrelationLoss() {
        Random r = new Random(41);
        for (int n : new int[]{2, 4, 9}) {
            for (int d : new int[]{3, 6}) {
                double[][] z = NtXentLossTest.randomRows(r, 2 * n, d);
                double got = new BarlowTwinsLoss(0.0051).computeScore(null, Nd4j.create(z), new ActivationIdentity(), null, true);
                assertEquals(barlowTwins(z, 0.0051), got, 1e-9, "n=" + n + " d=" + d);
            }
        }
        // two identical, decorrelated views (each column +-1 in a pattern orthogonal to the others): C = I, loss 0
        double[][] twin = {{1, 1}, {-1, 1}, {1, -1}, {-1, -1}, {1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
        assertEquals(0, new BarlowTwinsLoss(0.5).computeScore(null, Nd4j.create(twin), new ActivationIdentity(), null, true), 1e-4);
    }

    @Test
    void barlowTwinsGradientMatchesFiniteDifferences() {
        for (int[] nd : new int[][]{{2, 3}, {5, 4}}) {
            double lambda = 0.3; // a large off-diagonal weight, so that both terms show in the gradient
            NtXentLossTest.assertGradientMatchesFiniteDifferences(new BarlowTwinsLoss(lambda),
                    NtXentLossTest.randomRows(new Random(51 + nd[0]), 2 * nd[0], nd[1]), z -> barlowTwins(z, lambda));
        }
    }

    /** 0.5 D(p1, z2) + 0.5 D(p2, z1), D = -mean cos, with rows [p | z]. */
    static double negativeCosine(double[][] pz) {
        int n = pz.length / 2, d = pz[0].length / 2;
        double total = 0;
        for (int i = 0; i < 2 * n; i++) {
            int j = (i + n) % (2 * n);
            double[] p = java.util.Arrays.copyOfRange(pz[i], 0, d), z = java.util.Arrays.copyOfRange(pz[j], d, 2 * d);
            total -= NtXentLossTest.cos(p, z);
        }
        return total / (2 * n);
    }

    /** The reference: c = bn(z1).T @ bn(z2) / N (BatchNorm1d without affine), on_diag + lambda off_diag. */
    static double barlowTwins(double[][] z, double lambda) {
        int n = z.length / 2, d = z[0].length;
        double[][] a = bn(java.util.Arrays.copyOfRange(z, 0, n)), b = bn(java.util.Arrays.copyOfRange(z, n, 2 * n));
        double loss = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double c = 0;
                for (int k = 0; k < n; k++) c += a[k][i] * b[k][j];
                c /= n;
                loss += i == j ? (1 - c) * (1 - c) : lambda * c * c;
            }
        }
        return loss;
    }

    private static double[][] bn(double[][] x) {
        int n = x.length, d = x[0].length;
        double[][] out = new double[n][d];
        for (int j = 0; j < d; j++) {
            double mean = 0, var = 0;
            for (double[] row : x) mean += row[j] / n;
            for (double[] row : x) var += (row[j] - mean) * (row[j] - mean) / n;
            for (int k = 0; k < n; k++) out[k][j] = (x[k][j] - mean) / Math.sqrt(var + 1e-5);
        }
        return out;
    }
}
