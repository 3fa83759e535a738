package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.spark.CudaSupport;
import io.essl.spark.CudaSupport.Capability;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code essl gpu-check}: what ND4J's CUDA build can run on, for a given compute capability or for the GPUs of this
 * machine (nvidia-smi), without starting ND4J. Exit 0 when it can run, 2 with one line naming what is supported.
 */
@Command(name = "gpu-check", mixinStandardHelpOptions = true,
        description = "Can ND4J's CUDA 11.6 build run on this GPU (or on --capability X.Y)? Exit 0 yes, 2 no (one line saying what is supported).")
public class GpuCheckCommand implements Callable<Integer> {
    @Option(names = "--capability", paramLabel = "X.Y", description = "A compute capability to check instead of this machine's GPUs, e.g. 9.0.")
    String capability;

    @Override
    public Integer call() {
        List<CudaSupport.Device> devices = capability != null
                ? List.of(new CudaSupport.Device(-1, "compute capability " + capability, Capability.parse(capability)))
                : CudaSupport.devices();
        System.out.println("backend of this build: " + (CudaSupport.cudaBackendPresent()
                ? "ND4J CUDA 11.6 (1.0.0-M2.1)" : "ND4J CPU (nd4j-native, oneDNN); build with -Pcuda for GPUs"));
        System.out.println("ND4J's CUDA 11.6 build has machine code for compute capability " + CudaSupport.MACHINE_CODE
                + " and no PTX");
        if (devices.isEmpty()) System.out.println("no NVIDIA GPU found (nvidia-smi missing, or no device listed)");
        String failure = null;
        for (CudaSupport.Device d : devices) {
            String what = d.index() < 0 ? "compute capability " + d.capability() : CudaSupport.describe(d);
            Capability code = CudaSupport.runnable(d.capability());
            if (code == null) {
                if (failure == null) failure = CudaSupport.unsupported(what);
            } else {
                System.out.println(what + ": runs (machine code " + code + ")");
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("cuda_backend", CudaSupport.cudaBackendPresent());
        json.put("machine_code", CudaSupport.MACHINE_CODE.stream().map(Capability::toString).toList());
        json.put("devices", devices.stream().map(d -> Map.of("index", d.index(), "name", d.name(),
                "capability", d.capability().toString(), "runs", CudaSupport.runnable(d.capability()) != null)).toList());
        System.out.println(io.essl.report.Report.line(json));
        if (failure != null) throw new ConfigError(failure);
        return Main.OK;
    }
}
