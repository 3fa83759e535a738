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
}
