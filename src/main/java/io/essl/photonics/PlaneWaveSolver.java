package io.essl.photonics;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * TM bands (E along z) of a 2D square-lattice photonic crystal by plane-wave expansion. With E_z = sum_G E_G
 * e^{i(k+G).r}, Maxwell's equations give the generalised Hermitian eigenproblem
 * {@code |k+G|^2 E_G = (omega/c)^2 sum_G' eps(G - G') E_G'}: E_z is tangential to every interface, hence
 * continuous, and the plain (Laurent) product of the Fourier series of eps and E converges for it; the inverse rule
 * (Ho, Chan and Soukoulis) is what the other polarisation needs. eps(G) are the discrete Fourier coefficients of the
 * unit cell's pixels (sampled at pixel centres); plane waves are those with |G| <= cutoff x 2 pi / a. Solved as a
 * real symmetric problem (a Hermitian n x n matrix is the symmetric 2n x 2n [[Re, -Im], [Im, Re]], each eigenvalue
 * twice; cells with inversion symmetry have real eps(G) and stay n x n) by Cholesky and Commons Math's symmetric
 * eigen-decomposition. Frequencies are in units of 2 pi c / a (omega a / 2 pi c).
 * <p>
 * The origin of the Fourier series is ours to choose: moving it multiplies eps(G_i - G_j) by a unit phase
 * e^{i (G_i - G_j).s}, a unitary similarity that leaves every eigenvalue as it is. A cell symmetric about a pixel
 * centre (the generator's) or about a pixel corner (the rods) has real coefficients about that point, so both are
 * tried and the real one is kept: the n x n path is about eight times cheaper than the 2n x 2n one.
 */
public final class PlaneWaveSolver {
    private final int[][] waves; // (p, q): G = 2 pi (p, q) / a
    private final boolean real;
    /** L^-1 for the Cholesky factor L of the eps matrix (the same at every k). */
    private final RealMatrix inverseL;

    /** {@code epsRe}, {@code epsIm}: eps(G_i - G_j); only their Cholesky factor is kept. */
    private PlaneWaveSolver(int[][] waves, double[][] epsRe, double[][] epsIm, boolean real) {
        this.waves = waves;
        this.real = real;
        int w = waves.length, m = real ? w : 2 * w;
        double[][] b = new double[m][m], identity = new double[m][m];
        for (int i = 0; i < w; i++) {
            for (int j = 0; j < w; j++) {
                b[i][j] = epsRe[i][j];
                if (!real) {
                    b[i + w][j + w] = epsRe[i][j];
                    b[i][j + w] = -epsIm[i][j];
                    b[i + w][j] = epsIm[i][j];
                }
            }
        }
        for (int i = 0; i < m; i++) identity[i][i] = 1;
        RealMatrix lower = new CholeskyDecomposition(new Array2DRowRealMatrix(b, false), 1e-10, 1e-12).getL();
        this.inverseL = forwardSolve(lower, new Array2DRowRealMatrix(identity, false));
    }

    /** The solver for a cell with the plane waves |G| <= cutoff x 2 pi / a. */
    public static PlaneWaveSolver of(UnitCell cell, int cutoff) {
        List<int[]> list = new ArrayList<>();
        for (int p = -cutoff; p <= cutoff; p++) {
            for (int q = -cutoff; q <= cutoff; q++) if (p * p + q * q <= cutoff * cutoff) list.add(new int[]{p, q});
        }
        int[][] waves = list.toArray(int[][]::new);
        int span = 2 * cutoff, side = 2 * span + 1;
        double[][] re = new double[side][side], im = new double[side][side]; // coefficients for dp, dq in [-span, span]
        int n = cell.n();
        double max = 0, maxIm = 0, maxImCorner = 0;
        for (int dp = -span; dp <= span; dp++) {
            for (int dq = -span; dq <= span; dq++) {
                double sr = 0, si = 0;
                for (int y = 0; y < n; y++) {
                    for (int x = 0; x < n; x++) { // about pixel (0, 0)'s centre
                        double phase = -2 * Math.PI * (dp * x + dq * y) / n;
                        double e = cell.at(y, x);
                        sr += e * Math.cos(phase);
                        si += e * Math.sin(phase);
                    }
                }
                re[dp + span][dq + span] = sr / (n * n);
                im[dp + span][dq + span] = si / (n * n);
                max = Math.max(max, Math.abs(sr / (n * n)));
                maxIm = Math.max(maxIm, Math.abs(si / (n * n)));
                double t = -Math.PI * (dp + dq) / n; // the same about its corner (half a pixel on): times e^{i t}
                maxImCorner = Math.max(maxImCorner, Math.abs(Math.sin(t) * sr + Math.cos(t) * si) / (n * n));
            }
        }
        if (maxIm > 1e-12 * max && maxImCorner <= 1e-12 * max) {
            for (int dp = -span; dp <= span; dp++) {
                for (int dq = -span; dq <= span; dq++) {
                    double t = -Math.PI * (dp + dq) / n, sr = re[dp + span][dq + span], si = im[dp + span][dq + span];
                    re[dp + span][dq + span] = Math.cos(t) * sr - Math.sin(t) * si;
                    im[dp + span][dq + span] = Math.sin(t) * sr + Math.cos(t) * si;
                }
            }
            maxIm = maxImCorner;
        }
        int w = waves.length;
        double[][] epsRe = new double[w][w], epsIm = new double[w][w];
        for (int i = 0; i < w; i++) {
            for (int j = 0; j < w; j++) {
                epsRe[i][j] = re[waves[i][0] - waves[j][0] + span][waves[i][1] - waves[j][1] + span];
                epsIm[i][j] = im[waves[i][0] - waves[j][0] + span][waves[i][1] - waves[j][1] + span];
            }
        }
        return new PlaneWaveSolver(waves, epsRe, epsIm, maxIm <= 1e-12 * max);
    }

    /** Whether eps(G) came out real about the origin chosen (the n x n path). */
    boolean real() {
        return real;
    }

    public int planeWaves() {
        return waves.length;
    }

    /** The lowest {@code bands} frequencies omega a / 2 pi c at Bloch wave vector (kx, ky) (units of 1 / a), ascending. */
    public double[] frequencies(double kx, double ky, int bands) {
        int w = waves.length, m = real ? w : 2 * w;
        double[] kk = new double[m];
        for (int i = 0; i < w; i++) {
            double gx = kx + 2 * Math.PI * waves[i][0], gy = ky + 2 * Math.PI * waves[i][1];
            kk[i] = gx * gx + gy * gy;
            if (!real) kk[i + w] = kk[i];
        }
        // A x = lambda B x with B = L L^T: (L^-1 A^1/2)(L^-1 A^1/2)^T y = lambda y, symmetric
        double[][] li = ((Array2DRowRealMatrix) inverseL).getDataRef(), x = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j <= i; j++) x[i][j] = li[i][j] * Math.sqrt(kk[j]); // L^-1 is lower-triangular
        }
        RealMatrix xm = new Array2DRowRealMatrix(x, false);
        double[] lambda = new EigenDecomposition(xm.multiply(xm.transpose())).getRealEigenvalues();
        Arrays.sort(lambda);
        double[] f = new double[bands];
        int step = real ? 1 : 2; // the 2n x 2n form holds each eigenvalue twice
        for (int i = 0; i < bands; i++) f[i] = Math.sqrt(Math.max(0, lambda[i * step])) / (2 * Math.PI);
        return f;
    }

    /** L^-1 M for lower-triangular L, column by column. */
    private static RealMatrix forwardSolve(RealMatrix l, RealMatrix mat) {
        int n = l.getRowDimension(), cols = mat.getColumnDimension();
        double[][] ld = l.getData(), md = mat.getData(), out = new double[n][cols];
        for (int c = 0; c < cols; c++) {
            for (int i = 0; i < n; i++) {
                double s = md[i][c];
                for (int k = 0; k < i; k++) s -= ld[i][k] * out[k][c];
                out[i][c] = s / ld[i][i];
            }
        }
        return new Array2DRowRealMatrix(out, false);
    }

    /**
     * The Bloch wave vectors on the edge of the irreducible Brillouin zone, Gamma (0, 0) - X (pi, 0) - M (pi, pi) -
     * Gamma, {@code perSegment} steps a segment (units of 1 / a): where a square lattice's band extremes lie.
     */
    public static double[][] path(int perSegment) {
        double[][] corners = {{0, 0}, {Math.PI, 0}, {Math.PI, Math.PI}, {0, 0}};
        double[][] k = new double[3 * perSegment + 1][];
        int i = 0;
        for (int s = 0; s < 3; s++) {
            for (int t = 0; t < perSegment; t++) {
                double u = (double) t / perSegment;
                k[i++] = new double[]{corners[s][0] + u * (corners[s + 1][0] - corners[s][0]),
                        corners[s][1] + u * (corners[s + 1][1] - corners[s][1])};
            }
        }
        k[i] = corners[3];
        return k;
    }

    /** The gap between band {@code band} and the next (1-based) over the path: [top of the lower, bottom of the upper]. */
    public double[] gap(int band, int perSegment) {
        double top = 0, bottom = Double.MAX_VALUE;
        for (double[] k : path(perSegment)) {
            double[] f = frequencies(k[0], k[1], band + 1);
            top = Math.max(top, f[band - 1]);
            bottom = Math.min(bottom, f[band]);
        }
        return new double[]{top, bottom};
    }
}
