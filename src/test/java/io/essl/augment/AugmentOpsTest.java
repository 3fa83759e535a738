package io.essl.augment;

import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Blur, solarize and bicubic resampling against their definitions; per-view probabilities in the pipeline. */
class AugmentOpsTest {

    static FloatImage constant(int c, int h, int w, float v) {
        float[] d = new float[c * h * w];
        java.util.Arrays.fill(d, v);
        return new FloatImage(c, h, w, d);
    }

    @Test
    void blurOfAnImpulseIsTheGaussianKernel() {
        FloatImage impulse = constant(1, 21, 21, 0);
        impulse.data()[10 * 21 + 10] = 1;
        double sigma = 1.5;
        FloatImage out = GaussianBlur.blur(impulse, sigma, 7);
        double norm = 0;
        for (int i = -3; i <= 3; i++) norm += Math.exp(-i * i / (2 * sigma * sigma));
        double total = 0;
        for (int y = 0; y < 21; y++) {
            for (int x = 0; x < 21; x++) {
                int dy = y - 10, dx = x - 10;
                double want = Math.abs(dy) > 3 || Math.abs(dx) > 3 ? 0
                        : Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) / (norm * norm);
                assertEquals(want, out.get(0, y, x), 1e-6, "(" + y + ", " + x + ")");
                total += out.get(0, y, x);
            }
        }
        assertEquals(1.0, total, 1e-5, "blur keeps the total");
    }

    @Test
    void blurWithALargeKernelEqualsTheFullConvolution() {
        // 23 taps as at 224 px: for small sigmas most taps are under 1e-7 and skipped; the result is the definition's
        java.util.Random rnd = new java.util.Random(3);
        FloatImage img = constant(2, 30, 26, 0);
        for (int i = 0; i < img.data().length; i++) img.data()[i] = rnd.nextFloat();
        for (double sigma : new double[]{0.1, 0.5, 1.0, 2.0}) {
            FloatImage out = GaussianBlur.blur(img, sigma, 23);
            double[] g = new double[23];
            double norm = 0;
            for (int i = 0; i < 23; i++) norm += g[i] = Math.exp(-(i - 11) * (i - 11) / (2 * sigma * sigma));
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 30; y++) {
                    for (int x = 0; x < 26; x++) {
                        double want = 0; // the 2-D convolution with reflect padding, in double, every tap
                        for (int dy = -11; dy <= 11; dy++) {
                            for (int dx = -11; dx <= 11; dx++) {
                                want += g[dy + 11] * g[dx + 11] / (norm * norm)
                                        * img.get(c, GaussianBlur.reflect(y + dy, 30), GaussianBlur.reflect(x + dx, 26));
                            }
                        }
                        assertEquals(want, out.get(c, y, x), 1e-5, "sigma " + sigma + " (" + c + ", " + y + ", " + x + ")");
                    }
                }
            }
        }
    }

    @Test
    void blurKernelIsAboutATenthOfTheSideAndOddAndBordersReflect() {
        GaussianBlur b = new GaussianBlur(0.1, 2.0, 0.1);
        assertEquals(23, b.kernelSize(224));
        assertEquals(9, b.kernelSize(96));
        assertEquals(3, b.kernelSize(28));
        assertEquals(List.of(2, 1, 0, 1, 2, 3, 4, 3), java.util.stream.IntStream.rangeClosed(-2, 5)
                .map(i -> GaussianBlur.reflect(i, 5)).boxed().toList());
        FloatImage flat = constant(3, 9, 9, 0.3f);
        FloatImage blurred = b.apply(flat, new SplittableRandom(1));
        for (float v : blurred.data()) assertEquals(0.3f, v, 1e-6f, "a constant image stays constant");
    }

    @Test
    void solarizeInvertsAtAndAboveTheThreshold() {
        FloatImage img = new FloatImage(1, 1, 4, new float[]{0.1f, 0.5f, (float) Solarize.THRESHOLD, 0.9f});
        float[] out = Solarize.apply(img, Solarize.THRESHOLD).data();
        assertEquals(0.1f, out[0]);
        assertEquals(0.5f, out[1], "0.5 < 128/255 stays");
        assertEquals(1 - (float) Solarize.THRESHOLD, out[2], 1e-7f);
        assertEquals(0.1f, out[3], 1e-6f);
    }

    @Test
    void bicubicIsExactOnIdentityAndOnLinearRampsAndKeepsConstants() {
        float[] ramp = new float[16 * 16];
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) ramp[y * 16 + x] = 0.05f * x + 0.01f * y;
        FloatImage img = new FloatImage(1, 16, 16, ramp);
        FloatImage same = RandomResizedCrop.resizeBicubic(img, new RandomResizedCrop.Box(0, 0, 16, 16), 16);
        assertArrayEquals(ramp, same.data(), 1e-6f);
        // Upsampling the middle 8x8 by 2: a Keys cubic reproduces linear functions away from the borders.
        FloatImage up = RandomResizedCrop.resizeBicubic(img, new RandomResizedCrop.Box(4, 4, 8, 8), 16);
        for (int y = 2; y < 14; y++) {
            for (int x = 2; x < 14; x++) {
                double sx = 4 + (x + 0.5) / 2 - 0.5, sy = 4 + (y + 0.5) / 2 - 0.5;
                assertEquals(0.05 * sx + 0.01 * sy, up.get(0, y, x), 1e-5);
            }
        }
        FloatImage flat = RandomResizedCrop.resizeBicubic(constant(3, 10, 13, 0.7f), new RandomResizedCrop.Box(1, 2, 7, 9), 5);
        for (float v : flat.data()) assertEquals(0.7f, v, 1e-6f);
    }

    @Test
    void perViewProbabilitiesApplyToTheirViewOnly() {
        EsslConfig.Augment a = ConfigLoader.load(null, List.of("augment.solarize-probability=[0, 1, 0]",
                "augment.blur-probability=[1, 0, 0]", "augment.color-jitter-probability=0",
                "augment.grayscale-probability=0", "augment.flip-probability=0")).augment();
        ViewFactory views = new ViewFactory(3, 16, 8, a, new double[]{0.5}, new double[]{0.25}, new FourFoldRotation());
        ViewFactory plain = new ViewFactory(3, 16, 8, ViewsTest.AUG, new double[]{0.5}, new double[]{0.25},
                new FourFoldRotation());
        int solarizedBright = 0, plainBright = 0;
        double blurredVariation = 0, plainVariation = 0;
        for (long id = 0; id < 20; id++) {
            ImageRecord r = ViewsTest.image(id, 16);
            for (float v : views.view(r, 0, ViewFactory.VIEW2).data()) if (v > Solarize.THRESHOLD + 1e-6) solarizedBright++;
            for (float v : plain.view(r, 0, ViewFactory.VIEW2).data()) if (v > Solarize.THRESHOLD + 1e-6) plainBright++;
            blurredVariation += variation(views.view(r, 0, ViewFactory.VIEW1));
            plainVariation += variation(plain.view(r, 0, ViewFactory.VIEW1));
        }
        assertEquals(0, solarizedBright, "a solarized view has no value above the threshold");
        assertTrue(plainBright > 100);
        assertTrue(blurredVariation < 0.8 * plainVariation, blurredVariation + " vs " + plainVariation);
    }

    @Test
    void imagenetRecipeViewsHaveTheirSizes() {
        EsslConfig.Augment a = ConfigLoader.load(new java.io.File("conf/imagenet-esimclr.conf"), List.of()).augment();
        ViewFactory views = new ViewFactory(1, a.viewSize(350), a.view3Size(350), a, new double[]{0.5, 0.5, 0.5},
                new double[]{0.25, 0.25, 0.25}, new FourFoldRotation());
        byte[] px = new byte[3 * 350 * 400];
        new java.util.Random(1).nextBytes(px);
        ImageRecord r = new ImageRecord(7, 0, 3, 350, 400, px);
        assertEquals(224, views.view(r, 0, ViewFactory.VIEW1).height());
        assertEquals(224, views.view(r, 0, ViewFactory.VIEW2).width());
        assertEquals(96, views.view(r, 0, ViewFactory.VIEW3).height());
    }

    /** Mean absolute difference between horizontal neighbours. */
    static double variation(FloatImage img) {
        double s = 0;
        for (int y = 0; y < img.height(); y++) {
            for (int x = 1; x < img.width(); x++) s += Math.abs(img.get(0, y, x) - img.get(0, y, x - 1));
        }
        return s / (img.height() * (img.width() - 1));
    }

    @Test
    void centreCropTakesTheMiddleSquareOfTheShorterSide() {
        // 1 x 4 x 6 image, pixel value = 10 * row + column.
        byte[] px = new byte[24];
        for (int y = 0; y < 4; y++) for (int x = 0; x < 6; x++) px[y * 6 + x] = (byte) (10 * y + x);
        io.essl.data.ImageRecord r = new io.essl.data.ImageRecord(5, 2, 1, 4, 6, px);
        io.essl.data.ImageRecord same = CentreCrop.of(r, 4);
        assertEquals(4, same.width());
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) assertEquals(10 * y + x + 1, same.pixels()[y * 4 + x], "columns 1..4 unchanged");
        }
        io.essl.data.ImageRecord half = CentreCrop.of(r, 2);
        // Bilinear at half size with aligned pixel centres: each output pixel is the mean of a 2 x 2 block.
        assertEquals(Math.round((1 + 2 + 11 + 12) / 4.0), half.pixels()[0]);
        assertEquals(Math.round((23 + 24 + 33 + 34) / 4.0), half.pixels()[3]);
        assertEquals(5, half.id());
        assertEquals(2, half.label());
        assertSame(same, CentreCrop.of(same, 4), "an image at the size passes through");
    }
}
