package io.essl.augment;

import io.essl.config.ConfigError;

/**
 * The four cyclic half-cell shifts (dy, dx) = (0, 0), (h/2, 0), (0, w/2), (h/2, w/2) of a periodic input (the paper's
 * photonics group, the unit cell's translations): out[y][x] = in[(y - dy) mod h][(x - dx) mod w], as torch.roll.
 * A group (Z2 x Z2) only for even sides.
 */
public final class HalfTranslationGroup implements TransformationGroup {
    @Override
    public String name() {
        return "translate-half";
    }

    @Override
    public int size() {
        return 4;
    }

    @Override
    public FloatImage apply(int element, FloatImage img) {
        if (element < 0 || element > 3) throw new IllegalArgumentException("translate-half element " + element);
        if (element == 0) return img;
        int c = img.channels(), h = img.height(), w = img.width();
        int dy = (element & 1) != 0 ? h / 2 : 0, dx = (element & 2) != 0 ? w / 2 : 0;
        float[] src = img.data(), out = new float[src.length];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int from = (ch * h + Math.floorMod(y - dy, h)) * w, to = (ch * h + y) * w;
                for (int x = 0; x < w; x++) out[to + x] = src[from + Math.floorMod(x - dx, w)];
            }
        }
        return new FloatImage(c, h, w, out);
    }

    @Override
    public void checkView3(int channels, int size) {
        if (size % 2 != 0) {
            throw new ConfigError("bad value for key essl.model.group: translate-half needs an even view-3 side, got "
                    + size + " (set augment.view3-size)");
        }
    }

    /** A random half-cell translation of view 3 would hide the element the head predicts. */
    @Override
    public java.util.Set<Augmentation> conflicts() {
        return java.util.Set.of(Augmentation.TRANSLATE_HALF);
    }
}
