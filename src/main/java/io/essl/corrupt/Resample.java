package io.essl.corrupt;

import io.essl.augment.FloatImage;

/** PIL's BOX resampling: each output pixel the plain mean of the input pixels whose centres its box covers. */
final class Resample {
    private Resample() {
    }

    static FloatImage box(FloatImage img, int outH, int outW) {
        int c = img.channels(), h = img.height(), w = img.width();
        double[][] wy = weights(h, outH), wx = weights(w, outW);
        int[] y0 = first(h, outH), x0 = first(w, outW);
        float[] in = img.data(), out = new float[c * outH * outW];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    double v = 0;
                    for (int j = 0; j < wy[y].length; j++) {
                        int row = (ch * h + y0[y] + j) * w + x0[x];
                        for (int i = 0; i < wx[x].length; i++) v += wy[y][j] * wx[x][i] * in[row + i];
                    }
                    out[(ch * outH + y) * outW + x] = (float) v;
                }
            }
        }
        return new FloatImage(c, outH, outW, out);
    }

    /**
     * Along one axis, PIL's coefficients: output pixel o has centre (o + 0.5) * scale in input units; with
     * support 0.5 * max(scale, 1), input pixel i counts when its centre's distance to that, divided by
     * max(scale, 1), falls in [-0.5, 0.5); the counted weights normalised.
     */
    private static double[][] weights(int in, int out) {
        double scale = (double) in / out, ss = Math.max(scale, 1), support = 0.5 * ss;
        double[][] wt = new double[out][];
        for (int o = 0; o < out; o++) {
            double centre = (o + 0.5) * scale;
            int lo = Math.max(0, (int) (centre - support + 0.5)), hi = Math.min(in, (int) (centre + support + 0.5));
            wt[o] = new double[Math.max(0, hi - lo)];
            double sum = 0;
            for (int i = lo; i < hi; i++) {
                double t = (i - centre + 0.5) / ss;
                double v = t >= -0.5 && t < 0.5 ? 1 : 0;
                wt[o][i - lo] = v;
                sum += v;
            }
            for (int i = 0; i < wt[o].length; i++) wt[o][i] = sum > 0 ? wt[o][i] / sum : 0;
        }
        return wt;
    }

    private static int[] first(int in, int out) {
        double scale = (double) in / out, support = 0.5 * Math.max(scale, 1);
        int[] f = new int[out];
        for (int o = 0; o < out; o++) f[o] = Math.max(0, (int) ((o + 0.5) * scale - support + 0.5));
        return f;
    }
}
