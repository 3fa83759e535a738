package io.essl.corrupt;

import java.util.SplittableRandom;

/**
 * The diamond-square plasma fractal of Hendrycks & Dietterich's fog: a periodic size x size map (size a power of
 * two), each new point the mean of its four neighbours plus uniform noise whose scale starts at 100 and is divided
 * by {@code decay} at each halving of the step; normalised to [0, 1].
 */
final class Plasma {
    private Plasma() {
    }

    static double[][] fractal(int size, double decay, SplittableRandom rnd) {
        double[][] m = new double[size][size];
        double wibble = 100;
        for (int step = size; step >= 2; step /= 2, wibble /= decay) {
            int half = step / 2;
            // squares: the centre of each step x step cell from its four corners (periodic)
            for (int y = half; y < size; y += step) {
                for (int x = half; x < size; x += step) {
                    double sum = m[y - half][x - half] + m[(y + half) % size][x - half]
                            + m[y - half][(x + half) % size] + m[(y + half) % size][(x + half) % size];
                    m[y][x] = wibbled(sum, wibble, rnd);
                }
            }
            // diamonds: the edge midpoints from the two corners and the two centres beside them (periodic)
            for (int y = 0; y < size; y += step) {
                for (int x = half; x < size; x += step) {
                    double sum = m[y][x - half] + m[y][(x + half) % size]
                            + m[(y + half) % size][x] + m[Math.floorMod(y - half, size)][x];
                    m[y][x] = wibbled(sum, wibble, rnd);
                }
            }
            for (int y = half; y < size; y += step) {
                for (int x = 0; x < size; x += step) {
                    double sum = m[y - half][x] + m[(y + half) % size][x]
                            + m[y][(x + half) % size] + m[y][Math.floorMod(x - half, size)];
                    m[y][x] = wibbled(sum, wibble, rnd);
                }
            }
        }
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (double[] row : m) for (double v : row) { min = Math.min(min, v); max = Math.max(max, v); }
        for (double[] row : m) for (int x = 0; x < size; x++) row[x] = max > min ? (row[x] - min) / (max - min) : 0;
        return m;
    }

    /** The reference's wibbledmean: sum / 4 + wibble * U(-wibble, wibble). */
    private static double wibbled(double sum, double wibble, SplittableRandom rnd) {
        return sum / 4 + wibble * (-wibble + 2 * wibble * rnd.nextDouble());
    }
}
