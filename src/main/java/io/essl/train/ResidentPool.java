package io.essl.train;

import io.essl.train.ResidentAveraging.Parked;
import io.essl.train.ResidentAveraging.State;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The resident averaging's networks of the current run in this JVM, one per concurrent task and device, each with a
 * training thread of its own. A task takes a free one (building it when none is free) and gives it back when done;
 * a new run's first task drops the networks of earlier runs.
 * <p>
 * Why a thread per network: ND4J's workspaces belong to a thread, and Spark runs a task on whichever of its pool
 * threads is free (and lets idle ones die after 60 s), so a network trained on the task's own thread paid a fresh
 * set of workspaces (measured: 5.9 s more for its fit at width 16) on every task thread it met. Everything that
 * touches a network runs on its thread, in order; the task's thread only pulls the batches (Spark's iterators read
 * cached blocks under the task's own context) and waits.
 */
final class ResidentPool {
    static final Map<String, ConcurrentLinkedDeque<Resident>> NETWORKS = new ConcurrentHashMap<>();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private ResidentPool() {
    }

    /** A pooled network and the one thread that runs it. */
    static final class Resident {
        final ComputationGraph graph;
        private final ExecutorService thread;

        Resident(ComputationGraphConfiguration conf, int device) {
            thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "essl-resident-" + THREADS.incrementAndGet());
                t.setDaemon(true); // a network left in the pool never holds the JVM open
                return t;
            });
            graph = on(() -> {
                // a task's thread is pinned to its GPU (GpuAffinity): its network and that network's thread live there
                if (Nd4j.getAffinityManager().getNumberOfDevices() > 1) Nd4j.getAffinityManager().unsafeSetDevice(device);
                ComputationGraph g = new ComputationGraph(conf.clone());
                g.init();
                g.setListeners(new StepListener());
                return g;
            });
        }

        /**
         * Runs work on this network's thread, reporting to the calling task's step metrics, and waits for it; its
         * exception is rethrown as it was.
         */
        <T> T on(Callable<T> work) {
            StepMetrics metrics = StepMetrics.forCurrentTask(); // the listener reports to the calling task's copy
            try {
                return thread.submit(() -> StepMetrics.reportingTo(metrics, work)).get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) throw re;
                if (cause instanceof Error err) throw err;
                throw new IllegalStateException(cause);
            } catch (InterruptedException e) {
                // the task was killed: work already queued still runs before any later task's, so nothing interleaves
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the network trained", e);
            }
        }

        void close() {
            thread.shutdown();
        }
    }

    /** Frees a run's networks and their threads in this JVM. */
    static void drop(String run) {
        dropWhere(key -> key.startsWith(run + "#"));
    }

    /** Frees the networks, and their threads, of the pools whose key (run#device) matches. */
    private static void dropWhere(java.util.function.Predicate<String> key) {
        NETWORKS.entrySet().removeIf(e -> {
            if (!key.test(e.getKey())) return false;
            e.getValue().forEach(Resident::close);
            return true;
        });
    }

    /**
     * One task of a step: the start state copied into a pooled network, its batches trained in order, the network's
     * state handed back: on a cluster a copy, as the task's result; in local mode the network itself, parked in this
     * JVM and out of the pool until the driver has read its arrays (no 2 x 4 bytes a parameter copied here).
     */
    static Iterator<State> train(String run, String step, Broadcast<ComputationGraphConfiguration> conf,
                                 Broadcast<State> shipped, int partition, Iterator<MultiDataSet> batches) {
        if (!batches.hasNext()) return Collections.singletonList(new State()).iterator();
        Parked parked = shipped != null ? null : Parked.of(step);
        if (shipped == null && parked == null) throw new IllegalStateException("step " + step + " has ended");
        State start = shipped != null ? shipped.value() : parked.start;
        int device = Nd4j.getAffinityManager().getDeviceForCurrentThread();
        String key = run + "#" + device;
        if (!NETWORKS.containsKey(key)) dropWhere(k -> !k.startsWith(run + "#")); // earlier runs' networks
        ConcurrentLinkedDeque<Resident> free = NETWORKS.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        long t0 = System.nanoTime();
        Resident r = free.pollFirst();
        boolean build = r == null;
        if (build) r = new Resident(conf.value(), device);
        long t1 = System.nanoTime();
        boolean handedOver = false;
        try {
            ComputationGraph g = r.graph;
            r.on(() -> {
                g.params().assign(start.params);
                g.getUpdater().getStateViewArray().assign(start.updater);
                g.getConfiguration().setIterationCount(start.iteration); // a pretraining batch's own position overrides
                g.getConfiguration().setEpochCount(start.epoch);         // these (StepListener)
                if (!Double.isNaN(start.learningRate)) g.setLearningRate(start.learningRate);
                return null;
            });
            long t2 = System.nanoTime();
            int n = 0;
            while (batches.hasNext()) {
                MultiDataSet b = batches.next();
                r.on(() -> {
                    g.fit(b);
                    return null;
                });
                n++;
            }
            long t3 = System.nanoTime();
            StepMetrics metrics = StepMetrics.forCurrentTask();
            if (metrics != null) metrics.addTrainSeconds((t3 - t2) / 1e9);
            // the copy runs on the network's thread: it is the only one that touches the network while in the pool
            State out = shipped != null ? r.on(() -> State.of(g)) : State.view(g);
            out.workers = 1;
            out.batches = n;
            out.built = build ? 1 : 0;
            out.buildSeconds = (t1 - t0) / 1e9;
            out.loadSeconds = (t2 - t1) / 1e9;
            out.trainSeconds = (t3 - t2) / 1e9;
            out.handBackSeconds = (System.nanoTime() - t3) / 1e9;
            if (shipped != null) return Collections.singletonList(out).iterator();
            parked.put(partition, out, r, free);
            handedOver = true;
            return Collections.singletonList(out.counts()).iterator();
        } finally {
            if (!handedOver) free.addFirst(r);
        }
    }
}
