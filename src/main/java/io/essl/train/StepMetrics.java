package io.essl.train;

import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The loss parts, rotation accuracy and learning rate of each trained batch, carried to the driver in Spark
 * accumulators.
 * <p>
 * The accumulators travel inside the closure that builds a step's batches, so each task holds a fresh copy that
 * Spark merges when the task ends. {@link StepListener} runs inside DL4J's training, where it cannot be handed
 * objects per task: DL4J's gradient sharing deserialises listeners once per executor JVM and keeps them, and an
 * accumulator only counts in the task that deserialised it. So each copy registers itself under the id of the task
 * that deserialises it, and the listener, which runs in that task's thread under both DL4J strategies (or on a
 * resident network's thread, lent the task's copy for the call), looks it up there. Spark deserialises the whole
 * lineage of a task, closures included, inside the task and before DL4J's code runs, also when the step's batches come from the cache, so a copy captured by the batch-building closure
 * is registered in every training task.
 */
public final class StepMetrics implements Serializable {
    private static final Map<Long, StepMetrics> BY_TASK = new ConcurrentHashMap<>();
    /** A task's copy lent to a thread that works for the task (ResidentPool's training threads). */
    private static final ThreadLocal<StepMetrics> LENT = new ThreadLocal<>();

    private final DoubleAccumulator invariance;
    private final DoubleAccumulator group;
    private final DoubleAccumulator groupAccuracy;
    private final DoubleAccumulator monitorAccuracy;
    private final LongAccumulator monitorBatches;
    private final DoubleAccumulator learningRate;
    private final LongAccumulator batches;
    private final DoubleAccumulator viewSeconds;
    private final DoubleAccumulator trainSeconds;

    public StepMetrics(SparkContext sc) {
        invariance = sc.doubleAccumulator("invariance loss");
        group = sc.doubleAccumulator("group loss");
        groupAccuracy = sc.doubleAccumulator("group accuracy");
        monitorAccuracy = sc.doubleAccumulator("online monitor accuracy");
        monitorBatches = sc.longAccumulator("online monitor batches");
        learningRate = sc.doubleAccumulator("learning rate");
        batches = sc.longAccumulator("batches");
        viewSeconds = sc.doubleAccumulator("seconds making views");
        trainSeconds = sc.doubleAccumulator("seconds training");
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        TaskContext task = TaskContext.get();
        if (task == null) return;
        registerFor(task);
        // The same moment is the one to pin the task's thread to its GPU: DL4J builds the network right after.
        io.essl.spark.GpuAffinity.bindCurrentTask();
    }

    /** Makes this copy the one the task's training reports to, until the task ends. */
    private void registerFor(TaskContext task) {
        long id = task.taskAttemptId();
        BY_TASK.put(id, this);
        task.addTaskCompletionListener((TaskContext t) -> BY_TASK.remove(id));
    }

    /** Runs work on this thread reporting to {@code metrics} (the task's copy; null: nothing is lent). */
    static <T> T reportingTo(StepMetrics metrics, java.util.concurrent.Callable<T> work) throws Exception {
        if (metrics == null) return work.call();
        LENT.set(metrics);
        try {
            return work.call();
        } finally {
            LENT.remove();
        }
    }

    /** The copy registered by the task running on this thread (or lent to it), or null outside a task. */
    static StepMetrics forCurrentTask() {
        StepMetrics lent = LENT.get();
        if (lent != null) return lent;
        TaskContext task = TaskContext.get();
        return task == null ? null : BY_TASK.get(task.taskAttemptId());
    }

    void add(double invarianceLoss, double groupLoss, double accuracy, double monitor, double lr) {
        invariance.add(invarianceLoss);
        group.add(groupLoss);
        groupAccuracy.add(accuracy);
        if (!Double.isNaN(monitor)) {
            monitorAccuracy.add(monitor);
            monitorBatches.add(1);
        }
        learningRate.add(lr);
        batches.add(1);
    }

    /** Task seconds spent making a step's batches (their views), summed over the tasks. */
    void addViewSeconds(double seconds) {
        viewSeconds.add(seconds);
    }

    /** Task seconds spent in the network's fit() (the resident averaging's), summed over the tasks. */
    void addTrainSeconds(double seconds) {
        trainSeconds.add(seconds);
    }

    /**
     * A step's averages over its batches. invariance: the method's loss (SimCLR's contrastive, ...);
     * monitorAccuracy: the online monitor's, NaN without one; viewSeconds: the tasks' seconds making views, summed;
     * trainSeconds: the tasks' seconds in fit(), summed (the resident averaging's; 0 under DL4J's strategies).
     */
    public record Parts(double invariance, double group, double groupAccuracy, double monitorAccuracy, double learningRate,
                        long batches, double viewSeconds, double trainSeconds) {
    }

    /** On the driver, after a step: the step's averages, and a reset for the next. */
    public Parts drain() {
        long n = Math.max(1, batches.value());
        Parts p = new Parts(invariance.value() / n, group.value() / n, groupAccuracy.value() / n,
                monitorBatches.value() == 0 ? Double.NaN : monitorAccuracy.value() / monitorBatches.value(),
                learningRate.value() / n, batches.value(), viewSeconds.value(), trainSeconds.value());
        monitorAccuracy.reset();
        monitorBatches.reset();
        invariance.reset();
        group.reset();
        groupAccuracy.reset();
        learningRate.reset();
        batches.reset();
        viewSeconds.reset();
        trainSeconds.reset();
        return p;
    }
}
