package io.essl.data;

import java.io.Serializable;

/** One decoded image: 8-bit pixels, channel-major (CHW), with its id and class label (-1 if unlabelled). */
public record ImageRecord(long id, int label, int channels, int height, int width, byte[] pixels)
        implements Serializable {
    public ImageRecord {
        if (pixels.length != channels * height * width) {
            throw new IllegalArgumentException("pixels: " + pixels.length + " != " + channels + "x" + height + "x" + width);
        }
    }

    /** A one-channel image replicated to three channels (for recipes and encoders that expect RGB). */
    public ImageRecord toRgb() {
        if (channels != 1) return this;
        byte[] rgb = new byte[3 * pixels.length];
        for (int c = 0; c < 3; c++) System.arraycopy(pixels, 0, rgb, c * pixels.length, pixels.length);
        return new ImageRecord(id, label, 3, height, width, rgb);
    }
}
