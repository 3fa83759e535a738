package io.essl.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoSerializable;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parameter averaging (train.strategy = averaging) with the workers' networks kept alive in the executor JVMs.
 * <p>
 * DL4J's {@code ParameterAveragingTrainingMaster} runs two Spark jobs per step (a count, then the training) and
 * builds every worker's network anew each step (configuration cloned, parameters copied from the broadcast, fresh
 * workspaces for its first iteration). Here each executor JVM keeps the networks of the current run in a pool, each
 * trained on a thread of its own ({@link ResidentPool}); a step broadcasts the driver's parameters and updater state,
 * each task copies them into a pooled network in place, trains its batches and returns both, and the driver averages
 * them: one Spark job per step. In local mode the tasks run in the driver's JVM, so the state is handed over in
 * memory instead of serialised both ways: the driver reads the trained networks' own arrays ({@link Parked}). The
 * configuration travels once per run, in a broadcast, not in every task's closure. The result is the same synchronous
 * averaging (tested against a plain average of separately trained copies); a lost task is simply re-run, as its start
 * state comes from the broadcast.
 */
public final class ResidentAveraging implements StepTrainer {
    private final JavaSparkContext sc;
    private final ComputationGraph graph;
    private final Broadcast<ComputationGraphConfiguration> conf;
    private final String run = UUID.randomUUID().toString();
    private Round last;
    private int steps;
    /** Set by the driver for the next steps (fine-tuning's schedule); NaN: the configuration's own. */
    private double learningRate = Double.NaN;

    public ResidentAveraging(JavaSparkContext sc, ComputationGraph graph) {
        this.sc = sc;
        this.graph = graph;
        this.conf = sc.broadcast(graph.getConfiguration().clone());
    }

    /** Where the last step's time went, in seconds: driver-side parts, and the workers' parts summed over tasks. */
    public record Round(double broadcast, double job, double average, int workers, int batches, int built,
                        double build, double load, double train, double handBack) {
    }

    @Override
    public void fit(JavaRDD<MultiDataSet> batches) {
        long t0 = System.nanoTime();
        // No copy: the broadcast serialises the state when it is made, and in local mode the tasks only read the
        // driver's arrays, which nothing writes until the job is over.
        State start = State.view(graph);
        start.learningRate = learningRate;
        boolean local = sc.isLocal();
        String run = this.run, step = run + "/" + ++steps;
        Broadcast<State> shipped = local ? null : sc.broadcast(start);
        Parked parked = local ? Parked.open(step, start) : null;
        long t1 = System.nanoTime();
        Broadcast<ComputationGraphConfiguration> conf = this.conf;
        State sum = null;
        try {
            sum = batches.mapPartitionsWithIndex((part, it) -> ResidentPool.train(run, step, conf, shipped, part, it), false)
                    .treeReduce(State::plus, 2);
        } finally {
            if (local) {
                parked.close();
                // a failed step: the networks of its tasks that did finish go back to the pool, their states unread
                if (sum == null) parked.release();
            } else {
                shipped.destroy();
            }
        }
        long t2 = System.nanoTime();
        if (sum.workers > 0) {
            INDArray params = graph.params(), updater = graph.getUpdater().getStateViewArray();
            if (local) {
                parked.sumInto(params, updater);
            } else {
                params.assign(sum.params);
                updater.assign(sum.updater);
            }
            if (sum.workers > 1) { // one worker's state is the average already: no pass over its 2 x 4 bytes a parameter
                params.divi(sum.workers);
                updater.divi(sum.workers);
            }
            graph.getConfiguration().setIterationCount(start.iteration + sum.batches / sum.workers);
        }
        long t3 = System.nanoTime();
        last = new Round((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, sum.workers, sum.batches,
                sum.built, sum.buildSeconds, sum.loadSeconds, sum.trainSeconds, sum.handBackSeconds);
    }

    /**
     * The learning rate of every layer from the next step on, on the driver's network and on the workers' (the
     * pooled networks keep their configuration across steps, so it travels with the state).
     */
    public void setLearningRate(double lr) {
        learningRate = lr;
        graph.setLearningRate(lr);
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
        ResidentPool.drop(run);
        if (!sc.sc().isStopped()) conf.destroy();
    }

    /**
     * Parameters and updater state: the start of a step (with the driver's iteration and epoch counts, which Adam's
     * bias correction and the schedules read), then a sum over the workers that trained. Serialised (Java or Kryo),
     * the arrays travel as raw float bytes streamed from ND4J's memory ({@link FloatStreams}): both serialisers write
     * a float[] one element at a time. A task of local mode returns its counts only, its network parked in the JVM
     * ({@link Parked}).
     */
    static final class State implements Serializable, KryoSerializable {
        transient INDArray params, updater;
        int iteration, epoch, workers, batches, built;
        double buildSeconds, loadSeconds, trainSeconds, handBackSeconds;
        /** The learning rate the driver set for this step (NaN: none). */
        double learningRate = Double.NaN;

        State() {
        }

        /** A copy of the network's state (a pooled network trains on after its task has handed this over). */
        static State of(ComputationGraph g) {
            State s = view(g);
            s.params = s.params.dup();
            s.updater = s.updater.dup();
            return s;
        }

        /** The network's own arrays, not copied. */
        static State view(ComputationGraph g) {
            State s = new State();
            s.params = g.params();
            s.updater = g.getUpdater().getStateViewArray();
            s.iteration = g.getConfiguration().getIterationCount();
            s.epoch = g.getConfiguration().getEpochCount();
            return s;
        }

        /** This state's counts and timings without its arrays. */
        State counts() {
            State s = new State();
            s.plus(this);
            s.params = s.updater = null;
            return s;
        }

        /** Adds {@code o} into this (Spark's reduce hands each result over once). */
        State plus(State o) {
            if (o.workers == 0) return this;
            addArrays(o);
            workers += o.workers;
            batches += o.batches;
            built += o.built;
            buildSeconds += o.buildSeconds;
            loadSeconds += o.loadSeconds;
            trainSeconds += o.trainSeconds;
            handBackSeconds += o.handBackSeconds;
            return this;
        }

        /** Adds o's arrays into this one's (takes them when this has none; a counts-only state adds nothing). */
        void addArrays(State o) {
            if (o.params == null) return;
            if (params == null) {
                params = o.params;
                updater = o.updater;
            } else {
                params.addi(o.params);
                updater.addi(o.updater);
            }
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            for (INDArray a : new INDArray[]{params, updater}) {
                out.writeLong(a == null ? -1 : a.length());
                if (a != null) FloatStreams.write(a, out::write);
            }
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            long n = in.readLong();
            params = n < 0 ? null : FloatStreams.read(n, in::readFully);
            n = in.readLong();
            updater = n < 0 ? null : FloatStreams.read(n, in::readFully);
        }

        @Override
        public void write(Kryo kryo, Output out) {
            int[] ints = {iteration, epoch, workers, batches, built};
            out.writeInts(ints);
            out.writeDoubles(new double[]{buildSeconds, loadSeconds, trainSeconds, handBackSeconds, learningRate});
            try {
                for (INDArray a : new INDArray[]{params, updater}) {
                    out.writeLong(a == null ? -1 : a.length());
                    if (a != null) FloatStreams.write(a, out::writeBytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e); // Kryo's Output throws its own unchecked exceptions
            }
        }

        @Override
        public void read(Kryo kryo, Input in) {
            int[] ints = in.readInts(5);
            iteration = ints[0];
            epoch = ints[1];
            workers = ints[2];
            batches = ints[3];
            built = ints[4];
            double[] d = in.readDoubles(5);
            buildSeconds = d[0];
            loadSeconds = d[1];
            trainSeconds = d[2];
            handBackSeconds = d[3];
            learningRate = d[4];
            try {
                long n = in.readLong();
                params = n < 0 ? null : FloatStreams.read(n, in::readBytes);
                n = in.readLong();
                updater = n < 0 ? null : FloatStreams.read(n, in::readBytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Local mode's hand-over of one step: the tasks run in the driver's JVM, so the step's start state and each
     * task's trained network stay in memory here instead of being serialised through a broadcast and Spark's task
     * results. A parked network is out of its pool until the driver has summed its arrays (in partition order:
     * deterministic), so no other task trains it meanwhile; once the step has ended, a late task (of a failed step,
     * finishing after the driver gave up on it) gives its network straight back.
     */
    static final class Parked {
        private static final Map<String, Parked> STEPS = new ConcurrentHashMap<>();
        private final String step;
        final State start;
        private final Map<Integer, Parcel> results = new TreeMap<>();
        private boolean closed;

        /** A task's state (the network's own arrays), the network, and the pool it goes back to. */
        private record Parcel(State state, ResidentPool.Resident network, Deque<ResidentPool.Resident> pool) {
            void release() {
                pool.addFirst(network);
            }
        }

        private Parked(String step, State start) {
            this.step = step;
            this.start = start;
        }

        static Parked open(String step, State start) {
            Parked p = new Parked(step, start);
            STEPS.put(step, p);
            return p;
        }

        /** The step's hand-over, for its tasks (null once it has ended). */
        static Parked of(String step) {
            return STEPS.get(step);
        }

        /** Parks a task's result; a re-run attempt's replaces its partition's earlier one, whose network goes back. */
        synchronized void put(int partition, State s, ResidentPool.Resident network, Deque<ResidentPool.Resident> pool) {
            Parcel parcel = new Parcel(s, network, pool);
            if (closed) {
                parcel.release();
                return;
            }
            Parcel earlier = results.put(partition, parcel);
            if (earlier != null) earlier.release();
        }

        /** The step is over: nothing parks any more. */
        synchronized void close() {
            closed = true;
            STEPS.remove(step);
        }

        /**
         * Writes the sum of the parked states into {@code params} and {@code updater} (the first assigned, the others
         * added, in partition order) and gives their networks back to their pools.
         */
        synchronized void sumInto(INDArray params, INDArray updater) {
            boolean first = true;
            for (Parcel p : results.values()) {
                if (first) {
                    params.assign(p.state.params);
                    updater.assign(p.state.updater);
                } else {
                    params.addi(p.state.params);
                    updater.addi(p.state.updater);
                }
                first = false;
            }
            release();
        }

        /** Gives the parked networks back to their pools (their states unread, if not summed). */
        synchronized void release() {
            results.values().forEach(Parcel::release);
            results.clear();
        }
    }
}
