package io.essl.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class NtXentLossTest {

    @Test
    void lossMatchesHandComputation() {
        // Rows 0/2 and 1/3 are identical pairs, 0 and 1 orthogonal. With T = 1, every row sees its partner at
        // cosine 1 and two negatives at cosine 0: loss = log(e^1 + 2) - 1.
        INDArray z = Nd4j.create(new double[][]{{1, 0}, {0, 3}, {2, 0}, {0, 1}});
        double expected = Math.log(Math.E + 2) - 1;
        NtXentLoss loss = new NtXentLoss(1.0);
        assertEquals(expected, loss.computeScore(null, z, new ActivationIdentity(), null, true), 1e-9);
        assertEquals(4 * expected, loss.computeScore(null, z, new ActivationIdentity(), null, false), 1e-9);
    }

    @Test
    void lossMatchesReferenceImplementationOverSizesAndTemperatures() {
        Random r = new Random(7);
        for (int n : new int[]{2, 3, 8}) {
            for (double t : new double[]{0.1, 0.5, 2.0}) {
                double[][] z = randomRows(r, 2 * n, 5);
                double got = new NtXentLoss(t).computeScore(null, Nd4j.create(z), new ActivationIdentity(), null, true);
                assertEquals(reference(z, t), got, 1e-8, "n=" + n + " T=" + t);
            }
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        assertGradientMatchesFiniteDifferences(new NtXentLoss(0.5), randomRows(new Random(11), 6, 4),
                z -> reference(z, 0.5));
    }

    /** dL/dz of the summed per-row losses against central differences of a plain-loop mean loss. */
    static void assertGradientMatchesFiniteDifferences(org.nd4j.linalg.lossfunctions.ILossFunction loss, double[][] z,
                                                       java.util.function.ToDoubleFunction<double[][]> meanLoss) {
        INDArray grad = loss.computeGradient(null, Nd4j.create(z), new ActivationIdentity(), null);
        double eps = 1e-6;
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < z[0].length; j++) {
                double keep = z[i][j];
                z[i][j] = keep + eps;
                double up = meanLoss.applyAsDouble(z) * z.length;
                z[i][j] = keep - eps;
                double down = meanLoss.applyAsDouble(z) * z.length;
                z[i][j] = keep;
                assertEquals((up - down) / (2 * eps), grad.getDouble(i, j), 1e-6, "d/dz[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void swappingTheViewsGivesTheSameLoss() {
        double[][] z = randomRows(new Random(3), 8, 6);
        double[][] swapped = new double[8][];
        for (int i = 0; i < 8; i++) swapped[i] = z[(i + 4) % 8];
        NtXentLoss loss = new NtXentLoss(0.5);
        assertEquals(loss.computeScore(null, Nd4j.create(z), new ActivationIdentity(), null, true),
                loss.computeScore(null, Nd4j.create(swapped), new ActivationIdentity(), null, true), 1e-9);
    }

    @Test
    void rejectsOddRowsAndTinyTemperature() {
        assertThrows(IllegalArgumentException.class, () -> new NtXentLoss(0.001));
        INDArray odd = Nd4j.rand(DataType.DOUBLE, 5, 3);
        assertThrows(IllegalArgumentException.class,
                () -> new NtXentLoss(0.5).computeScore(null, odd, new ActivationIdentity(), null, true));
    }

    /** Plain loops: mean over rows of -log softmax_j!=i(cos(z_i, z_j)/T)[partner]. */
    static double reference(double[][] z, double t) {
        int rows = z.length, n = rows / 2;
        double total = 0;
        for (int i = 0; i < rows; i++) {
            double denom = 0, pos = 0;
            for (int j = 0; j < rows; j++) {
                if (j == i) continue;
                double s = cos(z[i], z[j]) / t;
                denom += Math.exp(s);
                if (j == (i + n) % rows) pos = s;
            }
            total += Math.log(denom) - pos;
        }
        return total / rows;
    }

    static double cos(double[] a, double[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int k = 0; k < a.length; k++) {
            ab += a[k] * b[k];
            aa += a[k] * a[k];
            bb += b[k] * b[k];
        }
        return ab / Math.sqrt(aa * bb);
    }

    static double[][] randomRows(Random r, int rows, int d) {
        double[][] z = new double[rows][d];
        for (double[] row : z) for (int k = 0; k < d; k++) row[k] = r.nextGaussian();
        return z;
    }
}
