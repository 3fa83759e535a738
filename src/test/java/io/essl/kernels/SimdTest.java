package io.essl.kernels;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Vector API reductions against a plain double sum and against the scalar loops; the test JVM runs with the
 * module (pom.xml, as bin/jvm-flags), and a JVM started without it runs the scalar loops.
 */
class SimdTest {
    @Test
    void theTestJvmUsesTheVectorApi() {
        assertTrue(Simd.VECTOR, Simd.description());
        assertTrue(Simd.description().matches("Vector API, \\d+ float lanes"), Simd.description());
    }

    @Test
    void vectorAndScalarReductionsAreTheDoubleSums() {
        Random rnd = new Random(11);
        // lengths around the vector width and the spatial sizes of the networks (28x28, 7x7, odd tails)
        for (int len : new int[]{1, 3, 15, 16, 17, 33, 49, 196, 784, 3137}) {
            float[] v = new float[len + 5], o = new float[len + 5];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rnd.nextGaussian();
                o[i] = 2 + (float) rnd.nextGaussian();
            }
            int from = 2, to = 2 + len;
            float centre = 2.1f;
            double sum = 0, dot = 0, scale = 0;
            for (int k = from; k < to; k++) {
                sum += v[k];
                dot += (double) v[k] * ((double) o[k] - centre);
                scale += Math.abs(v[k]) * Math.abs(o[k] - centre);
            }
            double tol = 1e-6 * (scale + len); // float rounding of a sum of len terms
            assertEquals(sum, VectorSums.sum(v, from, to), tol, "vector sum, length " + len);
            assertEquals(sum, Chunked.FloatChunk.scalarSum(v, from, to), tol, "scalar sum, length " + len);
            assertEquals(dot, VectorSums.centredDot(v, o, centre, from, to), tol, "vector centred dot, length " + len);
            assertEquals(dot, Chunked.FloatChunk.scalarCentredDot(v, o, centre, from, to), tol, "scalar centred dot, length " + len);
        }
    }

    @Test
    void aJvmWithoutTheModuleRunsTheScalarLoops() throws Exception {
        assertEquals("scalar (no --add-modules=jdk.incubator.vector); sum 2997.0", child(false));
        assertTrue(child(true).matches("Vector API, \\d+ float lanes; sum 2997\\.0"));
    }

    /** Simd's main in a fresh JVM, with or without the incubator module; its last line. */
    private static String child(boolean module) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").getPath()));
        if (module) cmd.add("--add-modules=jdk.incubator.vector");
        cmd.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                Simd.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", lines));
        return lines.get(lines.size() - 1);
    }
}
