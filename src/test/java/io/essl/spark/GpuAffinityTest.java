package io.essl.spark;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One training worker per GPU slot when Spark schedules tasks on GPUs. */
class GpuAffinityTest {
    private static SparkConf conf(String executorGpus, String taskGpus) {
        SparkConf c = new SparkConf(false);
        if (executorGpus != null) c.set("spark.executor.resource.gpu.amount", executorGpus);
        if (taskGpus != null) c.set("spark.task.resource.gpu.amount", taskGpus);
        return c;
    }

    @Test
    void slotsFollowTheResourceSettings() {
        assertEquals(0, GpuAffinity.gpuSlots(conf(null, null), 4), "not GPU-scheduled");
        assertEquals(0, GpuAffinity.gpuSlots(conf("4", null), 4), "executors have GPUs but tasks ask for none");
        assertEquals(16, GpuAffinity.gpuSlots(conf("4", "1"), 4), "4 executors x 4 GPUs");
        assertEquals(8, GpuAffinity.gpuSlots(conf("4", "2"), 4), "two GPUs per task");
        assertEquals(8, GpuAffinity.gpuSlots(conf("1", "0.25"), 2), "four tasks share each GPU");
        assertEquals(1, GpuAffinity.gpuSlots(conf("1", "1"), 0), "no executor registered yet: at least one");
    }
}
