package io.essl.augment;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The SimCLR/BYOL Gaussian blur: sigma drawn uniformly from [sigmaMin, sigmaMax], a square kernel of about
 * {@code kernelFraction} of the image side (made odd, at least 3), separable, reflect padding at the borders
 * (torchvision's GaussianBlur).
 */
public record GaussianBlur(double sigmaMin, double sigmaMax, double kernelFraction) implements Serializable {

    public FloatImage apply(FloatImage img, SplittableRandom rnd) {
        double sigma = sigmaMin + (sigmaMax - sigmaMin) * rnd.nextDouble();
        return blur(img, sigma, kernelSize(Math.min(img.height(), img.width())));
    }

    public int kernelSize(int side) {
        int k = Math.max(3, (int) (kernelFraction * side));
        return k % 2 == 0 ? k + 1 : k;
    }

    /** Normalised 1-D Gaussian weights of odd length {@code k}. */
    static float[] weights(double sigma, int k) {
        float[] w = new float[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            double d = i - k / 2;
            w[i] = (float) Math.exp(-d * d / (2 * sigma * sigma));
            sum += w[i];
        }
        for (int i = 0; i < k; i++) w[i] /= (float) sum;
        return w;
    }

    public static FloatImage blur(FloatImage img, double sigma, int k) {
        int c = img.channels(), h = img.height(), w = img.width(), r = k / 2;
        float[] wt = weights(sigma, k), src = img.data();
        float[] tmp = new float[h * w], out = new float[src.length], pad = new float[w + 2 * r];
        // Taps whose weight is under 1e-7 are skipped: together under 2.2e-6 of a [0, 1] pixel, float rounding's
        // order, and a small sigma in a kernel sized for the largest leaves most of the 23 taps at 224 px that small
        // (sigma 1: 12 of 23 are under 1e-7)
        int first = 0;
        while (first < r && wt[first] < 1e-7f) first++;
        int last = k - 1 - first;
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            java.util.Arrays.fill(tmp, 0f);
            for (int y = 0; y < h; y++) {                  // horizontal pass over a reflect-padded copy of the row
                int row = plane + y * w;
                for (int i = -r; i < w + r; i++) pad[i + r] = src[row + reflect(i, w)];
                int dst = y * w;
                for (int j = first; j <= last; j++) {      // tap-major so the inner loop vectorises
                    float wj = wt[j];
                    for (int x = 0; x < w; x++) tmp[dst + x] += wj * pad[x + j];
                }
            }
            for (int y = 0; y < h; y++) {                  // vertical pass, a whole row at a time
                int dst = plane + y * w;
                for (int j = first; j <= last; j++) {
                    int from = reflect(y + j - r, h) * w;
                    float wj = wt[j];
                    for (int x = 0; x < w; x++) out[dst + x] += wj * tmp[from + x];
                }
            }
        }
        return new FloatImage(c, h, w, out);
    }

    /**
     * Reflect without repeating the edge (… 2 1 | 0 1 2 … n-1 | n-2 …), as torch's "reflect" padding and OpenCV's
     * BORDER_REFLECT_101.
     */
    public static int reflect(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i = Math.floorMod(i, period);
        return i < n ? i : period - i;
    }
}
