package io.essl.photonics;

import java.util.SplittableRandom;

/**
 * Random two-tone unit cells, the reference's "gpm" family in spirit: a smooth periodic random field (a sum of the
 * Fourier modes with |G| <= 3 x 2 pi / a, random Gaussian amplitudes falling off with |G|) thresholded at a random
 * level, so that a fill fraction between 0.2 and 0.8 of the cell takes a permittivity drawn from U(2, 20) and the
 * rest is air (1). Every cell is a pure function of (seed, index): a data set is regenerated, not stored.
 */
public final class RandomCells {
    public static final int SIDE = 32;
    static final int MODES = 3;
    static final double EPS_MAX = 20;

    private RandomCells() {
    }

    public static UnitCell cell(long seed, long index) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int n = SIDE;
        double[] field = new double[n * n];
        for (int p = -MODES; p <= MODES; p++) {
            for (int q = 0; q <= MODES; q++) {
                if (q == 0 && p <= 0 || p * p + q * q > MODES * MODES) continue; // one of each +-G pair; no G = 0
                double scale = Math.exp(-(p * p + q * q) / 4.0);
                double re = scale * rnd.nextGaussian(), im = scale * rnd.nextGaussian();
                for (int y = 0; y < n; y++) {
                    for (int x = 0; x < n; x++) {
                        double phase = 2 * Math.PI * (p * x + q * y) / n;
                        field[y * n + x] += re * Math.cos(phase) - im * Math.sin(phase); // real part of c e^{iG.r}, x2 by symmetry
                    }
                }
            }
        }
        double[] sorted = field.clone();
        java.util.Arrays.sort(sorted);
        double fill = 0.2 + 0.6 * rnd.nextDouble();
        double level = sorted[(int) Math.min(n * n - 1, Math.round((1 - fill) * n * n))];
        double eps = 2 + (EPS_MAX - 2) * rnd.nextDouble();
        double[] e = new double[n * n];
        for (int i = 0; i < e.length; i++) e[i] = field[i] >= level ? eps : 1;
        return new UnitCell(n, e);
    }
}
