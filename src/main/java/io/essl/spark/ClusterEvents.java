package io.essl.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the cluster did under a job, for its report: the executors that ran tasks, the executors lost, and what
 * Spark recomputed: failed task attempts by reason, stage re-attempts, shuffle outputs computed again (a
 * shuffle's map stage run a second time, with the tasks it took: the partitions a lost executor held), and cached
 * blocks computed again (stored by another executor than the one that first held them: a lost executor's cache;
 * the epoch's block order reads the cached images, and a lost block is read again from the source).
 */
public final class ClusterEvents extends SparkListener {
    private final Set<String> executors = new ConcurrentSkipListSet<>();
    private final Map<String, String> lost = new ConcurrentHashMap<>();
    private final Map<String, Integer> failedTasks = new ConcurrentHashMap<>();
    private final AtomicInteger stageRetries = new AtomicInteger();
    private final Set<Object> shufflesDone = new ConcurrentSkipListSet<>();
    private final AtomicInteger shuffleRecomputes = new AtomicInteger();
    private final AtomicInteger shuffleRecomputeTasks = new AtomicInteger();
    /** Where each cached RDD block was first stored (a block spilled to disk stays with its executor). */
    private final Map<String, String> cachedBlocks = new ConcurrentHashMap<>();
    private final AtomicInteger cachedRecomputes = new AtomicInteger();

    public static ClusterEvents attach(SparkContext sc) {
        ClusterEvents e = new ClusterEvents();
        sc.addSparkListener(e);
        return e;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        executors.add(end.taskInfo().executorId());
        if (end.taskInfo().failed() || end.taskInfo().killed()) {
            String reason = end.reason().getClass().getSimpleName().replace("$", "");
            failedTasks.merge(reason, 1, Integer::sum);
        }
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
        lost.put(removed.executorId(), removed.reason());
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted completed) {
        if (completed.stageInfo().attemptNumber() > 0) stageRetries.incrementAndGet();
        if (completed.stageInfo().failureReason().isDefined()) return;
        scala.Option<Object> shuffle = completed.stageInfo().shuffleDepId();
        if (shuffle.isDefined() && !shufflesDone.add(shuffle.get())) {
            shuffleRecomputes.incrementAndGet();
            shuffleRecomputeTasks.addAndGet(completed.stageInfo().numTasks());
        }
    }

    @Override
    public void onBlockUpdated(SparkListenerBlockUpdated updated) {
        var info = updated.blockUpdatedInfo();
        if (!info.blockId().isRDD() || !info.storageLevel().isValid()) return;
        String first = cachedBlocks.putIfAbsent(info.blockId().name(), info.blockManagerId().executorId());
        if (first != null && !first.equals(info.blockManagerId().executorId())) {
            cachedBlocks.put(info.blockId().name(), info.blockManagerId().executorId());
            cachedRecomputes.incrementAndGet();
        }
    }

    /** For the report: spark.* keys. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new TreeMap<>();
        m.put("executors_used", executors.size());
        m.put("executors_lost", new TreeMap<>(lost));
        m.put("failed_tasks", new TreeMap<>(failedTasks));
        m.put("failed_task_attempts", failedTasks.values().stream().mapToInt(Integer::intValue).sum());
        m.put("stage_reattempts", stageRetries.get());
        m.put("shuffle_stages_recomputed", shuffleRecomputes.get());
        m.put("shuffle_tasks_recomputed", shuffleRecomputeTasks.get());
        m.put("cached_blocks_recomputed", cachedRecomputes.get());
        return m;
    }
}
