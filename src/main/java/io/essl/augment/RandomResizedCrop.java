package io.essl.augment;

import java.util.SplittableRandom;

/**
 * torchvision's RandomResizedCrop: a box with area fraction in {@code scale} and log-uniform aspect ratio in
 * {@code ratio} (10 tries, then a central crop clamped to the ratio range), resampled bilinearly to
 * {@code size x size}. Cropping and resizing happen in one pass.
 */
public record RandomResizedCrop(int size, double[] scale, double[] ratio) implements java.io.Serializable {

    /** A crop box in source pixels. */
    public record Box(int top, int left, int height, int width) {
    }

    public Box sample(int h, int w, SplittableRandom rnd) {
        double area = (double) h * w;
        double logLo = Math.log(ratio[0]), logHi = Math.log(ratio[1]);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * uniform(rnd, scale[0], scale[1]);
            double aspect = Math.exp(uniform(rnd, logLo, logHi));
            int cw = (int) Math.round(Math.sqrt(target * aspect));
            int ch = (int) Math.round(Math.sqrt(target / aspect));
            if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
                int top = rnd.nextInt(h - ch + 1);
                int left = rnd.nextInt(w - cw + 1);
                return new Box(top, left, ch, cw);
            }
        }
        double in = (double) w / h;
        int cw, ch;
        if (in < ratio[0]) {
            cw = w;
            ch = (int) Math.round(cw / ratio[0]);
        } else if (in > ratio[1]) {
            ch = h;
            cw = (int) Math.round(ch * ratio[1]);
        } else {
            cw = w;
            ch = h;
        }
        return new Box((h - ch) / 2, (w - cw) / 2, ch, cw);
    }

    public FloatImage apply(FloatImage src, SplittableRandom rnd) {
        return resize(src, sample(src.height(), src.width(), rnd), size);
    }

    /** Bilinear resampling of a box to size x size (pixel centres aligned, as align_corners=False). */
    public static FloatImage resize(FloatImage src, Box b, int size) {
        int c = src.channels();
        float[] out = new float[c * size * size];
        double sy = (double) b.height() / size, sx = (double) b.width() / size;
        for (int y = 0; y < size; y++) {
            double fy = Math.max(0, b.top() + (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, src.height() - 1);
            int y1 = Math.min(y0 + 1, src.height() - 1);
            float wy = (float) (fy - y0);
            for (int x = 0; x < size; x++) {
                double fx = Math.max(0, b.left() + (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, src.width() - 1);
                int x1 = Math.min(x0 + 1, src.width() - 1);
                float wx = (float) (fx - x0);
                for (int ch = 0; ch < c; ch++) {
                    float top = src.get(ch, y0, x0) * (1 - wx) + src.get(ch, y0, x1) * wx;
                    float bot = src.get(ch, y1, x0) * (1 - wx) + src.get(ch, y1, x1) * wx;
                    out[(ch * size + y) * size + x] = top * (1 - wy) + bot * wy;
                }
            }
        }
        return new FloatImage(c, size, size, out);
    }

    private static double uniform(SplittableRandom rnd, double lo, double hi) {
        return lo == hi ? lo : lo + (hi - lo) * rnd.nextDouble();
    }
}
