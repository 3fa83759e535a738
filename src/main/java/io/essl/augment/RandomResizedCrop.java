package io.essl.augment;

import io.essl.data.ImageRecord;

import java.util.SplittableRandom;

/**
 * torchvision's RandomResizedCrop: a box with area fraction in {@code scale} and log-uniform aspect ratio in
 * {@code ratio} (10 tries, then a central crop clamped to the ratio range), resampled bilinearly or bicubically
 * to {@code size x size}. Cropping and resizing happen in one pass.
 */
public record RandomResizedCrop(int size, double[] scale, double[] ratio, boolean bicubic) implements java.io.Serializable {

    public RandomResizedCrop(int size, double[] scale, double[] ratio) {
        this(size, scale, ratio, false);
    }

    /** A crop box in source pixels (fractional once carried over to an image decoded smaller). */
    public record Box(double top, double left, double height, double width) {
        /** The same box in the image decoded at {@code h x w} instead of {@code fullH x fullW} (DCT scaling). */
        public Box in(int fullH, int fullW, int h, int w) {
            if (h == fullH && w == fullW) return this;
            double fy = (double) h / fullH, fx = (double) w / fullW;
            return new Box(top * fy, left * fx, height * fy, width * fx);
        }
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
        Box box = sample(src.height(), src.width(), rnd);
        return bicubic ? resizeBicubic(src, box, size) : resize(src, box, size);
    }

    /**
     * How much smaller (1, 2, 4 or 8) the image may be decoded and still give this box at full resolution: the
     * box's shorter side must keep at least {@code size} pixels, so DCT scaling never costs detail.
     */
    public int reductionFor(Box box) {
        int f = 1;
        while (f < 8 && Math.min(box.height(), box.width()) >= 2.0 * f * size) f *= 2;
        return f;
    }

    /**
     * The box of decoded 8-bit pixels resampled to size x size: the same values as resampling the whole image
     * converted to floats, without converting it (bilinear reads the bytes; bicubic converts only the box and the
     * margin its taps reach).
     */
    public FloatImage apply(ImageRecord src, Box b) {
        return apply(src, b, false);
    }

    /**
     * {@link #apply(ImageRecord, Box)}, mirrored left to right when {@code flip}: the same values as
     * {@link Flip#horizontal} of the crop (bilinear mirrors its column taps, at no cost; bicubic flips afterwards).
     */
    public FloatImage apply(ImageRecord src, Box b, boolean flip) {
        if (!bicubic) return resize(src, b, size, flip);
        int top = Math.max(0, (int) Math.floor(b.top()) - 2), left = Math.max(0, (int) Math.floor(b.left()) - 2);
        int bottom = Math.min(src.height(), (int) Math.ceil(b.top() + b.height()) + 2);
        int right = Math.min(src.width(), (int) Math.ceil(b.left() + b.width()) + 2);
        FloatImage region = FloatImage.of(src, top, left, bottom - top, right - left);
        FloatImage out = resizeBicubic(region, new Box(b.top() - top, b.left() - left, b.height(), b.width()), size);
        return flip ? Flip.horizontal(out) : out;
    }

    private static final float[] UNIT = new float[256]; // byte value -> [0, 1], as FloatImage.of converts

    static {
        for (int i = 0; i < 256; i++) UNIT[i] = i / 255f;
    }

    /** {@link #resize(FloatImage, Box, int)} reading 8-bit pixels directly. */
    static FloatImage resize(ImageRecord src, Box b, int size, boolean flip) {
        int c = src.channels(), h = src.height(), w = src.width();
        int[] x0 = new int[size], x1 = new int[size], y0 = new int[size], y1 = new int[size];
        float[] wx = new float[size], wy = new float[size];
        taps2(b.left(), b.width() / size, size, w, x0, x1, wx);
        taps2(b.top(), b.height() / size, size, h, y0, y1, wy);
        if (flip) { // output column x takes column size - 1 - x's taps: the crop written mirrored
            for (int i = 0, j = size - 1; i < j; i++, j--) {
                int t = x0[i];
                x0[i] = x0[j];
                x0[j] = t;
                t = x1[i];
                x1[i] = x1[j];
                x1[j] = t;
                float f = wx[i];
                wx[i] = wx[j];
                wx[j] = f;
            }
        }
        byte[] in = src.pixels();
        float[] out = new float[c * size * size];
        // Separable: each source row the output needs is interpolated across once (consecutive output rows share
        // source rows), then rows are blended; the same expressions as the float path, so the same values.
        float[] top = new float[size], bot = new float[size];
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w, topRow = -1, botRow = -1;
            for (int y = 0; y < size; y++) {
                if (y0[y] != topRow) {
                    if (y0[y] == botRow) { // the last row pair's lower row is this pair's upper one
                        float[] t = top;
                        top = bot;
                        bot = t;
                        topRow = botRow;
                        botRow = -1;
                    } else {
                        across(in, plane + y0[y] * w, x0, x1, wx, top);
                        topRow = y0[y];
                    }
                }
                if (y1[y] != botRow) {
                    if (y1[y] == topRow) System.arraycopy(top, 0, bot, 0, size);
                    else across(in, plane + y1[y] * w, x0, x1, wx, bot);
                    botRow = y1[y];
                }
                int o = (ch * size + y) * size;
                float v = wy[y];
                for (int x = 0; x < size; x++) out[o + x] = top[x] * (1 - v) + bot[x] * v;
            }
        }
        return new FloatImage(c, size, size, out);
    }

    /** One source row of 8-bit pixels interpolated at the output's columns. */
    private static void across(byte[] in, int row, int[] x0, int[] x1, float[] wx, float[] out) {
        for (int x = 0; x < out.length; x++) {
            out[x] = UNIT[in[row + x0[x]] & 0xff] * (1 - wx[x]) + UNIT[in[row + x1[x]] & 0xff] * wx[x];
        }
    }

    /** Bilinear resampling of a box to size x size (pixel centres aligned, as align_corners=False). */
    public static FloatImage resize(FloatImage src, Box b, int size) {
        int c = src.channels(), h = src.height(), w = src.width();
        int[] x0 = new int[size], x1 = new int[size], y0 = new int[size], y1 = new int[size];
        float[] wx = new float[size], wy = new float[size];
        taps2(b.left(), (double) b.width() / size, size, w, x0, x1, wx);
        taps2(b.top(), (double) b.height() / size, size, h, y0, y1, wy);
        float[] in = src.data(), out = new float[c * size * size];
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            for (int y = 0; y < size; y++) {
                int r0 = plane + y0[y] * w, r1 = plane + y1[y] * w, o = (ch * size + y) * size;
                float v = wy[y];
                for (int x = 0; x < size; x++) {
                    float top = in[r0 + x0[x]] * (1 - wx[x]) + in[r0 + x1[x]] * wx[x];
                    float bot = in[r1 + x0[x]] * (1 - wx[x]) + in[r1 + x1[x]] * wx[x];
                    out[o + x] = top * (1 - v) + bot * v;
                }
            }
        }
        return new FloatImage(c, size, size, out);
    }

    /** The two source indices and the weight of the second, per output position along one axis (bilinear). */
    private static void taps2(double start, double scale, int size, int limit, int[] i0, int[] i1, float[] wt) {
        for (int o = 0; o < size; o++) {
            double f = Math.max(0, start + (o + 0.5) * scale - 0.5);
            i0[o] = Math.min((int) f, limit - 1);
            i1[o] = Math.min(i0[o] + 1, limit - 1);
            wt[o] = (float) (f - i0[o]);
        }
    }

    /**
     * Bicubic resampling of a box to size x size (Keys kernel with a = -0.5, as PIL; pixel centres aligned;
     * edge pixels repeated), clamped to [0, 1] as PIL's 8-bit result is. Separable: 4 taps per axis.
     */
    public static FloatImage resizeBicubic(FloatImage src, Box b, int size) {
        int c = src.channels(), h = src.height(), w = src.width();
        int[] xi = new int[size * 4], yi = new int[size * 4];
        float[] xw = new float[size * 4], yw = new float[size * 4];
        taps(b.left(), (double) b.width() / size, size, w, xi, xw);
        taps(b.top(), (double) b.height() / size, size, h, yi, yw);
        float[] rows = new float[size * w];
        float[] out = new float[c * size * size];
        int x0 = xi[0], x1 = xi[4 * size - 1];        // the source columns the taps reach
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            for (int y = 0; y < size; y++) {          // vertical pass: size rows of the columns x0..x1
                for (int x = x0; x <= x1; x++) {
                    float v = 0;
                    for (int k = 0; k < 4; k++) v += yw[4 * y + k] * src.data()[plane + yi[4 * y + k] * w + x];
                    rows[y * w + x] = v;
                }
            }
            for (int y = 0; y < size; y++) {          // horizontal pass
                for (int x = 0; x < size; x++) {
                    float v = 0;
                    for (int k = 0; k < 4; k++) v += xw[4 * x + k] * rows[y * w + xi[4 * x + k]];
                    out[(ch * size + y) * size + x] = Math.min(1f, Math.max(0f, v));
                }
            }
        }
        return new FloatImage(c, size, size, out);
    }

    /** Source indices and Keys weights of the 4 taps of each output position along one axis. */
    private static void taps(double start, double scale, int size, int limit, int[] idx, float[] wt) {
        for (int o = 0; o < size; o++) {
            double f = start + (o + 0.5) * scale - 0.5;
            int base = (int) Math.floor(f);
            double t = f - base;
            for (int k = 0; k < 4; k++) {
                idx[4 * o + k] = Math.min(limit - 1, Math.max(0, base - 1 + k));
                wt[4 * o + k] = (float) keys(t + 1 - k);
            }
        }
    }

    private static double keys(double x) {
        double a = -0.5, ax = Math.abs(x);
        if (ax <= 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
        if (ax < 2) return ((a * ax - 5 * a) * ax + 8 * a) * ax - 4 * a;
        return 0;
    }

    private static double uniform(SplittableRandom rnd, double lo, double hi) {
        return lo == hi ? lo : lo + (hi - lo) * rnd.nextDouble();
    }
}
