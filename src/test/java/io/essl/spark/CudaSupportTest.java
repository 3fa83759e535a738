package io.essl.spark;

import io.essl.config.ConfigError;
import io.essl.spark.CudaSupport.Capability;
import io.essl.spark.CudaSupport.Device;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which cards ND4J's CUDA build runs on: machine code of the same major and no higher minor, no PTX to fall back on. */
class CudaSupportTest {
    private static Capability cc(String s) {
        return Capability.parse(s);
    }

    @Test
    void aCardRunsTheNewestMachineCodeOfItsMajorNotAbove() {
        assertEquals(cc("8.0"), CudaSupport.runnable(cc("8.0")), "A100: its own code");
        assertEquals(cc("8.6"), CudaSupport.runnable(cc("8.6")), "A10G");
        assertEquals(cc("8.6"), CudaSupport.runnable(cc("8.9")), "L4 runs the 8.6 code (same major, higher minor)");
        assertEquals(cc("7.5"), CudaSupport.runnable(cc("7.5")), "T4");
        assertEquals(cc("7.0"), CudaSupport.runnable(cc("7.0")), "V100");
        assertNull(CudaSupport.runnable(cc("9.0")), "H100/H200: no 9.x code and no PTX");
        assertNull(CudaSupport.runnable(cc("10.0")), "a later major");
        assertNull(CudaSupport.runnable(cc("3.5")), "below the oldest code of major 3");
    }

    @Test
    void theRefusalIsOneLineNamingTheCardAndWhatIsSupported() {
        ConfigError e = assertThrows(ConfigError.class, () -> CudaSupport.checkDevices(List.of(
                new Device(0, "NVIDIA A100-SXM4-80GB", cc("8.0")), new Device(1, "NVIDIA H200", cc("9.0")))));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().startsWith("GPU 1 (NVIDIA H200, compute capability 9.0) cannot run"), e.getMessage());
        for (Capability c : CudaSupport.MACHINE_CODE) assertTrue(e.getMessage().contains(c.toString()), c + " in " + e.getMessage());
        assertTrue(e.getMessage().contains("no PTX"));
        CudaSupport.checkDevices(List.of(new Device(0, "Tesla T4", cc("7.5")))); // a supported card passes
    }

    @Test
    void nvidiaSmiCsvIsParsedAndLinesWithoutACapabilitySkipped() {
        String csv = "0, NVIDIA H200, 9.0\n1, NVIDIA A10G, 8.6\n2, Tesla K80, [N/A]\nNo devices were found\n";
        assertEquals(List.of(new Device(0, "NVIDIA H200", cc("9.0")), new Device(1, "NVIDIA A10G", cc("8.6"))),
                CudaSupport.parseDevices(csv));
        assertEquals(List.of(), CudaSupport.parseDevices(""));
    }

    @Test
    void aMalformedCapabilityIsAConfigError() {
        for (String bad : List.of("9", "nine", "9.0.1", "")) assertThrows(ConfigError.class, () -> cc(bad), bad);
    }

    @Test
    void theCpuBuildHasNoCudaBackendAndPassesTheCheck() {
        assertFalse(CudaSupport.cudaBackendPresent());
        CudaSupport.checkBeforeTraining();
    }
}
