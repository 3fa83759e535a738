package io.essl.augment;

/** Grayscale conversion with ITU-R 601 luma weights (as torchvision), keeping the channel count. */
public final class Grayscale {
    private Grayscale() {
    }

    /** Per-pixel luma; for a one-channel image, the image itself. */
    public static float[] luma(FloatImage img) {
        int plane = img.height() * img.width();
        if (img.channels() == 1) return img.data();
        if (img.channels() != 3) throw new IllegalArgumentException("luma needs 1 or 3 channels, got " + img.channels());
        float[] d = img.data(), out = new float[plane];
        for (int i = 0; i < plane; i++) out[i] = 0.299f * d[i] + 0.587f * d[plane + i] + 0.114f * d[2 * plane + i];
        return out;
    }

    /** The luma replicated to every channel (a no-op on one-channel images). */
    public static FloatImage apply(FloatImage img) {
        if (img.channels() == 1) return img;
        float[] l = luma(img), out = new float[img.data().length];
        int plane = l.length;
        for (int c = 0; c < img.channels(); c++) System.arraycopy(l, 0, out, c * plane, plane);
        return new FloatImage(img.channels(), img.height(), img.width(), out);
    }
}
