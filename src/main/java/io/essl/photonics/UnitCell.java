package io.essl.photonics;

/**
 * One unit cell of a 2D square-lattice photonic crystal: its relative permittivity on an n x n grid over
 * [0, a) x [0, a) (row y, column x; the lattice constant a is the unit of length), periodic.
 */
public record UnitCell(int n, double[] eps) {
    public UnitCell {
        if (eps.length != n * n) throw new IllegalArgumentException("eps has " + eps.length + " values, not " + n + " x " + n);
    }

    public double at(int y, int x) {
        return eps[y * n + x];
    }

    /** A homogeneous cell. */
    public static UnitCell uniform(int n, double eps) {
        double[] e = new double[n * n];
        java.util.Arrays.fill(e, eps);
        return new UnitCell(n, e);
    }

    /**
     * A dielectric rod of radius r (in units of a) and permittivity epsRod, centred in the cell, in a background of
     * 1 (air): the square lattice of rods. Each pixel is the mean over a {@code sub} x {@code sub} grid of points in
     * it, so the interface is resolved below the pixel size.
     */
    public static UnitCell rods(int n, double epsRod, double radius, int sub) {
        double[] e = new double[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int inside = 0;
                for (int i = 0; i < sub; i++) {
                    for (int j = 0; j < sub; j++) {
                        double py = (y + (i + 0.5) / sub) / n - 0.5, px = (x + (j + 0.5) / sub) / n - 0.5;
                        if (px * px + py * py <= radius * radius) inside++;
                    }
                }
                double f = (double) inside / (sub * sub);
                e[y * n + x] = 1 + f * (epsRod - 1);
            }
        }
        return new UnitCell(n, e);
    }
}
