package io.essl.corrupt;

import io.essl.augment.FloatImage;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each corruption against its definition: exact where it is deterministic, its statistics where it is random. */
class CorruptionsTest {
    private static FloatImage constant(int c, int side, float v) {
        float[] d = new float[c * side * side];
        Arrays.fill(d, v);
        return new FloatImage(c, side, side, d);
    }

    /** A smooth gray test picture with structure everywhere (values in [0.1, 0.9]). */
    private static FloatImage picture(int side) {
        float[] d = new float[side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) d[y * side + x] = (float) (0.5 + 0.4 * Math.sin(x * 0.7) * Math.cos(y * 0.45));
        }
        return new FloatImage(1, side, side, d);
    }

    private static double meanAbsDiff(FloatImage a, FloatImage b) {
        double s = 0;
        for (int i = 0; i < a.data().length; i++) s += Math.abs(a.data()[i] - b.data()[i]);
        return s / a.data().length;
    }

    @Test
    void gaussianNoiseAddsNormalNoiseOfTheGivenSigma() {
        FloatImage img = constant(1, 200, 0.5f);
        FloatImage out = Noise.gaussian(img, 0.08, new SplittableRandom(1));
        SplittableRandom same = new SplittableRandom(1);
        for (int i = 0; i < 50; i++) assertEquals(0.5 + 0.08 * same.nextGaussian(), out.data()[i], 1e-6);
        double[] m = moments(out.data());
        assertEquals(0.5, m[0], 0.002);
        assertEquals(0.08, Math.sqrt(m[1]), 0.002);
    }

    @Test
    void shotNoiseIsPoissonOfThePhotonCount() {
        FloatImage out = Noise.shot(constant(1, 200, 0.4f), 100, new SplittableRandom(2));
        double[] m = moments(out.data());
        assertEquals(0.4, m[0], 0.002);                 // E[Poisson(40) / 100] = 0.4
        assertEquals(40 / 1e4, m[1], 0.0002);           // Var = 40 / 100^2
        for (float v : out.data()) assertEquals(Math.round(v * 100), v * 100, 1e-3, "multiples of 1/100");
    }

    @Test
    void impulseNoiseSetsTheGivenFractionToZeroOrOneEvenly() {
        FloatImage out = Noise.impulse(constant(1, 300, 0.5f), 0.05, new SplittableRandom(3));
        long ones = 0, zeros = 0;
        for (float v : out.data()) {
            if (v == 1f) ones++;
            else if (v == 0f) zeros++;
            else assertEquals(0.5f, v);
        }
        assertEquals(0.025, ones / 90000.0, 0.002);
        assertEquals(0.025, zeros / 90000.0, 0.002);
    }

    @Test
    void defocusIsANormalisedDiskKernel() {
        float[][] k = Blur.disk(3, 0.1);
        double sum = 0;
        for (float[] row : k) for (float v : row) sum += v;
        assertEquals(1, sum, 1e-5);
        assertEquals(17, k.length);
        assertEquals(k[8][5], k[5][8], 1e-7);       // symmetric
        assertTrue(k[8][8] > 0 && k[8][3] < k[8][8] * 0.01, "inside the disk vs outside");
        // a single bright pixel spreads into the kernel itself
        FloatImage dot = constant(1, 31, 0);
        dot.data()[15 * 31 + 15] = 1;
        FloatImage out = Blur.defocus(dot, 3, 0.1);
        assertEquals(k[8][6], out.data()[15 * 31 + 13], 1e-6);
        assertArrayEquals(constant(1, 28, 0.3f).data(), Blur.defocus(constant(1, 28, 0.3f), 1.5, 0.1).data(), 1e-5f);
    }

    @Test
    void motionBlurSmearsALineOfGaussianWeightsOnOneSide() {
        FloatImage dot = constant(1, 41, 0);
        dot.data()[20 * 41 + 20] = 1;
        FloatImage out = Blur.motion(dot, 5, 2, new SplittableRandom(4));
        double sum = 0;
        int nonZero = 0;
        for (float v : out.data()) {
            sum += v;
            if (v > 0) nonZero++;
        }
        assertEquals(1, sum, 1e-5, "no energy lost away from the border");
        assertTrue(nonZero >= 6 && nonZero <= 11, "a short line: " + nonZero);
        assertEquals(1 / gaussianSum(11, 2), out.data()[20 * 41 + 20], 1e-6, "tap 0 has weight 1 / sum");
        assertArrayEquals(constant(1, 28, 0.7f).data(), Blur.motion(constant(1, 28, 0.7f), 10, 3, new SplittableRandom(5)).data(), 1e-5f);
    }

    private static double gaussianSum(int taps, double sigma) {
        double s = 0;
        for (int i = 0; i < taps; i++) s += Math.exp(-(double) i * i / (2 * sigma * sigma));
        return s;
    }

    @Test
    void zoomBlurAveragesTheImageWithItsCentralZooms() {
        assertArrayEquals(new double[]{1, 1.01, 1.02, 1.03, 1.04, 1.05, 1.06}, Corruptions.zooms(7), 1e-12);
        FloatImage img = picture(28);
        assertArrayEquals(img.data(), Blur.zoom(img, new double[]{1}).data(), 1e-5f, "zoom 1 is the image itself");
        assertArrayEquals(constant(1, 28, 0.6f).data(), Blur.zoom(constant(1, 28, 0.6f), Corruptions.zooms(26)).data(), 1e-5f);
        // the centre pixel stays where it is while the border moves
        FloatImage z = Blur.zoom(img, Corruptions.zooms(26));
        assertTrue(meanAbsDiff(img, z) > 0.01);
    }

    @Test
    void glassBlurWithoutBlurOnlyCopiesNeighbours() {
        FloatImage img = picture(28);
        FloatImage out = Blur.glass(img, 0.05, 1, 2, new SplittableRandom(6)); // sigma 0.05: a kernel of one tap
        java.util.Set<Float> values = new java.util.HashSet<>();
        for (float v : img.data()) values.add(v);
        for (float v : out.data()) assertTrue(values.contains(v), "every value comes from the image");
        // visited: rows and columns side - delta down to delta + 1 (27 .. 2); rows and columns 0 and 1 never change
        for (int i = 0; i < 28; i++) {
            assertEquals(img.get(0, 1, i), out.get(0, 1, i));
            assertEquals(img.get(0, i, 0), out.get(0, i, 0));
        }
        assertTrue(meanAbsDiff(img, out) > 0.01, "pixels did move");
    }

    @Test
    void brightnessShiftsTheHsvValueKeepingHueAndSaturation() {
        FloatImage rgb = new FloatImage(3, 1, 2, new float[]{0.4f, 0f, 0.2f, 0f, 0.1f, 0f});
        FloatImage out = Photometric.brightness(rgb, 0.2);
        assertArrayEquals(new float[]{0.6f, 0.2f, 0.3f, 0.2f, 0.15f, 0.2f}, out.data(), 1e-6f, "(0.4, 0.2, 0.1) * 0.6 / 0.4; black to grey");
        assertArrayEquals(new float[]{0.4f, 1f}, Photometric.brightness(new FloatImage(1, 1, 2, new float[]{0.1f, 0.9f}), 0.3).data(), 1e-6f);
    }

    @Test
    void contrastScalesDeviationsFromTheChannelMean() {
        FloatImage img = picture(28);
        FloatImage out = Photometric.contrast(img, 0.4);
        double mean = moments(img.data())[0];
        for (int i = 0; i < img.data().length; i++) assertEquals((img.data()[i] - mean) * 0.4 + mean, out.data()[i], 1e-5);
    }

    @Test
    void fogAddsAPlasmaOfTheGivenStrengthThenRescales() {
        double[][] p = Plasma.fractal(32, 2, new SplittableRandom(7));
        double min = 1, max = 0;
        for (double[] row : p) for (double v : row) { min = Math.min(min, v); max = Math.max(max, v); }
        assertEquals(0, min, 1e-12);
        assertEquals(1, max, 1e-12);
        FloatImage img = picture(28);
        float top = 0;
        for (float v : img.data()) top = Math.max(top, v);
        FloatImage out = Photometric.fog(img, 0.5, 2, new SplittableRandom(8));
        double[][] same = Plasma.fractal(32, 2, new SplittableRandom(8));
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                double want = (img.get(0, y, x) + 0.5 * same[y][x]) * top / (top + 0.5);
                assertEquals(Math.min(1, want), out.get(0, y, x), 1e-5);
            }
        }
    }

    @Test
    void pixelateAveragesBlocks() {
        FloatImage img = picture(28);
        assertArrayEquals(img.data(), Photometric.pixelate(img, 1).data(), 1e-6f, "factor 1 is the identity");
        FloatImage half = Photometric.pixelate(img, 0.5); // 14 x 14 means of 2 x 2 blocks, each shown as a 2 x 2 block
        for (int y = 0; y < 28; y += 2) {
            for (int x = 0; x < 28; x += 2) {
                double block = (img.get(0, y, x) + img.get(0, y, x + 1) + img.get(0, y + 1, x) + img.get(0, y + 1, x + 1)) / 4;
                for (int dy = 0; dy < 2; dy++) for (int dx = 0; dx < 2; dx++) assertEquals(block, half.get(0, y + dy, x + dx), 1e-5);
            }
        }
    }

    @Test
    void jpegUsesLibjpegsQualityScalingAndLosesMoreAtLowerQuality() {
        // libjpeg: quality 80 scales the standard table by 40 %, quality 40 by 125 %
        assertEquals((16 * 40 + 50) / 100, Photometric.ijg(javax.imageio.plugins.jpeg.JPEGQTable.K1Luminance, 80).getTable()[0]);
        assertEquals((16 * 125 + 50) / 100, Photometric.ijg(javax.imageio.plugins.jpeg.JPEGQTable.K1Luminance, 40).getTable()[0]);
        // the file carries exactly those tables (DQT segment: 64 entries in zig-zag order, compared as multisets)
        java.awt.image.BufferedImage gray = new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        byte[] file = assertDoesNotThrow(() -> Photometric.encode(gray, 58));
        int at = -1;
        for (int i = 0; i + 1 < file.length && at < 0; i++) if ((file[i] & 0xff) == 0xFF && (file[i + 1] & 0xff) == 0xDB) at = i;
        assertTrue(at > 0, "a DQT segment");
        int[] written = new int[64], want = Photometric.ijg(javax.imageio.plugins.jpeg.JPEGQTable.K1Luminance, 58).getTable();
        for (int i = 0; i < 64; i++) written[i] = file[at + 5 + i] & 0xff;
        Arrays.sort(written);
        Arrays.sort(want);
        assertArrayEquals(want, written);
        FloatImage img = picture(28);
        double e80 = meanAbsDiff(img, Photometric.jpeg(img, 80)), e40 = meanAbsDiff(img, Photometric.jpeg(img, 40));
        assertTrue(e80 > 0 && e40 > e80 * 1.3, e80 + " vs " + e40);
        assertTrue(meanAbsDiff(img, Photometric.jpeg(img, 100)) < 0.01);
    }

    @Test
    void elasticWithoutDisplacementIsTheIdentityAndTheAffineSolvesItsPoints() {
        FloatImage img = picture(28);
        assertArrayEquals(img.data(), Geometric.elastic(img, 0, 0, 0, new SplittableRandom(9)).data(), 1e-5f);
        double[][] a = {{1, 2}, {5, 3}, {2, 7}}, b = {{4, 1}, {9, 6}, {0, 2}};
        double[] m = Geometric.affineBetween(a, b);
        for (int i = 0; i < 3; i++) {
            assertEquals(b[i][0], m[0] * a[i][0] + m[1] * a[i][1] + m[2], 1e-9);
            assertEquals(b[i][1], m[3] * a[i][0] + m[4] * a[i][1] + m[5], 1e-9);
        }
    }

    @Test
    void affineShiftsReadTheirSourcePixelsAsMnistCDefinesThem() {
        FloatImage img = picture(28);
        FloatImage moved = Geometric.translate(img, 3, -2); // output (y, x) reads (y - 2, x + 3)
        assertEquals(img.get(0, 10, 13), moved.get(0, 12, 10), 1e-6);
        assertEquals(0, moved.get(0, 5, 26), 0, "read from outside: black");
        FloatImage quarter = Geometric.rotate(img, Math.PI / 2); // source x = c - (y - c), source y = c + (x - c)
        assertEquals(img.get(0, 13, 20), quarter.get(0, 7, 13), 1e-5);
        assertArrayEquals(img.data(), Geometric.rotate(img, 0).data(), 1e-6f);
        assertArrayEquals(img.data(), Geometric.scale(img, 1).data(), 1e-6f);
        assertArrayEquals(img.data(), Geometric.shear(img, 0).data(), 1e-6f);
        // shear: source x = x - sin(s) (y - c); on an image that varies along x only, row 16 (y - c = 2.5) reads 1 px left
        float[] ramp = new float[28 * 28];
        for (int i = 0; i < ramp.length; i++) ramp[i] = (i % 28) / 27f;
        double s = Math.asin(0.4);
        FloatImage sheared = Geometric.shear(new FloatImage(1, 28, 28, ramp), s);
        assertEquals(9 / 27f, sheared.get(0, 16, 10), 1e-5);
        FloatImage half = Geometric.scale(img, 0.5); // the content at half size: output c + d reads c + 2 d
        double corners = (img.get(0, 14, 16) + img.get(0, 14, 17) + img.get(0, 15, 16) + img.get(0, 15, 17)) / 4.0;
        assertEquals(corners, half.get(0, 14, 15), 1e-5, "(14, 15) = c + (0.5, 1.5) reads c + (1, 3) = (14.5, 16.5)");
    }

    @Test
    void everyCorruptionHurtsMoreAtSeverity5ThanAt1AndIsReproducible() {
        FloatImage img = picture(28);
        for (Corruptions.Corruption c : Corruptions.all()) {
            double d1 = 0, d5 = 0;
            for (int id = 0; id < 8; id++) {
                d1 += meanAbsDiff(img, c.apply(img, 1, Corruptions.random(42, id, c.name(), 1)));
                d5 += meanAbsDiff(img, c.apply(img, 5, Corruptions.random(42, id, c.name(), 5)));
            }
            // CIFAR-10-C's elastic ladder is not monotone: severity 1 is its strongest affine part and no field
            if (!c.name().equals("elastic_transform")) assertTrue(d5 > d1, c.name() + ": severity 5 " + d5 + " vs 1 " + d1);
            FloatImage again = c.apply(img, 3, Corruptions.random(42, 7, c.name(), 3));
            assertArrayEquals(again.data(), c.apply(img, 3, Corruptions.random(42, 7, c.name(), 3)).data(), 0f, c.name());
            for (float v : again.data()) assertTrue(v >= 0 && v <= 1, c.name() + " out of [0, 1]: " + v);
        }
    }

    private static double[] moments(float[] d) {
        double m = 0, v = 0;
        for (float x : d) m += x;
        m /= d.length;
        for (float x : d) v += (x - m) * (x - m);
        return new double[]{m, v / (d.length - 1)};
    }
}
