package io.essl.spark;

import io.essl.config.ConfigError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Which GPUs ND4J's CUDA backend can run on, checked before ND4J starts. The only CUDA build on Maven Central
 * (nd4j-cuda-11.6 1.0.0-M2.1) holds machine code (SASS) for a fixed list of architectures and no PTX, so a card
 * whose compute capability is outside that list (H100/H200: 9.0) cannot run it: the driver has nothing to load, and
 * the failure would come from deep inside the first kernel launch. docs/gpu.md has how the list was read.
 */
public final class CudaSupport {
    /** A compute capability, e.g. 8.6. */
    public record Capability(int major, int minor) {
        /** "8.6" (as nvidia-smi's compute_cap prints it); a ConfigError naming the value otherwise. */
        public static Capability parse(String s) {
            String t = s.trim();
            if (!t.matches("\\d+\\.\\d")) {
                throw new ConfigError("bad compute capability '" + s + "' (major.minor, e.g. 8.6)");
            }
            return new Capability(Integer.parseInt(t.substring(0, t.indexOf('.'))), t.charAt(t.length() - 1) - '0');
        }

        @Override
        public String toString() {
            return major + "." + minor;
        }
    }

    /**
     * The SASS architectures in nd4j-cuda-11.6 1.0.0-M2.1's libnd4jcuda.so, read from its .nv_fatbin section
     * (deploy/fatbin-scan.py, docs/gpu.md): each of its 228 fatbins holds these nine and no PTX, so the driver cannot
     * compile for anything else.
     */
    public static final List<Capability> MACHINE_CODE = List.of(new Capability(3, 7), new Capability(5, 0),
            new Capability(5, 2), new Capability(6, 0), new Capability(6, 1), new Capability(7, 0), new Capability(7, 5),
            new Capability(8, 0), new Capability(8, 6));

    /** One GPU as nvidia-smi lists it. */
    public record Device(int index, String name, Capability capability) {
    }

    private static volatile List<Device> devices;

    private CudaSupport() {
    }

    /**
     * The machine code a card of this capability runs, or null when it has none: a cubin for X.Y runs on X.Z with
     * Z >= Y (same major), never across majors.
     */
    public static Capability runnable(Capability c) {
        return MACHINE_CODE.stream().filter(m -> m.major() == c.major() && m.minor() <= c.minor())
                .max(Comparator.comparingInt(Capability::minor)).orElse(null);
    }

    /** How a device is named in messages: "GPU 1 (NVIDIA H200, compute capability 9.0)". */
    public static String describe(Device d) {
        return "GPU " + d.index() + " (" + d.name() + ", compute capability " + d.capability() + ")";
    }

    /** The one line that says why a device ("GPU 1 (...)", "compute capability 9.0") cannot run the CUDA build, and what can. */
    public static String unsupported(String what) {
        return what + " cannot run ND4J's CUDA 11.6 build (1.0.0-M2.1): it has machine code for "
                + MACHINE_CODE.stream().map(Capability::toString).collect(Collectors.joining(", "))
                + " only and no PTX (V100, T4, A10G, A100, L4 run; H100/H200 do not); use such a GPU or the CPU build (docs/gpu.md)";
    }

    /** Whether this JVM's classpath carries ND4J's CUDA backend (a -Pcuda build), looked up without loading it. */
    public static boolean cudaBackendPresent() {
        return CUDA_BUILD;
    }

    private static final boolean CUDA_BUILD = classPresent("org.nd4j.linalg.jcublas.JCublasBackend");

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, CudaSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The GPUs nvidia-smi lists on this machine (empty without nvidia-smi or a driver); asked once per JVM. */
    public static List<Device> devices() {
        if (devices == null) devices = querySmi();
        return devices;
    }

    private static List<Device> querySmi() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=index,name,compute_cap", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) return List.of();
            return parseDevices(out);
        } catch (IOException e) {
            return List.of(); // no nvidia-smi: no NVIDIA driver on this machine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** nvidia-smi's CSV ("0, NVIDIA H200, 9.0" a line); lines it could not fill (old drivers: no compute_cap) skipped. */
    static List<Device> parseDevices(String csv) {
        List<Device> list = new ArrayList<>();
        for (String line : csv.split("\\R")) {
            String[] f = line.split(",");
            if (f.length < 3 || !f[0].trim().matches("\\d+") || !f[f.length - 1].trim().matches("\\d+\\.\\d")) continue;
            String name = String.join(",", java.util.Arrays.asList(f).subList(1, f.length - 1)).trim();
            list.add(new Device(Integer.parseInt(f[0].trim()), name, Capability.parse(f[f.length - 1])));
        }
        return list;
    }

    /**
     * Before training: with the CUDA backend on the classpath, every GPU of this machine must be one it can run; a
     * ConfigError (one line, exit 2) names the first that cannot. No-op for the CPU build or on a machine without GPUs
     * (a cluster-mode driver): the executors check their own in {@link GpuAffinity#bindCurrentTask()}.
     */
    public static void checkBeforeTraining() {
        if (!cudaBackendPresent()) return;
        checkDevices(devices());
    }

    static void checkDevices(List<Device> found) {
        for (Device d : found) {
            if (runnable(d.capability()) == null) {
                throw new ConfigError(unsupported(describe(d)));
            }
        }
    }
}
