package io.essl.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float reductions of {@link Chunked.FloatChunk} on the Vector API: the JIT does not vectorise an ordered
 * floating-point sum on its own, so the scalar loops keep four accumulators; here each lane is an accumulator
 * (16 at AVX-512), two vectors of them. Loaded only when {@link Simd#VECTOR} says the module is there.
 */
final class VectorSums {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorSums() {
    }

    static int lanes() {
        return S.length();
    }

    /** Sum of v over [from, to). */
    static double sum(float[] v, int from, int to) {
        int n = S.length(), k = from;
        if (to - from < 2 * n) return Chunked.FloatChunk.scalarSum(v, from, to); // too short for a vector pass
        FloatVector a = FloatVector.zero(S), b = FloatVector.zero(S);
        for (; k + 2 * n <= to; k += 2 * n) {
            a = a.add(FloatVector.fromArray(S, v, k));
            b = b.add(FloatVector.fromArray(S, v, k + n));
        }
        float s = a.add(b).reduceLanes(VectorOperators.ADD);
        for (; k < to; k++) s += v[k];
        return s;
    }

    /** Sum of v * (o - centre) over [from, to). */
    static double centredDot(float[] v, float[] o, float centre, int from, int to) {
        int n = S.length(), k = from;
        if (to - from < 2 * n) return Chunked.FloatChunk.scalarCentredDot(v, o, centre, from, to);
        FloatVector a = FloatVector.zero(S), b = FloatVector.zero(S);
        for (; k + 2 * n <= to; k += 2 * n) {
            a = FloatVector.fromArray(S, o, k).sub(centre).fma(FloatVector.fromArray(S, v, k), a);
            b = FloatVector.fromArray(S, o, k + n).sub(centre).fma(FloatVector.fromArray(S, v, k + n), b);
        }
        float s = a.add(b).reduceLanes(VectorOperators.ADD);
        for (; k < to; k++) s += v[k] * (o[k] - centre);
        return s;
    }
}
