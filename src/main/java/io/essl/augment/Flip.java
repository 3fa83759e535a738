package io.essl.augment;

/** Horizontal flip (mirror left-right). */
public final class Flip {
    private Flip() {
    }

    public static FloatImage horizontal(FloatImage img) {
        int c = img.channels(), h = img.height(), w = img.width();
        float[] out = new float[img.data().length];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int row = (ch * h + y) * w;
                for (int x = 0; x < w; x++) out[row + x] = img.data()[row + w - 1 - x];
            }
        }
        return new FloatImage(c, h, w, out);
    }
}
