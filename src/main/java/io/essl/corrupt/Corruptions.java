package io.essl.corrupt;

import io.essl.augment.FloatImage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The corruption suite of the robustness evaluation (docs/robustness.md): Hendrycks & Dietterich's common
 * corruptions with their CIFAR-10-C parameters (hendrycks/robustness make_cifar_c.py: the authors' own adaptation
 * to 32 px images; ours are 28 px, and the parameters given in pixels are scaled by side / 32) and MNIST-C's affine
 * shifts (google-research/mnist-c corruptions.py), each a pure function of (image in [0, 1], severity 1-5, random
 * source). Where the published code does something other than its description, ours does what the code does.
 */
public final class Corruptions {
    /** One corruption: its family (noise, blur, weather, digital, geometric) and its image transform. */
    public record Corruption(String name, String family, Transform transform) {
        public FloatImage apply(FloatImage img, int severity, SplittableRandom rnd) {
            if (severity < 1 || severity > 5) throw new IllegalArgumentException("severity is 1-5, got " + severity);
            return transform.apply(img, severity - 1, rnd, img.height() / 32.0);
        }
    }

    /** s: severity - 1 (index into the parameter rows); px: image side / 32, for parameters in CIFAR pixels. */
    @FunctionalInterface
    interface Transform extends java.io.Serializable {
        FloatImage apply(FloatImage img, int s, SplittableRandom rnd, double px);
    }

    private static final Map<String, Corruption> ALL = new LinkedHashMap<>();

    private static void add(String name, String family, Transform t) {
        ALL.put(name, new Corruption(name, family, t));
    }

    static {
        add("gaussian_noise", "noise", (img, s, r, px) -> Noise.gaussian(img, new double[]{0.04, 0.06, 0.08, 0.09, 0.10}[s], r));
        add("shot_noise", "noise", (img, s, r, px) -> Noise.shot(img, new double[]{500, 250, 100, 75, 50}[s], r));
        add("impulse_noise", "noise", (img, s, r, px) -> Noise.impulse(img, new double[]{0.01, 0.02, 0.03, 0.05, 0.07}[s], r));
        add("defocus_blur", "blur", (img, s, r, px) -> Blur.defocus(img, new double[]{0.3, 0.4, 0.5, 1, 1.5}[s] * px,
                new double[]{0.4, 0.5, 0.6, 0.2, 0.1}[s]));
        add("motion_blur", "blur", (img, s, r, px) -> Blur.motion(img, (int) Math.round(new int[]{6, 6, 6, 8, 9}[s] * px),
                new double[]{1, 1.5, 2, 2, 2.5}[s] * px, r));
        add("zoom_blur", "blur", (img, s, r, px) -> Blur.zoom(img, zooms(new int[]{7, 12, 16, 21, 26}[s])));
        add("glass_blur", "blur", (img, s, r, px) -> Blur.glass(img, new double[]{0.05, 0.25, 0.4, 0.25, 0.4}[s] * px,
                1, new int[]{1, 1, 1, 2, 2}[s], r));
        add("brightness", "weather", (img, s, r, px) -> Photometric.brightness(img, new double[]{0.05, 0.1, 0.15, 0.2, 0.3}[s]));
        add("fog", "weather", (img, s, r, px) -> Photometric.fog(img, new double[]{0.2, 0.5, 0.75, 1, 1.5}[s],
                new double[]{3, 3, 2.5, 2, 1.75}[s], r));
        add("contrast", "digital", (img, s, r, px) -> Photometric.contrast(img, new double[]{0.75, 0.5, 0.4, 0.3, 0.15}[s]));
        add("pixelate", "digital", (img, s, r, px) -> Photometric.pixelate(img, new double[]{0.95, 0.9, 0.85, 0.75, 0.65}[s]));
        add("jpeg_compression", "digital", (img, s, r, px) -> Photometric.jpeg(img, new int[]{80, 65, 58, 50, 40}[s]));
        add("elastic_transform", "digital", (img, s, r, px) -> Geometric.elastic(img,
                new double[]{0, 0.05, 0.08, 0.1, 0.1}[s] * 32 * px, new double[]{0, 0.2, 0.06, 0.04, 0.03}[s] * 32 * px,
                new double[]{0.08, 0.07, 0.06, 0.05, 0.03}[s] * 32 * px, r));
        // MNIST-C's ladders (its release uses rotate 2, shear 2, scale 3, translate 3), in 28 px image pixels
        add("rotate", "geometric", (img, s, r, px) -> Geometric.rotate(img, sign(r) * new double[]{0.2, 0.4, 0.6, 0.8, 1.0}[s]));
        add("shear", "geometric", (img, s, r, px) -> Geometric.shear(img, sign(r) * new double[]{0.2, 0.4, 0.6, 0.8, 1.0}[s]));
        add("scale", "geometric", (img, s, r, px) -> Geometric.scale(img, new double[]{0.9, 0.8, 0.7, 0.6, 0.5}[s]));
        add("translate", "geometric", (img, s, r, px) -> {
            double d = new double[]{1, 2, 3, 4, 5}[s] * px * 32 / 28;
            return Geometric.translate(img, sign(r) * d, sign(r) * d);
        });
    }

    private Corruptions() {
    }

    /** Every corruption, in the order of tables and pictures. */
    public static List<Corruption> all() {
        return List.copyOf(ALL.values());
    }

    public static Corruption of(String name) {
        Corruption c = ALL.get(name);
        if (c == null) throw new IllegalArgumentException("no corruption " + name + " (one of " + ALL.keySet() + ")");
        return c;
    }

    /** The zoom factors 1, 1.01, ...: the first n (numpy's arange(1, end, 0.01) of the reference, n values). */
    static double[] zooms(int n) {
        double[] z = new double[n];
        for (int i = 0; i < n; i++) z[i] = 1 + 0.01 * i;
        return z;
    }

    private static double sign(SplittableRandom r) {
        return r.nextBoolean() ? 1 : -1;
    }

    /** The random source of one image under one corruption and severity: fixed by the run's seed and the image id. */
    public static SplittableRandom random(long seed, long id, String corruption, int severity) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ id * 0xBF58476D1CE4E5B9L ^ corruption.hashCode() * 31L + severity);
    }
}
