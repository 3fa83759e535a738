package io.essl.augment;

import io.essl.data.ImageRecord;

/** A float image in CHW layout, values in [0, 1] before normalisation. */
public record FloatImage(int channels, int height, int width, float[] data) implements java.io.Serializable {
    public FloatImage {
        if (data.length != channels * height * width) throw new IllegalArgumentException("size mismatch");
    }

    /** The whole image (decoded at full size if it is still encoded). */
    public static FloatImage of(ImageRecord r) {
        ImageRecord d = r.decode(1);
        return of(d, 0, 0, d.height(), d.width());
    }

    /** A rectangle of a decoded image. */
    public static FloatImage of(ImageRecord r, int top, int left, int height, int width) {
        int c = r.channels();
        float[] d = new float[c * height * width];
        byte[] px = r.pixels();
        for (int ch = 0, i = 0; ch < c; ch++) {
            for (int y = 0; y < height; y++) {
                int row = (ch * r.height() + top + y) * r.width() + left;
                for (int x = 0; x < width; x++) d[i++] = (px[row + x] & 0xff) / 255f;
            }
        }
        return new FloatImage(c, height, width, d);
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }
}
