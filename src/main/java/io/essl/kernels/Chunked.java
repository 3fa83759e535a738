package io.essl.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.function.BiConsumer;
import java.util.stream.IntStream;

/**
 * Streaming loops over float or double [N, C, ...] tensors for the layers written in Java (FusedBatchNorm,
 * ReluLayer, LinearLayer's LayerNorm backward): each thread copies runs of whole channels of one example into a
 * small array, works on it where the JIT vectorises, and writes it back, so every pass reads each tensor once.
 * ND4J's CPU ops each take a full pass plus an allocation, which for BatchNorm and ReLU cost more than the
 * arithmetic.
 */
public final class Chunked {
    /** Elements per chunk moved between the tensor and a thread's scratch array (fits in L2). */
    public static final int CHUNK = 1 << 14;

    private static final boolean CPU =
            "CPU".equalsIgnoreCase(Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend"));

    private Chunked() {
    }

    /**
     * Whether these loops suit the arrays: on ND4J's CPU backend they read memory in place; on CUDA they would
     * copy every tensor to the host and back, so there the layers keep DL4J's (cuDNN) code.
     */
    public static boolean onCpu() {
        return CPU;
    }

    /** Whether these loops take {@code a}: the CPU backend, float or double, not empty, int-indexable. */
    public static boolean handles(INDArray a) {
        DataType t = a.dataType();
        return CPU && (t == DataType.FLOAT || t == DataType.DOUBLE)
                && a.length() > 0 && a.length() < Integer.MAX_VALUE;
    }

    /** The merge for plain sums: adds every accumulator of {@code b} into {@code a}. */
    public static void sumInto(double[][] a, double[][] b) {
        for (int r = 0; r < a.length; r++) for (int ch = 0; ch < a[r].length; ch++) a[r][ch] += b[r][ch];
    }

    /** Writes per-channel results into a small (gamma-sized) array. */
    public static void put(INDArray target, double[] values) {
        for (int i = 0; i < values.length; i++) target.putScalar(i, values[i]);
    }

    public interface Work {
        /** One chunk: channels [c0, c1) of example n, with this thread's three chunk buffers and accumulators. */
        void run(Chunk[] buffers, double[][] acc, int n, int c0, int c1);
    }

    /**
     * Runs {@code work} on every chunk of {@code x} (runs of whole channels of one example, at most CHUNK
     * elements), the examples split over ND4J's thread count; each thread has its own {@code accumulators} rows
     * per channel, merged at the end.
     */
    public static double[][] forEach(Tensor x, int accumulators, Work work, BiConsumer<double[][], double[][]> merge) {
        int threads = Math.max(1, Math.min(x.examples, Nd4j.getEnvironment().maxThreads()));
        int perChunk = Math.max(1, CHUNK / x.hw);
        int size = Math.min(x.channels, perChunk) * x.hw;
        double[][][] parts = new double[threads][][];
        IntStream.range(0, threads).parallel().forEach(t -> {
            double[][] acc = new double[accumulators][x.channels];
            Chunk[] buffers = {x.chunk(size), x.chunk(size), x.chunk(size)};
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
    public static final class Tensor {
        public final int examples;
        public final int channels;
        public final int hw;
        final FloatBuffer floats;
        final DoubleBuffer doubles;

        private Tensor(INDArray a) {
            examples = (int) a.size(0);
            channels = (int) a.size(1);
            hw = (int) (a.length() / ((long) examples * channels));
            floats = a.dataType() == DataType.FLOAT ? a.data().asNioFloat().slice() : null;
            doubles = floats == null ? a.data().asNioDouble().slice() : null;
        }

        /** {@code a} itself where it is laid out densely in c order, else a c-ordered copy (for reading). */
        public static Tensor reading(INDArray a) {
            return new Tensor(dense(a) ? a : a.dup('c'));
        }

        /** An array this class allocated, to be written in place. */
        public static Tensor writing(INDArray a) {
            if (!dense(a)) throw new IllegalStateException("not a dense c-ordered array: " + a.shapeInfoToString());
            return new Tensor(a);
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

        public Chunk chunk(int size) {
            return floats != null ? new FloatChunk(size) : new DoubleChunk(size);
        }

        public int offset(int n, int c0) {
            return (n * channels + c0) * hw;
        }
    }

    /**
     * One thread's working copy of a run of channels, in the tensor's own precision (float loops vectorise twice
     * as wide and need no conversion); every sum is returned as a double and summed over chunks in double.
     * The two implementations are the same loops over float[] and double[].
     */
    public abstract static class Chunk {
        public abstract Chunk load(Tensor t, int n, int c0, int c1);

        public abstract void store(Tensor t, int n, int c0, int c1);

        /** Sum over [from, to). */
        public abstract double sum(int from, int to);

        /** Sum of this * (other - centre) over [from, to). */
        public abstract double centredDot(Chunk other, double centre, int from, int to);

        /** this = (this - mean) * scale + shift over [from, to). */
        public abstract void normalise(int from, int to, double mean, double scale, double shift);

        /** this = this * a + (x - mean) * b + d over [from, to) (this holds dy, then dx). */
        public abstract void inputGradient(Chunk x, int from, int to, double a, double mean, double b, double d);

        /** this = max(this, 0) over [from, to). */
        public abstract void relu(int from, int to);

        /** this = x > 0 ? this : 0 over [from, to) (this holds dy, then dx). */
        public abstract void reluGradient(Chunk x, int from, int to);

        /** this = this * other over [from, to). */
        public abstract void multiply(Chunk other, int from, int to);

        /** acc[k] += this[k] * other[k] over [from, to). */
        public abstract void addProducts(Chunk other, int from, int to, double[] acc);
    }

    public static final class FloatChunk extends Chunk {
        final float[] v;

        FloatChunk(int size) {
            v = new float[size];
        }

        @Override
        public Chunk load(Tensor t, int n, int c0, int c1) {
            t.floats.get(t.offset(n, c0), v, 0, (c1 - c0) * t.hw);
            return this;
        }

        @Override
        public void store(Tensor t, int n, int c0, int c1) {
            t.floats.put(t.offset(n, c0), v, 0, (c1 - c0) * t.hw);
        }

        @Override
        public double sum(int from, int to) {
            return Simd.VECTOR ? VectorSums.sum(v, from, to) : scalarSum(v, from, to);
        }

        /** The scalar {@link #sum}: without the Vector API. */
        static double scalarSum(float[] v, int from, int to) {
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
        public double centredDot(Chunk other, double centre, int from, int to) {
            float[] o = ((FloatChunk) other).v;
            float c = (float) centre;
            return Simd.VECTOR ? VectorSums.centredDot(v, o, c, from, to) : scalarCentredDot(v, o, c, from, to);
        }

        /** The scalar {@link #centredDot}: without the Vector API. */
        static double scalarCentredDot(float[] v, float[] o, float c, int from, int to) {
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
        public void normalise(int from, int to, double mean, double scale, double shift) {
            float m = (float) mean;
            float a = (float) scale;
            float b = (float) shift;
            for (int k = from; k < to; k++) v[k] = (v[k] - m) * a + b;
        }

        @Override
        public void inputGradient(Chunk x, int from, int to, double a, double mean, double b, double d) {
            float[] o = ((FloatChunk) x).v;
            float fa = (float) a;
            float m = (float) mean;
            float fb = (float) b;
            float fd = (float) d;
            for (int k = from; k < to; k++) v[k] = v[k] * fa + (o[k] - m) * fb + fd;
        }

        @Override
        public void relu(int from, int to) {
            for (int k = from; k < to; k++) v[k] = Math.max(v[k], 0f);
        }

        @Override
        public void reluGradient(Chunk x, int from, int to) {
            float[] o = ((FloatChunk) x).v;
            // (x > 0 ? 1 : 0) without a branch, which would mispredict half the time and not vectorise: 2^200
            // lifts the smallest positive float above 1, then the clamp to [0, 1] leaves exactly 0 or 1.
            for (int k = from; k < to; k++) v[k] *= Math.min(Math.max(o[k] * 0x1p100f * 0x1p100f, 0f), 1f);
        }

        @Override
        public void multiply(Chunk other, int from, int to) {
            float[] o = ((FloatChunk) other).v;
            for (int k = from; k < to; k++) v[k] *= o[k];
        }

        @Override
        public void addProducts(Chunk other, int from, int to, double[] acc) {
            float[] o = ((FloatChunk) other).v;
            for (int k = from; k < to; k++) acc[k] += v[k] * o[k];
        }
    }

    public static final class DoubleChunk extends Chunk {
        final double[] v;

        DoubleChunk(int size) {
            v = new double[size];
        }

        @Override
        public Chunk load(Tensor t, int n, int c0, int c1) {
            t.doubles.get(t.offset(n, c0), v, 0, (c1 - c0) * t.hw);
            return this;
        }

        @Override
        public void store(Tensor t, int n, int c0, int c1) {
            t.doubles.put(t.offset(n, c0), v, 0, (c1 - c0) * t.hw);
        }

        @Override
        public double sum(int from, int to) {
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
        public double centredDot(Chunk other, double centre, int from, int to) {
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
        public void normalise(int from, int to, double mean, double scale, double shift) {
            for (int k = from; k < to; k++) v[k] = (v[k] - mean) * scale + shift;
        }

        @Override
        public void inputGradient(Chunk x, int from, int to, double a, double mean, double b, double d) {
            double[] o = ((DoubleChunk) x).v;
            for (int k = from; k < to; k++) v[k] = v[k] * a + (o[k] - mean) * b + d;
        }

        @Override
        public void relu(int from, int to) {
            for (int k = from; k < to; k++) v[k] = Math.max(v[k], 0);
        }

        @Override
        public void reluGradient(Chunk x, int from, int to) {
            double[] o = ((DoubleChunk) x).v;
            for (int k = from; k < to; k++) v[k] *= Math.min(Math.max(o[k] * 0x1p600 * 0x1p600, 0), 1);
        }

        @Override
        public void multiply(Chunk other, int from, int to) {
            double[] o = ((DoubleChunk) other).v;
            for (int k = from; k < to; k++) v[k] *= o[k];
        }

        @Override
        public void addProducts(Chunk other, int from, int to, double[] acc) {
            double[] o = ((DoubleChunk) other).v;
            for (int k = from; k < to; k++) acc[k] += v[k] * o[k];
        }
    }
}
