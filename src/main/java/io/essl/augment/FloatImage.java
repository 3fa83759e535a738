package io.essl.augment;

import io.essl.data.ImageRecord;

/** A float image in CHW layout, values in [0, 1] before normalisation. */
public record FloatImage(int channels, int height, int width, float[] data) implements java.io.Serializable {
    public FloatImage {
        if (data.length != channels * height * width) throw new IllegalArgumentException("size mismatch");
    }

    public static FloatImage of(ImageRecord r) {
        float[] d = new float[r.pixels().length];
        for (int i = 0; i < d.length; i++) d[i] = (r.pixels()[i] & 0xff) / 255f;
        return new FloatImage(r.channels(), r.height(), r.width(), d);
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }
}
