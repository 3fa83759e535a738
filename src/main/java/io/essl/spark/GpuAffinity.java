package io.essl.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training worker per GPU. With {@code spark.task.resource.gpu.amount} set, Spark runs as many training tasks
 * at once on an executor as it has GPU slots and hands each task its GPU addresses; ND4J's CUDA backend must then
 * run the task's thread on that device, not on device 0.
 */
public final class GpuAffinity {
    private static final Logger log = LoggerFactory.getLogger(GpuAffinity.class);

    private GpuAffinity() {
    }

    /** In a task: binds this thread's ND4J device to the task's first GPU address (no-op without one). */
    public static void bindCurrentTask() {
        CudaSupport.checkBeforeTraining(); // before ND4J starts: a card the CUDA build cannot run fails in one line
        TaskContext task = TaskContext.get();
        if (task == null) return;
        ResourceInformation gpu = task.resources().get("gpu").getOrElse(() -> null);
        if (gpu == null || gpu.addresses().length == 0) return;
        int device = Integer.parseInt(gpu.addresses()[0].trim());
        if (device >= Nd4j.getAffinityManager().getNumberOfDevices()) {
            throw new IllegalStateException("Spark assigned GPU " + device + " but ND4J sees "
                    + Nd4j.getAffinityManager().getNumberOfDevices() + " device(s): check the discovery script and "
                    + "CUDA_VISIBLE_DEVICES");
        }
        Nd4j.getAffinityManager().unsafeSetDevice(device);
        log.debug("task {} runs on GPU {}", task.taskAttemptId(), device);
    }

    /**
     * Training workers for {@code executors} executors: the GPU slots when tasks request GPUs (executor GPUs /
     * task GPUs per executor), else 0 (not GPU-scheduled).
     */
    public static int gpuSlots(SparkConf conf, int executors) {
        double perTask = conf.getDouble("spark.task.resource.gpu.amount", 0);
        if (perTask <= 0) return 0;
        double perExecutor = conf.getDouble("spark.executor.resource.gpu.amount", 0);
        if (perExecutor <= 0) perExecutor = conf.getDouble("spark.worker.resource.gpu.amount", 1);
        return Math.max(1, executors) * Math.max(1, (int) Math.floor(perExecutor / perTask + 1e-9));
    }
}
