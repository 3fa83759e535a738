package io.essl.photonics;

import java.util.SplittableRandom;

/**
 * Random two-tone unit cells, the reference's "gpm" and "blob" families in spirit: a smooth periodic random field (a
 * sum of the Fourier modes with |G| <= 3 x 2 pi / a, random Gaussian amplitudes falling off with |G|) made
 * inversion-symmetric about the cell's origin (pixel (0, 0)), plus a Gaussian bump of random height at the cell's
 * centre, thresholded at a random level, so that a fill fraction between 0.2 and 0.8 of the cell takes a permittivity
 * drawn from U(2, 20) and the rest is air (1). Every cell is a pure function of (seed, index): a data set is
 * regenerated, not stored.
 * <p>
 * Why this shape (docs/photonics.md): without the bump a cell would be as likely at any shift, so no network could
 * tell a half-cell translation of it from the cell itself and the translate-half group's head would learn nothing;
 * with the bump the dielectric tends to gather at the centre, which a half-cell shift moves to an edge or a corner.
 * Inversion symmetry (f(-r) = f(r), which the bump has too) makes the Fourier coefficients real, which keeps the
 * solver on its n x n path, while a mirror or a quarter turn still changes the cell, so the square's symmetries
 * remain real augmentations.
 */
public final class RandomCells {
    public static final int SIDE = 32;
    static final int MODES = 3;
    public static final double EPS_MAX = 20;
    /** The centre bump's standard deviation, in lattice constants. */
    static final double BUMP_WIDTH = 0.15;

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
        field = inversionSymmetric(field, n);
        double sd = Math.sqrt(java.util.Arrays.stream(field).map(v -> v * v).sum() / field.length);
        double height = (1 + 2 * rnd.nextDouble()) * sd, width = BUMP_WIDTH * n;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int dy = Math.abs(y - n / 2), dx = Math.abs(x - n / 2); // the centre is its own mirror image mod n
                field[y * n + x] += height * Math.exp(-(dx * dx + dy * dy) / (2 * width * width));
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

    /** (f(r) + f(-r)) / 2 on the periodic n x n grid (indices mod n); exactly symmetric, as a + b = b + a. */
    static double[] inversionSymmetric(double[] f, int n) {
        double[] out = new double[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) out[y * n + x] = (f[y * n + x] + f[((n - y) % n) * n + (n - x) % n]) / 2;
        }
        return out;
    }
}
