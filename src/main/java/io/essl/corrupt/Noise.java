package io.essl.corrupt;

import io.essl.augment.FloatImage;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.apache.commons.math3.random.Well19937c;

import java.util.HashMap;
import java.util.SplittableRandom;

/** Per-pixel noise (Hendrycks & Dietterich's CIFAR-10-C definitions), each value clipped to [0, 1]. */
final class Noise {
    private Noise() {
    }

    /** x + N(0, sigma^2) per value. */
    static FloatImage gaussian(FloatImage img, double sigma, SplittableRandom rnd) {
        float[] in = img.data(), out = new float[in.length];
        for (int i = 0; i < in.length; i++) out[i] = clip(in[i] + sigma * rnd.nextGaussian());
        return like(img, out);
    }

    /** Photon noise: Poisson(x * photons) / photons per value (fewer photons, more noise). */
    static FloatImage shot(FloatImage img, double photons, SplittableRandom rnd) {
        float[] in = img.data(), out = new float[in.length];
        Well19937c source = new Well19937c(rnd.nextLong());
        var byMean = new HashMap<Float, PoissonDistribution>(); // images come from bytes: at most 256 means
        for (int i = 0; i < in.length; i++) {
            double mean = in[i] * photons;
            if (mean <= 0) {
                out[i] = 0;
                continue;
            }
            PoissonDistribution p = byMean.computeIfAbsent(in[i], v -> new PoissonDistribution(source, mean,
                    PoissonDistribution.DEFAULT_EPSILON, PoissonDistribution.DEFAULT_MAX_ITERATIONS));
            out[i] = clip(p.sample() / photons);
        }
        return like(img, out);
    }

    /** Salt and pepper (skimage's random_noise 's&p'): each value replaced with probability amount, by 1 or 0 evenly. */
    static FloatImage impulse(FloatImage img, double amount, SplittableRandom rnd) {
        float[] in = img.data(), out = in.clone();
        for (int i = 0; i < in.length; i++) {
            if (rnd.nextDouble() < amount) out[i] = rnd.nextBoolean() ? 1f : 0f;
        }
        return like(img, out);
    }

    static float clip(double v) {
        return (float) Math.min(1, Math.max(0, v));
    }

    /** The image with every value clipped to [0, 1], in place (the reference's final np.clip). */
    static FloatImage clipped(FloatImage img) {
        float[] d = img.data();
        for (int i = 0; i < d.length; i++) d[i] = clip(d[i]);
        return img;
    }

    static FloatImage like(FloatImage img, float[] data) {
        return new FloatImage(img.channels(), img.height(), img.width(), data);
    }
}
