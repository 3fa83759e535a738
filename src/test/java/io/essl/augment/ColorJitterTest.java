package io.essl.augment;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The colour operations against their definitions (torchvision's functional transforms). */
class ColorJitterTest {
    static FloatImage rgb(float r, float g, float b) {
        return new FloatImage(3, 1, 1, new float[]{r, g, b});
    }

    @Test
    void brightnessScalesAndClamps() {
        FloatImage img = new FloatImage(1, 1, 3, new float[]{0.2f, 0.5f, 0.9f});
        FloatImage out = ColorJitter.blend(img, 1.3, null, 0);
        assertArrayEquals(new float[]{0.26f, 0.65f, 1.0f}, out.data(), 1e-6f);
    }

    @Test
    void contrastBlendsWithTheMeanGray() {
        FloatImage img = new FloatImage(1, 1, 2, new float[]{0.2f, 0.6f});
        FloatImage out = ColorJitter.blend(img, 0.5, null, 0.4);
        assertArrayEquals(new float[]{0.3f, 0.5f}, out.data(), 1e-6f);
    }

    @Test
    void lumaUsesItu601Weights() {
        assertEquals(0.299f, Grayscale.luma(rgb(1, 0, 0))[0], 1e-6f);
        FloatImage g = Grayscale.apply(rgb(0.2f, 0.4f, 0.6f));
        float l = 0.299f * 0.2f + 0.587f * 0.4f + 0.114f * 0.6f;
        assertArrayEquals(new float[]{l, l, l}, g.data(), 1e-6f);
    }

    @Test
    void hueShiftRotatesTheColourWheel() {
        assertArrayEquals(new float[]{0, 1, 1}, ColorJitter.shiftHue(rgb(1, 0, 0), 0.5).data(), 1e-6f);  // red -> cyan
        assertArrayEquals(new float[]{0, 1, 0}, ColorJitter.shiftHue(rgb(1, 0, 0), 1.0 / 3).data(), 1e-6f); // -> green
        FloatImage c = rgb(0.3f, 0.5f, 0.8f);
        assertArrayEquals(c.data(), ColorJitter.shiftHue(c, 0).data(), 1e-6f);
    }

    @Test
    void hueShiftIsTheSixSectorHsvRoundTrip() {
        // torchvision's adjust_hue: RGB -> HSV, hue + shift mod 1, HSV -> RGB by the six-sector table (in double)
        java.util.Random rnd = new java.util.Random(5);
        int n = 4000;
        FloatImage img = new FloatImage(3, 1, n, new float[3 * n]);
        for (int i = 0; i < 3 * n; i++) img.data()[i] = rnd.nextInt(4) == 0 ? rnd.nextInt(3) / 2f : rnd.nextFloat();
        for (double shift : new double[]{-0.5, -0.1, 0, 0.05, 0.37, 0.5}) {
            float[] got = ColorJitter.shiftHue(img, shift).data();
            for (int i = 0; i < n; i++) {
                double r = img.data()[i], g = img.data()[n + i], b = img.data()[2 * n + i];
                double max = Math.max(r, Math.max(g, b)), delta = max - Math.min(r, Math.min(g, b)), h = 0;
                if (delta > 0) h = (max == r ? (g - b) / delta : max == g ? (b - r) / delta + 2 : (r - g) / delta + 4) / 6;
                h = h + shift - Math.floor(h + shift);
                double s = max == 0 ? 0 : delta / max, f = h * 6 - Math.floor(h * 6);
                double p = max * (1 - s), q = max * (1 - s * f), t = max * (1 - s * (1 - f));
                double[][] sectors = {{max, t, p}, {q, max, p}, {p, max, t}, {p, q, max}, {t, p, max}, {max, p, q}};
                double[] want = sectors[(int) Math.floor(h * 6) % 6];
                for (int c = 0; c < 3; c++) {
                    assertEquals(want[c], got[c * n + i], 1e-6, "shift " + shift + ", pixel " + i + ", channel " + c);
                }
            }
        }
    }

    @Test
    void onGrayscaleOnlyBrightnessAndContrastAct() {
        FloatImage img = new FloatImage(1, 2, 2, new float[]{0.1f, 0.4f, 0.7f, 0.2f});
        FloatImage same = new ColorJitter(0, 0, 0.9, 0.5).apply(img, new SplittableRandom(1));
        assertArrayEquals(img.data(), same.data(), "saturation and hue leave one channel alone");
        FloatImage changed = new ColorJitter(0.4, 0.4, 0, 0).apply(img, new SplittableRandom(1));
        assertFalse(java.util.Arrays.equals(img.data(), changed.data()));
        for (float v : changed.data()) assertTrue(v >= 0 && v <= 1);
    }
}
