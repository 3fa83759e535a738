package io.essl.augment;

/** The four rotations by 0, 90, 180 and 270 degrees counter-clockwise (torch.rot90 with k = element). */
public final class FourFoldRotation implements TransformationGroup {
    @Override
    public String name() {
        return "rot4";
    }

    @Override
    public int size() {
        return 4;
    }

    @Override
    public FloatImage apply(int k, FloatImage img) {
        int c = img.channels(), h = img.height(), w = img.width();
        if (k == 0) return img;
        if (h != w && k % 2 == 1) throw new IllegalArgumentException("90-degree rotation needs a square image");
        float[] src = img.data();
        float[] out = new float[src.length];
        for (int ch = 0; ch < c; ch++) {
            int base = ch * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    // out[y][x] = src[sy][sx]: counter-clockwise rotation of a square image.
                    int sy, sx;
                    switch (k) {
                        case 1 -> { sy = x; sx = w - 1 - y; }
                        case 2 -> { sy = h - 1 - y; sx = w - 1 - x; }
                        case 3 -> { sy = h - 1 - x; sx = y; }
                        default -> throw new IllegalArgumentException("rotation element " + k);
                    }
                    out[base + y * w + x] = src[base + sy * w + sx];
                }
            }
        }
        return new FloatImage(c, h, w, out);
    }

    /** A random cell symmetry of view 3 would rotate it: the head could not tell its element. */
    @Override
    public java.util.Set<Augmentation> conflicts() {
        return java.util.Set.of(Augmentation.DIHEDRAL);
    }
}
