package io.essl.data;

import java.io.Serializable;

/**
 * One image with its id and class label (-1 if unlabelled), either decoded (8-bit pixels, channel-major CHW) or
 * still encoded: the file's bytes, already checked, with the upright size its header gives. Encoded images are
 * decoded when they are used ({@link #decode}), at the size the use needs, so a split is kept as compact as its
 * files and a large JPEG is never decoded at full size only to be cropped small.
 */
public record ImageRecord(long id, int label, int channels, int height, int width, byte[] pixels, byte[] encoded)
        implements Serializable {
    public ImageRecord {
        if ((pixels == null) == (encoded == null)) throw new IllegalArgumentException("pixels or encoded bytes, not both");
        if (pixels != null && pixels.length != channels * height * width) {
            throw new IllegalArgumentException("pixels: " + pixels.length + " != " + channels + "x" + height + "x" + width);
        }
    }

    /** A decoded image. */
    public ImageRecord(long id, int label, int channels, int height, int width, byte[] pixels) {
        this(id, label, channels, height, width, pixels, null);
    }

    /** A checked image file to decode on use to {@code channels}, {@code height x width} upright. */
    public static ImageRecord encoded(long id, int label, int channels, int height, int width, byte[] file) {
        return new ImageRecord(id, label, channels, height, width, null, file);
    }

    public boolean isEncoded() {
        return encoded != null;
    }

    /**
     * The decoded image at about 1/{@code reduction} of its size (1, 2, 4 or 8: JPEG's DCT scaling; other formats
     * are decoded whole and resized), or this one if already decoded. The result's size says what it got.
     */
    public ImageRecord decode(int reduction) {
        if (!isEncoded()) return this;
        ImageRecord r = TurboDecoder.decode(encoded, id, label, channels, reduction);
        if (r == null) { // a format OpenCV does not read (GIF): the checking decoder, at full size
            // no name: the format is the content's, as it was when the file was checked
            ImageDecoder.Result d = new ImageDecoder(channels, Long.MAX_VALUE).decode(encoded, "", id, label);
            if (!d.ok()) throw new IllegalStateException("image " + id + " no longer decodes: " + d.skip().key());
            r = d.image();
        }
        return r;
    }

    /** A one-channel image replicated to three channels (for recipes and encoders that expect RGB). */
    public ImageRecord toRgb() {
        if (channels != 1) return this;
        if (isEncoded()) return encoded(id, label, 3, height, width, encoded); // decoded as colour: grey replicated
        byte[] rgb = new byte[3 * pixels.length];
        for (int c = 0; c < 3; c++) System.arraycopy(pixels, 0, rgb, c * pixels.length, pixels.length);
        return new ImageRecord(id, label, 3, height, width, rgb);
    }
}
