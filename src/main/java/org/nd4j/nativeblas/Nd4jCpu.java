package org.nd4j.nativeblas;

/**
 * Compatibility shim: DL4J 1.0.0-M2.1 decides whether to attach its oneDNN layer helpers by looking up
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment}, a class that M2.1's ND4J moved to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu}. Without this class the helpers never attach and
 * convolution/BatchNorm run as im2col + gemm (about 5x slower here; docs/performance.md).
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    public static class Environment {
        private static final Environment INSTANCE = new Environment();

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Looked up by reflection so that the CUDA build (no CPU backend classes) compiles too. */
        public boolean isUseMKLDNN() {
            try {
                Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                Object instance = env.getMethod("getInstance").invoke(null);
                return (Boolean) env.getMethod("isUseONEDNN").invoke(instance);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false; // another backend (e.g. CUDA) is active
            }
        }
    }
}
