package io.essl.photonics;

/**
 * The TM density of states of a unit cell, as the paper's regression target: the bands on a uniform
 * (Monkhorst-Pack) k x k grid of the Brillouin zone, frequencies scaled by sqrt(mean eps) so that every cell's empty
 * lattice has the same DOS 2 pi f, each state a Gaussian of width {@code sigma} on {@code POINTS} frequencies in
 * [0, 0.96); the target is that DOS less the empty lattice's 2 pi f.
 */
public final class DensityOfStates {
    public static final int POINTS = 400;
    public static final double F_MAX = 0.96;

    private DensityOfStates() {
    }

    /** The frequency of point i of the DOS axis. */
    public static double frequency(int i) {
        return F_MAX * i / POINTS;
    }

    /** DOS per unit cell and unit of the scaled frequency, from the solver's bands on a k x k grid. */
    public static double[] of(UnitCell cell, int cutoff, int k, double sigma) {
        double meanEps = 0;
        for (double e : cell.eps()) meanEps += e;
        meanEps /= cell.eps().length;
        double scale = Math.sqrt(meanEps);
        PlaneWaveSolver solver = PlaneWaveSolver.of(cell, cutoff);
        double top = F_MAX + 4 * sigma;
        int bands = solver.planeWaves(); // the decomposition yields them all anyway; the loop stops at top
        double[] dos = new double[POINTS];
        double norm = 1 / (k * (double) k * sigma * Math.sqrt(2 * Math.PI));
        // time reversal: omega(k) = omega(-k), and the grid's point (i, j) is minus point (k-1-i, k-1-j), so with k
        // even the first half of the rows, counted twice, is the whole grid
        int rows = k % 2 == 0 ? k / 2 : k;
        double weight = k % 2 == 0 ? 2 * norm : norm;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < k; j++) {
                double kx = 2 * Math.PI * ((i + 0.5) / k - 0.5), ky = 2 * Math.PI * ((j + 0.5) / k - 0.5);
                for (double f : solver.frequencies(kx, ky, bands)) {
                    double fs = f * scale;
                    if (fs > top) break;
                    for (int p = 0; p < POINTS; p++) {
                        double d = (frequency(p) - fs) / sigma;
                        if (Math.abs(d) < 6) dos[p] += weight * Math.exp(-0.5 * d * d);
                    }
                }
            }
        }
        return dos;
    }

    /** The regression target: the DOS less the empty lattice's 2 pi f. */
    public static double[] target(double[] dos) {
        double[] t = new double[dos.length];
        for (int p = 0; p < dos.length; p++) t[p] = dos[p] - 2 * Math.PI * frequency(p);
        return t;
    }
}
