package io.essl.augment;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * torchvision's ColorJitter on [0, 1] images: brightness, contrast, saturation and hue factors drawn uniformly
 * (brightness b from [max(0, 1-b), 1+b], likewise contrast and saturation; hue shift from [-h, h]) and applied in
 * a random order, each result clamped to [0, 1]. On a one-channel image saturation and hue change nothing (as
 * in torchvision), so for grayscale data ColorJitter is brightness and contrast.
 */
public record ColorJitter(double brightness, double contrast, double saturation, double hue) implements Serializable {

    public FloatImage apply(FloatImage img, SplittableRandom rnd) {
        int[] order = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) { // Fisher-Yates: a random order of the four adjustments
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double b = factor(rnd, brightness), c = factor(rnd, contrast), s = factor(rnd, saturation);
        double h = hue == 0 ? 0 : -hue + 2 * hue * rnd.nextDouble();
        FloatImage out = img;
        for (int op : order) {
            out = switch (op) {
                case 0 -> brightness == 0 ? out : blend(out, b, null, 0);
                case 1 -> contrast == 0 ? out : blend(out, c, null, mean(Grayscale.luma(out)));
                case 2 -> saturation == 0 || out.channels() == 1 ? out : blend(out, s, Grayscale.luma(out), 0);
                default -> hue == 0 || out.channels() == 1 ? out : shiftHue(out, h);
            };
        }
        return out;
    }

    private static double factor(SplittableRandom rnd, double strength) {
        if (strength == 0) return 1;
        double lo = Math.max(0, 1 - strength), hi = 1 + strength;
        return lo + (hi - lo) * rnd.nextDouble();
    }

    /** clamp(f * img + (1 - f) * other), where other is a per-pixel image (gray), or a constant. */
    static FloatImage blend(FloatImage img, double f, float[] gray, double constant) {
        int plane = img.height() * img.width();
        float[] d = img.data(), out = new float[d.length];
        float ff = (float) f, rest = (float) ((1 - f) * constant), g = (float) (1 - f);
        for (int c = 0, o = 0; c < img.channels(); c++, o += plane) {
            for (int i = 0; i < plane; i++) {
                float v = ff * d[o + i] + (gray != null ? g * gray[i] : rest);
                out[o + i] = v < 0 ? 0 : (v > 1 ? 1 : v);
            }
        }
        return new FloatImage(img.channels(), img.height(), img.width(), out);
    }

    private static double mean(float[] a) {
        double s = 0;
        for (float v : a) s += v;
        return s / a.length;
    }

    /**
     * Hue rotation through HSV, as torchvision's adjust_hue (RGB images). Value (max) and saturation stay; the
     * channels come back by the branch-free form of HSV to RGB, channel = max - delta * clamp(min(k, 4 - k), 0, 1)
     * with k = (n + 6 hue) mod 6 and n = 5, 3, 1 for red, green, blue: the same function as the six-sector table,
     * without its data-dependent branches (which mispredicted on every other pixel and made this the slowest
     * augmentation).
     */
    static FloatImage shiftHue(FloatImage img, double shift) {
        int plane = img.height() * img.width();
        float[] d = img.data(), out = new float[d.length];
        for (int i = 0; i < plane; i++) {
            double r = d[i], g = d[plane + i], b = d[2 * plane + i];
            double max = Math.max(r, Math.max(g, b)), min = Math.min(r, Math.min(g, b)), delta = max - min;
            double inv = delta > 0 ? 1 / delta : 0; // a grey pixel: any hue, delta 0 makes it irrelevant
            double hh = max == r ? (g - b) * inv : max == g ? (b - r) * inv + 2 : (r - g) * inv + 4;
            hh = hh / 6 + shift;
            double h6 = (hh - Math.floor(hh)) * 6;
            out[i] = clamp(max - delta * wheel(5 + h6));
            out[plane + i] = clamp(max - delta * wheel(3 + h6));
            out[2 * plane + i] = clamp(max - delta * wheel(1 + h6));
        }
        return new FloatImage(img.channels(), img.height(), img.width(), out);
    }

    /** clamp(min(k, 4 - k), 0, 1) for k = x mod 6, x in [1, 11]. */
    private static double wheel(double x) {
        double k = x >= 6 ? x - 6 : x;
        return Math.max(0, Math.min(1, Math.min(k, 4 - k)));
    }

    static float clamp(double v) {
        return (float) Math.max(0, Math.min(1, v));
    }
}
