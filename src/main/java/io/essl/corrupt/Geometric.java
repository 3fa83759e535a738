package io.essl.corrupt;

import io.essl.augment.FloatImage;
import io.essl.augment.GaussianBlur;

import java.util.SplittableRandom;

/** Elastic transform (CIFAR-10-C) and MNIST-C's affine shifts; bilinear sampling through {@link Warp}. */
final class Geometric {
    private Geometric() {
    }

    /**
     * Elastic: a random affine map (the three points centre + (s, s), centre + (s, -s), centre - (s, s), s = side / 3,
     * each moved by U(-affine, affine) pixels per axis; mirrored borders), then each pixel displaced by a field of
     * U(-1, 1) values smoothed by a Gaussian of sigma pixels (truncated at 3 sigma) and scaled by alpha pixels.
     */
    static FloatImage elastic(FloatImage img, double alpha, double sigma, double affine, SplittableRandom rnd) {
        int h = img.height(), w = img.width();
        double cy = h / 2, cx = w / 2, s = Math.min(h, w) / 3; // numpy's float32(shape) // 2 and min(shape) // 3
        double[][] from = {{cx + s, cy + s}, {cx + s, cy - s}, {cx - s, cy - s}}; // (x, y), as OpenCV's points
        double[][] to = new double[3][2];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) to[i][j] = from[i][j] + (-affine + 2 * affine * rnd.nextDouble());
        }
        double[] inv = affineBetween(to, from); // output point -> source point
        FloatImage moved = Warp.apply(img, (y, x, at) -> {
            at[1] = inv[0] * x + inv[1] * y + inv[2];
            at[0] = inv[3] * x + inv[4] * y + inv[5];
        }, true, 0);
        float[] dx = field(h, w, sigma, alpha, rnd), dy = field(h, w, sigma, alpha, rnd);
        FloatImage out = Warp.apply(moved, (y, x, at) -> {
            at[0] = y + dy[y * w + x];
            at[1] = x + dx[y * w + x];
        }, true, 0);
        return Noise.clipped(out);
    }

    private static float[] field(int h, int w, double sigma, double alpha, SplittableRandom rnd) {
        float[] u = new float[h * w];
        for (int i = 0; i < u.length; i++) u[i] = (float) (-1 + 2 * rnd.nextDouble());
        int radius = (int) (3 * sigma + 0.5);
        float[] smooth = radius == 0 ? u : GaussianBlur.blur(new FloatImage(1, h, w, u), sigma, 2 * radius + 1).data();
        for (int i = 0; i < smooth.length; i++) smooth[i] *= (float) alpha;
        return smooth;
    }

    /** The affine map (row-major 2x3, acting on (x, y, 1)) that takes the three points {@code a} to {@code b}. */
    static double[] affineBetween(double[][] a, double[][] b) {
        double det = a[0][0] * (a[1][1] - a[2][1]) - a[0][1] * (a[1][0] - a[2][0]) + (a[1][0] * a[2][1] - a[2][0] * a[1][1]);
        double[] m = new double[6];
        for (int r = 0; r < 2; r++) { // Cramer's rule on [x y 1] * (m_r0, m_r1, m_r2) = b_r
            double b0 = b[0][r], b1 = b[1][r], b2 = b[2][r];
            m[3 * r] = (b0 * (a[1][1] - a[2][1]) - a[0][1] * (b1 - b2) + (b1 * a[2][1] - b2 * a[1][1])) / det;
            m[3 * r + 1] = (a[0][0] * (b1 - b2) - b0 * (a[1][0] - a[2][0]) + (a[1][0] * b2 - a[2][0] * b1)) / det;
            m[3 * r + 2] = (a[0][0] * (a[1][1] * b2 - a[2][1] * b1) - a[0][1] * (a[1][0] * b2 - a[2][0] * b1)
                    + b0 * (a[1][0] * a[2][1] - a[2][0] * a[1][1])) / det;
        }
        return m;
    }

    // MNIST-C's shifts give the source of each output pixel (skimage's warp with inverse_map): source = B (out - c) + c
    // about the centre c = (side - 1) / 2, B acting on (column, row); bilinear, zeros outside.

    /** Rotation by {@code radians}: B = [[cos, -sin], [sin, cos]]. */
    static FloatImage rotate(FloatImage img, double radians) {
        double cos = Math.cos(radians), sin = Math.sin(radians);
        return inverse(img, new double[]{cos, -sin, sin, cos}, 0, 0);
    }

    /** Shear as skimage up to 0.20 built it (the one MNIST-C was made with): B = [[1, -sin s], [0, cos s]]. */
    static FloatImage shear(FloatImage img, double s) {
        return inverse(img, new double[]{1, -Math.sin(s), 0, Math.cos(s)}, 0, 0);
    }

    /** The content shrunk (factor < 1) about the centre: B = diag(1 / factor). */
    static FloatImage scale(FloatImage img, double factor) {
        return inverse(img, new double[]{1 / factor, 0, 0, 1 / factor}, 0, 0);
    }

    /** Output (row, column) reads the input at (row + dy, column + dx): the content moves by (-dx, -dy). */
    static FloatImage translate(FloatImage img, double dx, double dy) {
        return inverse(img, new double[]{1, 0, 0, 1}, dx, dy);
    }

    private static FloatImage inverse(FloatImage img, double[] b, double tx, double ty) {
        double cy = (img.height() - 1) / 2.0, cx = (img.width() - 1) / 2.0;
        FloatImage out = Warp.apply(img, (y, x, at) -> {
            at[1] = b[0] * (x - cx) + b[1] * (y - cy) + cx + tx;
            at[0] = b[2] * (x - cx) + b[3] * (y - cy) + cy + ty;
        }, false, 0);
        return Noise.clipped(out);
    }
}
