package io.essl.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Parameter averaging (train.strategy = averaging) with the workers' networks kept alive in the executor JVMs.
 * <p>
 * DL4J's {@code ParameterAveragingTrainingMaster} runs two Spark jobs per step (a count, then the training) and
 * builds every worker's network anew each step (configuration cloned, parameters copied from the broadcast, fresh
 * workspaces for its first iteration): 1.1-1.6 s per step measured (docs/scaling.md). Here each executor JVM keeps
 * the networks of the current run in a pool; a step broadcasts the driver's parameters and updater state, each
 * task copies them into a pooled network in place, trains its batches and returns both, and the driver averages
 * them: one Spark job per step. The result is the same synchronous averaging (tested against a plain average of
 * separately trained copies); a lost task is simply re-run, as its start state comes from the broadcast.
 */
public final class ResidentAveraging implements StepTrainer {
    private final JavaSparkContext sc;
    private final ComputationGraph graph;
    private final ComputationGraphConfiguration conf;
    private final String run = UUID.randomUUID().toString();
    private Round last;

    public ResidentAveraging(JavaSparkContext sc, ComputationGraph graph) {
        this.sc = sc;
        this.graph = graph;
        this.conf = graph.getConfiguration().clone();
    }

    /** Where the last step's time went, in seconds: driver-side parts, and the workers' parts summed over tasks. */
    public record Round(double broadcast, double job, double average, int workers, int batches, int built,
                        double build, double load, double train) {
    }

    @Override
    public void fit(JavaRDD<MultiDataSet> batches) {
        long t0 = System.nanoTime();
        Broadcast<State> start = sc.broadcast(State.of(graph, 0));
        long t1 = System.nanoTime();
        String run = this.run;
        ComputationGraphConfiguration conf = this.conf;
        State sum = batches.mapPartitions(it -> Pool.train(run, conf, start.value(), it)).treeReduce(State::plus, 2);
        long t2 = System.nanoTime();
        int startIteration = graph.getConfiguration().getIterationCount();
        start.destroy();
        if (sum.workers > 0) {
            graph.params().assign(State.array(sum.params).divi(sum.workers));
            graph.getUpdater().getStateViewArray().assign(State.array(sum.updater).divi(sum.workers));
            graph.getConfiguration().setIterationCount(startIteration + sum.batches / sum.workers);
        }
        long t3 = System.nanoTime();
        last = new Round((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, sum.workers, sum.batches,
                sum.built, sum.buildSeconds, sum.loadSeconds, sum.trainSeconds);
    }

    /** The last step's timings (null before the first). */
    public Round lastRound() {
        return last;
    }

    @Override
    public ComputationGraph network() {
        return graph;
    }

    /** Frees this run's networks in this JVM (local mode); executors free them when the next run starts. */
    @Override
    public void close() {
        Pool.NETWORKS.remove(run);
    }

    /**
     * Parameters and updater state: the broadcast start of a step (with the driver's iteration and epoch counts,
     * which Adam's bias correction and the schedules read), then a sum over the workers that trained. The arrays
     * travel as bytes (floats, little-endian): Spark's serialisers copy a byte[] in bulk but write a float[] one
     * element at a time, which cost about 1 s per 77 MB task result (docs/scaling.md).
     */
    static final class State implements Serializable {
        final byte[] params;
        final byte[] updater;
        int iteration, epoch;
        int workers, batches, built;
        double buildSeconds, loadSeconds, trainSeconds;

        private State(byte[] params, byte[] updater, int workers) {
            this.params = params;
            this.updater = updater;
            this.workers = workers;
        }

        static State of(ComputationGraph g, int workers) {
            State s = new State(bytes(g.params()), bytes(g.getUpdater().getStateViewArray()), workers);
            s.iteration = g.getConfiguration().getIterationCount();
            s.epoch = g.getConfiguration().getEpochCount();
            return s;
        }

        /** Adds {@code o} into this (Spark's reduce hands each result over once). */
        State plus(State o) {
            if (o.workers == 0) return this;
            if (workers == 0) return o;
            add(params, o.params);
            add(updater, o.updater);
            workers += o.workers;
            batches += o.batches;
            built += o.built;
            buildSeconds += o.buildSeconds;
            loadSeconds += o.loadSeconds;
            trainSeconds += o.trainSeconds;
            return this;
        }

        static byte[] bytes(INDArray a) {
            byte[] b = new byte[4 * (int) a.length()];
            floats(b).put(a.toFloatVector());
            return b;
        }

        static INDArray array(byte[] b) {
            float[] f = new float[b.length / 4];
            floats(b).get(f);
            return Nd4j.createFromArray(f);
        }

        private static FloatBuffer floats(byte[] b) {
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        }

        private static void add(byte[] into, byte[] other) {
            FloatBuffer a = floats(into), b = floats(other);
            for (int i = 0; i < a.limit(); i++) a.put(i, a.get(i) + b.get(i));
        }
    }

    /**
     * The networks of the current run in this JVM, one per concurrent task. A task takes one (building it when
     * none is free), and gives it back when done; a new run's first task drops the networks of earlier runs.
     */
    static final class Pool {
        static final Map<String, ConcurrentLinkedDeque<ComputationGraph>> NETWORKS = new ConcurrentHashMap<>();

        private Pool() {
        }

        static Iterator<State> train(String run, ComputationGraphConfiguration conf, State start, Iterator<MultiDataSet> batches) {
            if (!batches.hasNext()) return Collections.singletonList(new State(null, null, 0)).iterator();
            if (!NETWORKS.containsKey(run)) NETWORKS.keySet().removeIf(k -> !k.equals(run));
            ConcurrentLinkedDeque<ComputationGraph> free = NETWORKS.computeIfAbsent(run, k -> new ConcurrentLinkedDeque<>());
            long t0 = System.nanoTime();
            ComputationGraph g = free.pollFirst();
            boolean build = g == null;
            if (build) {
                g = new ComputationGraph(conf.clone());
                g.init();
                g.setListeners(new StepListener());
            }
            long t1 = System.nanoTime();
            try {
                g.params().assign(State.array(start.params));
                g.getUpdater().getStateViewArray().assign(State.array(start.updater));
                g.getConfiguration().setIterationCount(start.iteration); // a pretraining batch's own position overrides
                g.getConfiguration().setEpochCount(start.epoch);         // these (StepListener)
                long t2 = System.nanoTime();
                int n = 0;
                while (batches.hasNext()) {
                    g.fit(batches.next());
                    n++;
                }
                State out = State.of(g, 1);
                out.batches = n;
                out.built = build ? 1 : 0;
                out.buildSeconds = (t1 - t0) / 1e9;
                out.loadSeconds = (t2 - t1) / 1e9;
                out.trainSeconds = (System.nanoTime() - t2) / 1e9;
                return Collections.singletonList(out).iterator();
            } finally {
                free.addFirst(g);
            }
        }
    }
}
