package io.essl.corrupt;

import io.essl.augment.FloatImage;
import io.essl.augment.GaussianBlur;

/** Resampling by inverse mapping: each output pixel reads the input bilinearly at a computed source point. */
final class Warp {
    private Warp() {
    }

    /** Where output pixel (y, x) reads from: writes the source row and column into {@code at}. */
    interface Map {
        void source(int y, int x, double[] at);
    }

    /** Bilinear sampling at the mapped points; outside the image: reflected (mirror) or a constant fill. */
    static FloatImage apply(FloatImage img, Map map, boolean reflect, float fill) {
        int c = img.channels(), h = img.height(), w = img.width();
        float[] in = img.data(), out = new float[in.length];
        double[] at = new double[2];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                map.source(y, x, at);
                double sy = at[0], sx = at[1];
                int y0 = (int) Math.floor(sy), x0 = (int) Math.floor(sx);
                double fy = sy - y0, fx = sx - x0;
                for (int ch = 0; ch < c; ch++) {
                    int plane = ch * h * w;
                    double v = (1 - fy) * ((1 - fx) * px(in, plane, y0, x0, h, w, reflect, fill)
                            + fx * px(in, plane, y0, x0 + 1, h, w, reflect, fill))
                            + fy * ((1 - fx) * px(in, plane, y0 + 1, x0, h, w, reflect, fill)
                            + fx * px(in, plane, y0 + 1, x0 + 1, h, w, reflect, fill));
                    out[plane + y * w + x] = (float) v;
                }
            }
        }
        return new FloatImage(c, h, w, out);
    }

    private static float px(float[] in, int plane, int y, int x, int h, int w, boolean reflect, float fill) {
        if (y < 0 || y >= h || x < 0 || x >= w) {
            if (!reflect) return fill;
            y = GaussianBlur.reflect(y, h);
            x = GaussianBlur.reflect(x, w);
        }
        return in[plane + y * w + x];
    }
}
