package io.essl.augment;

/**
 * Solarize: every value at or above the threshold is inverted (v -> 1 - v). PIL's ImageOps.solarize(img, 128)
 * on 8-bit images, as the reference uses it, is threshold 128/255 here.
 */
public final class Solarize {
    public static final double THRESHOLD = 128 / 255.0;

    private Solarize() {
    }

    public static FloatImage apply(FloatImage img, double threshold) {
        float[] out = img.data().clone();
        for (int i = 0; i < out.length; i++) if (out[i] >= threshold) out[i] = 1 - out[i];
        return new FloatImage(img.channels(), img.height(), img.width(), out);
    }
}
