package io.essl.augment;

import java.util.SplittableRandom;

/**
 * The symmetries of a periodic square unit cell, as invariance augmentations (augment.symmetries): {@code dihedral},
 * the eight symmetries of the square about pixel (0, 0) on the periodic grid (indices mod n, so that a cell symmetric
 * about its origin stays centred there, where a rotation about the image's centre would also shift it by a pixel), and {@code translate-half}, the four half-cell cyclic shifts ({@link HalfTranslationGroup}'s
 * elements, as an invariance: the paper's poor photonics baseline).
 */
public final class CellSymmetry {
    /** The values of augment.symmetries ({@code EsslConfig.Augment.SYMMETRIES}, where the configuration checks them). */
    public static final String DIHEDRAL = "dihedral", TRANSLATE_HALF = "translate-half";
    private static final HalfTranslationGroup HALF = new HalfTranslationGroup();

    private CellSymmetry() {
    }

    /**
     * Element e of the dihedral group on a periodic square image: e & 3 quarter turns, out[y][x] = in[x][-y] each,
     * then for e >= 4 the mirror out[y][x] = in[y][-x] (indices mod n).
     */
    public static FloatImage dihedral(int e, FloatImage img) {
        if (e < 0 || e > 7) throw new IllegalArgumentException("dihedral element " + e);
        int c = img.channels(), n = img.height();
        if (img.width() != n) throw new IllegalArgumentException("a cell symmetry needs a square image");
        if (e == 0) return img;
        float[] src = img.data(), out = new float[src.length];
        for (int ch = 0; ch < c; ch++) {
            int base = ch * n * n;
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    int sx = e >= 4 ? (n - x) % n : x, sy = y; // the mirror first, as it acts last on the output
                    for (int k = 0; k < (e & 3); k++) {
                        int t = sy;
                        sy = sx;
                        sx = (n - t) % n;
                    }
                    out[base + y * n + x] = src[base + sy * n + sx];
                }
            }
        }
        return new FloatImage(c, n, n, out);
    }

    /** Half-cell translation e (0-3) of a periodic image. */
    public static FloatImage translateHalf(int e, FloatImage img) {
        return HALF.apply(e, img);
    }

    /** A uniformly drawn element of each symmetry switched on, dihedral first (every draw made, used or not). */
    static FloatImage random(FloatImage img, boolean dihedral, boolean translate, SplittableRandom rnd) {
        int d = rnd.nextInt(8), t = rnd.nextInt(4);
        if (dihedral) img = dihedral(d, img);
        if (translate) img = translateHalf(t, img);
        return img;
    }
}
