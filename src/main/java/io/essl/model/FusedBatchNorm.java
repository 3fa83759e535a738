package io.essl.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.IntStream;

/**
 * BatchNorm over NCHW activations as a DL4J layer helper: batch moments in one read of the input, the
 * normalisation as one affine map per channel, and the backward pass as one reduction plus one affine map of
 * (dy, x) per channel. DL4J's oneDNN helper spends as much time on BatchNorm as on the convolutions (two separate
 * moment reductions, then oneDNN's generic NCHW kernel; see docs/performance.md); these loops stream each tensor
 * the fewest times possible, split over ND4J's thread count by examples.
 *
 * <p>Per-element loops run in the tensor's precision; per-channel sums are carried and combined in double. Float
 * and double share every step but the four innermost loops, so the double precision gradient checks exercise the
 * code that trains. Other data types and NHWC return null, which makes DL4J fall back to its own
 * implementation, as it does for its own helpers.
 */
public final class FusedBatchNorm implements BatchNormalizationHelper {
    /** Elements per chunk moved between the tensor and a thread's scratch array (fits in L2). */
    private static final int CHUNK = 1 << 14;

    private INDArray meanCache;
    private INDArray varCache;
    private double[] batchMean;
    private double[] batchInvStd;

    /**
     * Replaces the BatchNorm helper of every BatchNorm layer of {@code graph} by a new FusedBatchNorm, unless the
     * system property {@code essl.batchnorm} is {@code dl4j} (DL4J's own helper, for comparison).
     */
    public static void install(ComputationGraph graph) {
        if ("dl4j".equals(System.getProperty("essl.batchnorm"))) return;
        try {
            Field helper = BatchNormalization.class.getDeclaredField("helper");
            helper.setAccessible(true);
            for (Layer l : graph.getLayers()) {
                if (l instanceof BatchNormalization bn && !bn.layerConf().isLockGammaBeta()) {
                    helper.set(bn, new FusedBatchNorm());
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DL4J's BatchNormalization has no helper field to set", e);
        }
    }

    @Override
    public boolean checkSupported(double eps, boolean fixedGammaBeta) {
        return !fixedGammaBeta;
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta,
                              INDArray mean, INDArray var, double decay, double eps, CNN2DFormat format,
                              LayerWorkspaceMgr workspaceMgr) {
        if (!supported(x, format)) return null;
        Nchw in = Nchw.reading(x);
        int c = in.channels;
        double[] m;
        double[] v;
        if (training) {
            double[][] moments = moments(in);
            m = moments[0];
            v = moments[1];
            cache(m, v, x.dataType());
        } else {
            m = mean.toDoubleVector();
            v = var.toDoubleVector();
        }
        double[] g = gamma == null ? null : gamma.toDoubleVector();
        double[] b = beta == null ? null : beta.toDoubleVector();
        double[] scale = new double[c];
        double[] invStd = new double[c];
        for (int i = 0; i < c; i++) {
            invStd[i] = 1 / Math.sqrt(v[i] + eps);
            scale[i] = (g == null ? 1 : g[i]) * invStd[i];
        }
        if (training) {
            batchMean = m;
            batchInvStd = invStd;
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        Nchw y = Nchw.writing(out);
        forEachChunk(in, 0, (t, acc, n, c0, c1) -> {
            Chunk cx = t[0].load(in, n, c0, c1);
            for (int ch = c0, o = 0; ch < c1; ch++, o += in.hw) {
                cx.normalise(o, o + in.hw, m[ch], scale[ch], b == null ? 0 : b[ch]);
            }
            cx.store(y, n, c0, c1);
        }, null);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
                                                     INDArray beta, INDArray dGammaView, INDArray dBetaView,
                                                     double eps, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (!supported(input, format) || batchMean == null) return null;
        Nchw x = Nchw.reading(input);
        Nchw dy = Nchw.reading(epsilon);
        int c = x.channels;
        double[] m = batchMean;
        double[] is = batchInvStd;
        // sums[0] = sum of dy, sums[1] = sum of dy * (x - mean), per channel
        double[][] sums = forEachChunk(x, 2, (t, acc, n, c0, c1) -> {
            Chunk cx = t[0].load(x, n, c0, c1);
            Chunk cd = t[1].load(dy, n, c0, c1);
            for (int ch = c0, o = 0; ch < c1; ch++, o += x.hw) {
                acc[0][ch] += cd.sum(o, o + x.hw);
                acc[1][ch] += cd.centredDot(cx, m[ch], o, o + x.hw);
            }
        }, FusedBatchNorm::addInto);
        double count = (double) x.examples * x.hw;
        double[] g = gamma == null ? null : gamma.toDoubleVector();
        double[] kDy = new double[c];
        double[] kX = new double[c];
        double[] k0 = new double[c];
        double[] dGamma = new double[c];
        for (int i = 0; i < c; i++) {
            dGamma[i] = sums[1][i] * is[i];
            // dx = gamma * invStd * (dy - mean(dy) - xHat * mean(dy * xHat)) = kDy * dy + kX * (x - mean) + k0
            kDy[i] = (g == null ? 1 : g[i]) * is[i];
            kX[i] = -kDy[i] * is[i] * is[i] * sums[1][i] / count;
            k0[i] = -kDy[i] * sums[0][i] / count;
        }
        INDArray dxArray = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
        Nchw dx = Nchw.writing(dxArray);
        forEachChunk(x, 0, (t, acc, n, c0, c1) -> {
            Chunk cx = t[0].load(x, n, c0, c1);
            Chunk cd = t[1].load(dy, n, c0, c1);
            for (int ch = c0, o = 0; ch < c1; ch++, o += x.hw) {
                cd.inputGradient(cx, o, o + x.hw, kDy[ch], m[ch], kX[ch], k0[ch]);
            }
            cd.store(dx, n, c0, c1);
        }, null);
        Gradient grad = new DefaultGradient();
        if (dGammaView != null) {
            put(dGammaView, dGamma);
            put(dBetaView, sums[0]);
            grad.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
            grad.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        }
        return new Pair<>(grad, dxArray);
    }

    private static boolean supported(INDArray x, CNN2DFormat format) {
        DataType t = x.dataType();
        return (t == DataType.FLOAT || t == DataType.DOUBLE) && (x.rank() == 2 || format == CNN2DFormat.NCHW)
                && (x.rank() == 2 || x.rank() == 4) && x.length() < Integer.MAX_VALUE;
    }

    /** Batch mean and biased variance per channel (what DL4J's own helper gives for the running statistics). */
    private static double[][] moments(Nchw x) {
        // Per chunk of one channel: its mean and centred sum of squares, merged into the channel's totals
        // (count, mean, M2) with Chan et al.'s pairwise update, so no large sums of squares are ever subtracted.
        double[][] acc = forEachChunk(x, 3, (t, a, n, c0, c1) -> {
            Chunk cx = t[0].load(x, n, c0, c1);
            for (int ch = c0, o = 0; ch < c1; ch++, o += x.hw) {
                double blockMean = cx.sum(o, o + x.hw) / x.hw;
                merge(a, ch, x.hw, blockMean, cx.centredDot(cx, blockMean, o, o + x.hw));
            }
        }, (a, b) -> {
            for (int ch = 0; ch < a[0].length; ch++) merge(a, ch, b[0][ch], b[1][ch], b[2][ch]);
        });
        double[] var = new double[x.channels];
        for (int i = 0; i < var.length; i++) var[i] = acc[2][i] / acc[0][i];
        return new double[][]{acc[1], var};
    }

    /** Merges a part's (count, mean, M2) into channel {@code ch} of the totals {@code a}. */
    private static void merge(double[][] a, int ch, double count, double mean, double m2) {
        double n = a[0][ch] + count;
        if (n == 0) return;
        double delta = mean - a[1][ch];
        a[2][ch] += m2 + delta * delta * a[0][ch] * count / n;
        a[1][ch] += delta * count / n;
        a[0][ch] = n;
    }

    private static void addInto(double[][] a, double[][] b) {
        for (int r = 0; r < a.length; r++) for (int ch = 0; ch < a[r].length; ch++) a[r][ch] += b[r][ch];
    }

    private void cache(double[] mean, double[] var, DataType type) {
        if (meanCache == null || meanCache.dataType() != type || meanCache.length() != mean.length) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                meanCache = Nd4j.createUninitialized(type, mean.length);
                varCache = Nd4j.createUninitialized(type, var.length);
            }
        }
        put(meanCache, mean);
        put(varCache, var);
    }

    private static void put(INDArray target, double[] values) {
        for (int i = 0; i < values.length; i++) target.putScalar(i, values[i]);
    }

    @Override
    public INDArray getMeanCache(DataType dataType) {
        return meanCache;
    }

    @Override
    public INDArray getVarCache(DataType dataType) {
        return varCache;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Collections.emptyMap();
    }

    // ---- splitting the work ------------------------------------------------------------------------------

    private interface Work {
        /** One chunk: channels [c0, c1) of example n, with this thread's two chunk buffers and accumulators. */
        void run(Chunk[] buffers, double[][] acc, int n, int c0, int c1);
    }

    /**
     * Runs {@code work} on every chunk of {@code x} (runs of whole channels of one example, at most CHUNK
     * elements), the examples split over ND4J's thread count; each thread has its own {@code accumulators} rows
     * per channel, merged at the end.
     */
    private static double[][] forEachChunk(Nchw x, int accumulators, Work work, BiConsumer<double[][], double[][]> merge) {
        int threads = Math.max(1, Math.min(x.examples, Nd4j.getEnvironment().maxThreads()));
        int perChunk = Math.max(1, CHUNK / x.hw);
        int size = Math.min(x.channels, perChunk) * x.hw;
        double[][][] parts = new double[threads][][];
        IntStream.range(0, threads).parallel().forEach(t -> {
            double[][] acc = new double[accumulators][x.channels];
            Chunk[] buffers = {x.chunk(size), x.chunk(size)};
            for (int n = x.examples * t / threads; n < x.examples * (t + 1) / threads; n++) {
                for (int c0 = 0; c0 < x.channels; c0 += perChunk) {
                    work.run(buffers, acc, n, c0, Math.min(x.channels, c0 + perChunk));
                }
            }
            parts[t] = acc;
        });
        if (merge != null) for (int t = 1; t < threads; t++) merge.accept(parts[0], parts[t]);
        return parts[0];
    }

    /** A c-ordered [N, C, H, W] or [N, C] float or double tensor, moved to and from chunks by runs of channels. */
    private static final class Nchw {
        final int examples;
        final int channels;
        final int hw;
        final FloatBuffer floats;
        final DoubleBuffer doubles;

        private Nchw(INDArray a) {
            examples = (int) a.size(0);
            channels = (int) a.size(1);
            hw = (int) (a.length() / ((long) examples * channels));
            floats = a.dataType() == DataType.FLOAT ? a.data().asNioFloat().slice() : null;
            doubles = floats == null ? a.data().asNioDouble().slice() : null;
        }

        /** {@code a} itself where it is laid out densely in c order, else a c-ordered copy (for reading). */
        static Nchw reading(INDArray a) {
            return new Nchw(dense(a) ? a : a.dup('c'));
        }

        /** An array this class allocated, to be written in place. */
        static Nchw writing(INDArray a) {
            if (!dense(a)) throw new IllegalStateException("not a dense c-ordered array: " + a.shapeInfoToString());
            return new Nchw(a);
        }

        /** Dense c order: strides of the sizes after each dimension (size-1 dimensions' strides do not matter). */
        private static boolean dense(INDArray a) {
            if (a.offset() != 0) return false;
            long expected = 1;
            for (int d = a.rank() - 1; d >= 0; d--) {
                if (a.size(d) > 1 && a.stride(d) != expected) return false;
                expected *= a.size(d);
            }
            return true;
        }

        Chunk chunk(int size) {
            return floats != null ? new FloatChunk(size) : new DoubleChunk(size);
        }

        int offset(int n, int c0) {
            return (n * channels + c0) * hw;
        }
    }

    /**
     * One thread's working copy of a run of channels, in the tensor's own precision (float loops vectorise twice
     * as wide and need no conversion); every sum is returned as a double and summed over chunks in double.
     * The two implementations are the same four loops over float[] and double[].
     */
    private abstract static class Chunk {
        abstract Chunk load(Nchw t, int n, int c0, int c1);

        abstract void store(Nchw t, int n, int c0, int c1);

        /** Sum over [from, to). */
        abstract double sum(int from, int to);

        /** Sum of this * (other - centre) over [from, to). */
        abstract double centredDot(Chunk other, double centre, int from, int to);

        /** this = (this - mean) * scale + shift over [from, to). */
        abstract void normalise(int from, int to, double mean, double scale, double shift);

        /** this = this * a + (x - mean) * b + d over [from, to) (this holds dy, then dx). */
        abstract void inputGradient(Chunk x, int from, int to, double a, double mean, double b, double d);
    }

    private static final class FloatChunk extends Chunk {
        final float[] v;

        FloatChunk(int size) {
            v = new float[size];
        }

        @Override
        Chunk load(Nchw t, int n, int c0, int c1) {
            t.floats.get(t.offset(n, c0), v, 0, (c1 - c0) * t.hw);
            return this;
        }

        @Override
        void store(Nchw t, int n, int c0, int c1) {
            t.floats.put(t.offset(n, c0), v, 0, (c1 - c0) * t.hw);
        }

        @Override
        double sum(int from, int to) {
            // Four accumulators: the JIT does not vectorise an ordered floating-point sum.
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int k = from;
            for (; k + 3 < to; k += 4) {
                s0 += v[k];
                s1 += v[k + 1];
                s2 += v[k + 2];
                s3 += v[k + 3];
            }
            for (; k < to; k++) s0 += v[k];
            return (double) (s0 + s1) + (s2 + s3);
        }

        @Override
        double centredDot(Chunk other, double centre, int from, int to) {
            float[] o = ((FloatChunk) other).v;
            float c = (float) centre;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int k = from;
            for (; k + 3 < to; k += 4) {
                s0 += v[k] * (o[k] - c);
                s1 += v[k + 1] * (o[k + 1] - c);
                s2 += v[k + 2] * (o[k + 2] - c);
                s3 += v[k + 3] * (o[k + 3] - c);
            }
            for (; k < to; k++) s0 += v[k] * (o[k] - c);
            return (double) (s0 + s1) + (s2 + s3);
        }

        @Override
        void normalise(int from, int to, double mean, double scale, double shift) {
            float m = (float) mean;
            float a = (float) scale;
            float b = (float) shift;
            for (int k = from; k < to; k++) v[k] = (v[k] - m) * a + b;
        }

        @Override
        void inputGradient(Chunk x, int from, int to, double a, double mean, double b, double d) {
            float[] o = ((FloatChunk) x).v;
            float fa = (float) a;
            float m = (float) mean;
            float fb = (float) b;
            float fd = (float) d;
            for (int k = from; k < to; k++) v[k] = v[k] * fa + (o[k] - m) * fb + fd;
        }
    }

    private static final class DoubleChunk extends Chunk {
        final double[] v;

        DoubleChunk(int size) {
            v = new double[size];
        }

        @Override
        Chunk load(Nchw t, int n, int c0, int c1) {
            t.doubles.get(t.offset(n, c0), v, 0, (c1 - c0) * t.hw);
            return this;
        }

        @Override
        void store(Nchw t, int n, int c0, int c1) {
            t.doubles.put(t.offset(n, c0), v, 0, (c1 - c0) * t.hw);
        }

        @Override
        double sum(int from, int to) {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int k = from;
            for (; k + 3 < to; k += 4) {
                s0 += v[k];
                s1 += v[k + 1];
                s2 += v[k + 2];
                s3 += v[k + 3];
            }
            for (; k < to; k++) s0 += v[k];
            return (s0 + s1) + (s2 + s3);
        }

        @Override
        double centredDot(Chunk other, double centre, int from, int to) {
            double[] o = ((DoubleChunk) other).v;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int k = from;
            for (; k + 3 < to; k += 4) {
                s0 += v[k] * (o[k] - centre);
                s1 += v[k + 1] * (o[k + 1] - centre);
                s2 += v[k + 2] * (o[k + 2] - centre);
                s3 += v[k + 3] * (o[k + 3] - centre);
            }
            for (; k < to; k++) s0 += v[k] * (o[k] - centre);
            return (s0 + s1) + (s2 + s3);
        }

        @Override
        void normalise(int from, int to, double mean, double scale, double shift) {
            for (int k = from; k < to; k++) v[k] = (v[k] - mean) * scale + shift;
        }

        @Override
        void inputGradient(Chunk x, int from, int to, double a, double mean, double b, double d) {
            double[] o = ((DoubleChunk) x).v;
            for (int k = from; k < to; k++) v[k] = v[k] * a + (o[k] - mean) * b + d;
        }
    }
}
