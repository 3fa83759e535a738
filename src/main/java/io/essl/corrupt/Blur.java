package io.essl.corrupt;

import io.essl.augment.FloatImage;
import io.essl.augment.GaussianBlur;
import io.essl.augment.RandomResizedCrop;

import java.util.SplittableRandom;

/** Blurs (Hendrycks & Dietterich's CIFAR-10-C definitions); borders mirrored unless a definition says otherwise. */
final class Blur {
    private Blur() {
    }

    /**
     * Defocus: a disk of the given radius on a 17 x 17 grid, normalised, its edge softened by a 3 x 3 Gaussian of
     * sigma {@code alias} (anti-aliasing), then convolved with every channel.
     */
    static FloatImage defocus(FloatImage img, double radius, double alias) {
        return convolve(img, disk(radius, alias));
    }

    static float[][] disk(double radius, double alias) {
        int r = Math.max(8, (int) Math.ceil(radius)), n = 2 * r + 1;
        float[][] k = new float[n][n];
        double sum = 0;
        for (int y = -r; y <= r; y++) {
            for (int x = -r; x <= r; x++) {
                if (x * x + y * y <= radius * radius) {
                    k[y + r][x + r] = 1;
                    sum++;
                }
            }
        }
        for (float[] row : k) for (int x = 0; x < n; x++) row[x] /= (float) sum;
        FloatImage soft = GaussianBlur.blur(new FloatImage(1, n, n, flat(k)), alias, radius <= 8 ? 3 : 5);
        float[][] out = new float[n][n];
        for (int y = 0; y < n; y++) System.arraycopy(soft.data(), y * n, out[y], 0, n);
        return out;
    }

    /**
     * Motion (ImageMagick's -motion-blur radius x sigma at a random angle in [-45, 45] degrees): a one-sided line of
     * 2 radius + 1 taps, tap i weighted exp(-i^2 / 2 sigma^2) and offset by i pixels along the angle (ImageMagick 6's
     * ceil(v - 0.5)); edges clamped as ImageMagick's default virtual pixels.
     */
    static FloatImage motion(FloatImage img, int radius, double sigma, SplittableRandom rnd) {
        double angle = Math.toRadians(-45 + 90 * rnd.nextDouble());
        int taps = 2 * radius + 1;
        double[] wt = new double[taps];
        int[] dx = new int[taps], dy = new int[taps];
        double sum = 0;
        for (int i = 0; i < taps; i++) {
            wt[i] = Math.exp(-(double) i * i / (2 * sigma * sigma));
            sum += wt[i];
            dx[i] = (int) Math.ceil(i * Math.cos(angle) - 0.5);
            dy[i] = (int) Math.ceil(i * Math.sin(angle) - 0.5);
        }
        int c = img.channels(), h = img.height(), w = img.width();
        float[] in = img.data(), out = new float[in.length];
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double v = 0;
                    for (int i = 0; i < taps; i++) {
                        int sy = Math.min(h - 1, Math.max(0, y + dy[i])), sx = Math.min(w - 1, Math.max(0, x + dx[i]));
                        v += wt[i] * in[plane + sy * w + sx];
                    }
                    out[plane + y * w + x] = (float) (v / sum);
                }
            }
        }
        return Noise.like(img, out);
    }

    /** Zoom: the mean of the image and its central crops of side h / z scaled back to h (bilinear), z in zooms. */
    static FloatImage zoom(FloatImage img, double[] zooms) {
        int h = img.height(), w = img.width();
        float[] acc = img.data().clone();
        for (double z : zooms) {
            double ch = h / z, cw = w / z;
            float[] zoomed = resize(img, new RandomResizedCrop.Box((h - ch) / 2, (w - cw) / 2, ch, cw)).data();
            for (int i = 0; i < acc.length; i++) acc[i] += zoomed[i];
        }
        for (int i = 0; i < acc.length; i++) acc[i] = Noise.clip(acc[i] / (zooms.length + 1));
        return Noise.like(img, acc);
    }

    /**
     * Glass: Gaussian blur of sigma, then {@code iterations} sweeps over rows and columns h - delta down to
     * delta + 1 (bottom-right to top-left), each pixel taking the value of a random neighbour up to delta away in
     * each axis (numpy's randint(-delta, delta): the upper end excluded), then the same blur again. The reference
     * means to swap the two, but its numpy swap of pixel rows (views) copies one way: we do what it does.
     */
    static FloatImage glass(FloatImage img, double sigma, int delta, int iterations, SplittableRandom rnd) {
        int c = img.channels(), h = img.height(), w = img.width();
        float[] px = gaussian(img, sigma).data().clone();
        for (int it = 0; it < iterations; it++) {
            for (int y = h - delta; y > delta; y--) {
                for (int x = w - delta; x > delta; x--) {
                    int ddx = rnd.nextInt(-delta, delta), ddy = rnd.nextInt(-delta, delta);
                    int ny = y + ddy, nx = x + ddx;
                    for (int ch = 0; ch < c; ch++) px[(ch * h + y) * w + x] = px[(ch * h + ny) * w + nx];
                }
            }
        }
        FloatImage out = gaussian(Noise.like(img, px), sigma);
        return Noise.clipped(out);
    }

    /** skimage's gaussian: the kernel truncated at 4 sigma. */
    static FloatImage gaussian(FloatImage img, double sigma) {
        int radius = (int) (4 * sigma + 0.5);
        return radius == 0 ? img : GaussianBlur.blur(img, sigma, 2 * radius + 1);
    }

    /** A box of the image resampled bilinearly to the image's own size. */
    static FloatImage resize(FloatImage img, RandomResizedCrop.Box box) {
        if (img.height() != img.width()) throw new IllegalArgumentException("corruptions take square images (the probe's centre view)");
        return RandomResizedCrop.resize(img, box, img.height());
    }

    /** Correlation with a square odd kernel, mirrored borders (OpenCV filter2D's default). */
    static FloatImage convolve(FloatImage img, float[][] k) {
        int c = img.channels(), h = img.height(), w = img.width(), r = k.length / 2;
        float[] in = img.data(), out = new float[in.length];
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double v = 0;
                    for (int j = -r; j <= r; j++) {
                        int row = plane + GaussianBlur.reflect(y + j, h) * w;
                        float[] kr = k[j + r];
                        for (int i = -r; i <= r; i++) v += kr[i + r] * in[row + GaussianBlur.reflect(x + i, w)];
                    }
                    out[plane + y * w + x] = Noise.clip(v);
                }
            }
        }
        return Noise.like(img, out);
    }

    private static float[] flat(float[][] k) {
        float[] f = new float[k.length * k.length];
        for (int y = 0; y < k.length; y++) System.arraycopy(k[y], 0, f, y * k.length, k.length);
        return f;
    }
}
