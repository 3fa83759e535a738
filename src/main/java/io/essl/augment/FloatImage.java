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

    /** A value in [0, 1] as an 8-bit one (clipped, rounded). */
    public static int byteOf(float v) {
        return Math.round(Math.min(1, Math.max(0, v)) * 255);
    }

    /** As an 8-bit picture: gray for one channel, RGB for three. */
    public java.awt.image.BufferedImage toBufferedImage() {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("1 or 3 channels, got " + channels);
        int plane = height * width;
        var img = new java.awt.image.BufferedImage(width, height, channels == 1
                ? java.awt.image.BufferedImage.TYPE_BYTE_GRAY : java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = y * width + x;
                if (channels == 1) img.getRaster().setSample(x, y, 0, byteOf(data[p]));
                else img.setRGB(x, y, byteOf(data[p]) << 16 | byteOf(data[plane + p]) << 8 | byteOf(data[2 * plane + p]));
            }
        }
        return img;
    }
}
