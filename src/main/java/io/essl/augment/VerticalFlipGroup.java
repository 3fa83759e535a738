package io.essl.augment;

/** {identity, mirror top-bottom}: breaks the upright orientation of natural images, as rotation does. */
public final class VerticalFlipGroup extends TwoElementGroup {
    @Override
    public String name() {
        return "vflip";
    }

    @Override
    FloatImage transform(FloatImage img) {
        return vertical(img);
    }

    /** out[c][y][x] = in[c][h - 1 - y][x]. */
    static FloatImage vertical(FloatImage img) {
        int c = img.channels(), h = img.height(), w = img.width();
        float[] out = new float[img.data().length];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) System.arraycopy(img.data(), (ch * h + h - 1 - y) * w, out, (ch * h + y) * w, w);
        }
        return new FloatImage(c, h, w, out);
    }

    /** A random cell symmetry of view 3 would mirror it top-bottom half the time. */
    @Override
    public java.util.Set<Augmentation> conflicts() {
        return java.util.Set.of(Augmentation.DIHEDRAL);
    }
}
