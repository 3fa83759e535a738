package io.essl.kernels;

/**
 * Whether the float reductions run on the Vector API ({@code jdk.incubator.vector}, an incubator module on Java 17
 * that the JVM must be started with: {@code --add-modules=jdk.incubator.vector}, in bin/jvm-flags and every
 * launcher) or on the scalar loops. A JVM without the module runs the scalar loops; {@code -Dessl.simd=scalar}
 * chooses them too (for comparisons). Decided once per JVM.
 */
public final class Simd {
    /** True when {@link VectorSums} may be used. */
    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"scalar".equals(System.getProperty("essl.simd"));

    private Simd() {
    }

    /** Which path this JVM's float reductions take, for provenance: "Vector API, 16 float lanes" or "scalar (why)". */
    public static String description() {
        if (VECTOR) return "Vector API, " + VectorSums.lanes() + " float lanes";
        return "scalar (" + ("scalar".equals(System.getProperty("essl.simd")) ? "-Dessl.simd=scalar"
                : "no --add-modules=jdk.incubator.vector") + ")";
    }

    /** Prints {@link #description()} and a sum through the path chosen: a JVM's own check (SimdTest runs it). */
    public static void main(String[] args) {
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) v[i] = i % 7;
        Chunked.FloatChunk c = new Chunked.FloatChunk(v.length);
        System.arraycopy(v, 0, c.v, 0, v.length);
        System.out.println(description() + "; sum " + c.sum(0, v.length));
    }
}
