package io.essl.augment;

import java.util.SplittableRandom;

/**
 * Every random draw derives from (run seed, epoch, image id, view), so a view does not depend on which task or
 * partition produced it, and a run is reproducible.
 */
public final class Seeds {
    private Seeds() {
    }

    public static SplittableRandom forView(long seed, int epoch, long imageId, int view) {
        return new SplittableRandom(mix(mix(mix(seed, epoch), imageId), view));
    }

    /** A well-spread 64-bit key, e.g. to order images differently in every epoch. */
    public static long key(long seed, int epoch, long imageId) {
        return mix(mix(seed ^ 0x5DEECE66DL, epoch), imageId);
    }

    /** SplitMix64 finaliser over a combined state. */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
