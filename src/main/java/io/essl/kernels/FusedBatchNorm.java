package io.essl.kernels;

import io.essl.kernels.Chunked.Chunk;
import io.essl.kernels.Chunked.Tensor;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
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
import java.util.Collections;
import java.util.Map;

/**
 * BatchNorm over NCHW activations (and rows of dense activations) as a DL4J layer helper: batch moments in one read of the input, the
 * normalisation as one affine map per channel, and the backward pass as one reduction plus one affine map of
 * (dy, x) per channel. DL4J's oneDNN helper spends as much time on BatchNorm as on the convolutions (two separate
 * moment reductions, then oneDNN's generic NCHW kernel; see docs/performance.md); these loops stream each tensor
 * the fewest times possible, split over ND4J's thread count by examples.
 *
 * <p>Per-element loops run in the tensor's precision; per-channel sums are carried and combined in double. Float
 * and double share every step but the innermost loops (Chunked), so the double precision gradient checks exercise the
 * code that trains. Other data types and NHWC return null, which makes DL4J fall back to its own
 * implementation, as it does for its own helpers.
 */
public final class FusedBatchNorm implements BatchNormalizationHelper {
    private INDArray meanCache;
    private INDArray varCache;
    private double[] batchMean;
    private double[] batchInvStd;

    /**
     * Gives a BatchNorm layer this helper in place of DL4J's (see the model package's BatchNormLayer), unless the system
     * property {@code essl.batchnorm} is {@code dl4j} (DL4J's own, for comparison), the backend is not the CPU
     * one (cuDNN's helper stays) or the layer's scale and shift are fixed (DL4J's built-in code handles that).
     */
    public static void install(org.deeplearning4j.nn.api.Layer layer) {
        if ("dl4j".equals(System.getProperty("essl.batchnorm")) || !Chunked.onCpu()
                || !(layer instanceof BatchNormalization bn) || bn.layerConf().isLockGammaBeta()) {
            return;
        }
        try {
            Field helper = BatchNormalization.class.getDeclaredField("helper");
            helper.setAccessible(true);
            helper.set(bn, new FusedBatchNorm());
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
        Tensor in = Tensor.reading(x);
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
        Tensor y = Tensor.writing(out);
        Chunked.forEach(in, 0, (t, acc, n, c0, c1) -> {
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
        Tensor x = Tensor.reading(input);
        Tensor dy = Tensor.reading(epsilon);
        int c = x.channels;
        double[] m = batchMean;
        double[] is = batchInvStd;
        // sums[0] = sum of dy, sums[1] = sum of dy * (x - mean), per channel
        double[][] sums = Chunked.forEach(x, 2, (t, acc, n, c0, c1) -> {
            Chunk cx = t[0].load(x, n, c0, c1);
            Chunk cd = t[1].load(dy, n, c0, c1);
            for (int ch = c0, o = 0; ch < c1; ch++, o += x.hw) {
                acc[0][ch] += cd.sum(o, o + x.hw);
                acc[1][ch] += cd.centredDot(cx, m[ch], o, o + x.hw);
            }
        }, Chunked::sumInto);
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
        Tensor dx = Tensor.writing(dxArray);
        Chunked.forEach(x, 0, (t, acc, n, c0, c1) -> {
            Chunk cx = t[0].load(x, n, c0, c1);
            Chunk cd = t[1].load(dy, n, c0, c1);
            for (int ch = c0, o = 0; ch < c1; ch++, o += x.hw) {
                cd.inputGradient(cx, o, o + x.hw, kDy[ch], m[ch], kX[ch], k0[ch]);
            }
            cd.store(dx, n, c0, c1);
        }, null);
        Gradient grad = new DefaultGradient();
        if (dGammaView != null) {
            Chunked.put(dGammaView, dGamma);
            Chunked.put(dBetaView, sums[0]);
            grad.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
            grad.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        }
        return new Pair<>(grad, dxArray);
    }

    private static boolean supported(INDArray x, CNN2DFormat format) {
        return Chunked.handles(x) && (x.rank() == 2 || (x.rank() == 4 && format == CNN2DFormat.NCHW));
    }

    /** Batch mean and biased variance per channel (what DL4J's own helper gives for the running statistics). */
    private static double[][] moments(Tensor x) {
        // Per chunk of one channel: its mean and centred sum of squares, merged into the channel's totals
        // (count, mean, M2) with Chan et al.'s pairwise update, so no large sums of squares are ever subtracted.
        double[][] acc = Chunked.forEach(x, 3, (t, a, n, c0, c1) -> {
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

    private void cache(double[] mean, double[] var, DataType type) {
        if (meanCache == null || meanCache.dataType() != type || meanCache.length() != mean.length) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                meanCache = Nd4j.createUninitialized(type, mean.length);
                varCache = Nd4j.createUninitialized(type, var.length);
            }
        }
        Chunked.put(meanCache, mean);
        Chunked.put(varCache, var);
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
}
