package io.essl.train;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resident-network averaging against its definition: after each step, the driver's parameters and Adam state
 * are the mean of those of copies of the step's start (iteration count included: Adam's bias correction reads it)
 * that each trained one partition's batches; the networks
 * built in the first step are reused (not rebuilt) in the next, and what they held before does not leak in.
 */
class ResidentAveragingTest {
    private static JavaSparkContext sc;

    @BeforeAll
    static void up() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("resident-averaging")
                .set("spark.ui.enabled", "false"));
    }

    @AfterAll
    static void down() {
        sc.stop();
    }

    private static ComputationGraph network() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(0.05))
                .dataType(DataType.FLOAT).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(6).nOut(8).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static MultiDataSet batch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 6);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 5, 3);
        for (int i = 0; i < 5; i++) y.putScalar(i, (int) (seed + i) % 3, 1);
        return new org.nd4j.linalg.dataset.MultiDataSet(x, y);
    }

    /** What one step should give: each partition's batches trained by its own copy of {@code start}, then the mean. */
    private static INDArray[] reference(ComputationGraph start, List<List<MultiDataSet>> partitions) {
        INDArray params = Nd4j.zeros(DataType.FLOAT, start.numParams());
        INDArray updater = Nd4j.zeros(DataType.FLOAT, start.getUpdater().getStateViewArray().length());
        for (List<MultiDataSet> part : partitions) {
            ComputationGraph copy = new ComputationGraph(start.getConfiguration().clone());
            copy.init();
            copy.params().assign(start.params());
            copy.getUpdater().getStateViewArray().assign(start.getUpdater().getStateViewArray());
            copy.getConfiguration().setIterationCount(start.getConfiguration().getIterationCount()); // Adam's bias
            copy.getConfiguration().setEpochCount(start.getConfiguration().getEpochCount());         // correction
            for (MultiDataSet b : part) copy.fit(b);
            params.addi(copy.params());
            updater.addi(copy.getUpdater().getStateViewArray());
        }
        return new INDArray[]{params.divi(partitions.size()), updater.divi(partitions.size())};
    }

    @Test
    void eachStepIsTheMeanOfCopiesThatTrainedEachPartition() throws InterruptedException {
        ComputationGraph graph = network();
        ComputationGraph mirror = network(); // the reference's own start state, stepped alongside
        try (ResidentAveraging trainer = new ResidentAveraging(sc, graph)) {
            long seed = 1;
            int built = 0;
            for (int step = 1; step <= 3; step++) {
                List<List<MultiDataSet>> parts = List.of(List.of(batch(seed++), batch(seed++)), List.of(batch(seed++), batch(seed++)));
                List<MultiDataSet> all = new ArrayList<>();
                parts.forEach(all::addAll);
                JavaRDD<MultiDataSet> rdd = sc.parallelize(all, 2); // two batches per partition, in order
                INDArray before = graph.params().dup();
                trainer.fit(rdd);
                INDArray[] want = reference(mirror, parts);
                mirror.params().assign(want[0]);
                mirror.getUpdater().getStateViewArray().assign(want[1]);
                mirror.getConfiguration().setIterationCount(2 * step); // two batches per worker and step

                assertTrue(graph.params().sub(before).norm2Number().doubleValue() > 1e-3, "step " + step + " trained");
                assertEquals(0, graph.params().sub(want[0]).amaxNumber().doubleValue(), 1e-6, "parameters, step " + step);
                assertEquals(0, graph.getUpdater().getStateViewArray().sub(want[1]).amaxNumber().doubleValue(), 1e-6,
                        "Adam's state, step " + step);
                ResidentAveraging.Round r = trainer.lastRound();
                assertEquals(2 * step, graph.getConfiguration().getIterationCount(), "the driver counts the step's iterations");
                assertEquals(2, r.workers());
                assertEquals(4, r.batches());
                built += r.built();
            }
            // in local mode a trained network stays out of the pool until the driver has read it: one per partition,
            // built in the first step and reused in the next two
            assertEquals(2, built, "networks built");
            assertEquals(2, ResidentPool.NETWORKS.values().iterator().next().size(), "both back in the pool");

            // a step whose second task fails: the first task's network goes back to the pool unread
            List<MultiDataSet> two = List.of(batch(seed++), batch(seed++));
            INDArray before = graph.params().dup();
            JavaRDD<MultiDataSet> failing = sc.parallelize(two, 2).mapPartitionsWithIndex((part, it) -> {
                if (part == 1) throw new IllegalStateException("a task that fails");
                return it;
            }, false);
            assertThrows(Exception.class, () -> trainer.fit(failing));
            assertEquals(before, graph.params(), "a failed step leaves the driver's state as it was");
            // the first task may still be training when the job fails: its network goes back when it ends
            var pool = ResidentPool.NETWORKS.values().iterator().next();
            for (long until = System.nanoTime() + 20_000_000_000L; pool.size() < 2 && System.nanoTime() < until; ) {
                Thread.sleep(10);
            }
            assertEquals(2, pool.size(), "no network lost to the failed step");
        }
        assertTrue(ResidentPool.NETWORKS.isEmpty(), "closing frees the run's networks in this JVM");
    }

    /** On a cluster the state is a broadcast and a task result: Java's and Kryo's serialisers give it back exactly. */
    @Test
    void theStateSurvivesJavaAndKryoSerialisation() {
        ComputationGraph g = network();
        g.fit(batch(3)); // a non-zero updater state
        ResidentAveraging.State s = ResidentAveraging.State.of(g);
        s.workers = 1;
        s.batches = 3;
        s.handBackSeconds = 0.5;
        s.trainSeconds = 0.25;
        s.learningRate = 0.125; // fine-tuning's schedule, set by the driver
        for (ResidentAveraging.State back : roundTrips(s)) {
            assertEquals(s.params, back.params);
            assertEquals(s.updater, back.updater);
            assertTrue(s.updater.norm2Number().doubleValue() > 0);
            assertEquals(List.of(1, 3, 0.25, 0.5, 0.125),
                    List.of(back.workers, back.batches, back.trainSeconds, back.handBackSeconds, back.learningRate));
        }
        // arrays over one 1 MB piece, and a view into a larger buffer (streamed through a contiguous copy)
        ResidentAveraging.State big = new ResidentAveraging.State();
        big.params = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 700_001);
        big.updater = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 1000).getRow(1);
        for (ResidentAveraging.State back : roundTrips(big)) {
            assertEquals(big.params, back.params);
            assertEquals(big.updater, back.updater);
        }
    }

    /** The state through Java's serialiser, then through Kryo's. */
    private static List<ResidentAveraging.State> roundTrips(ResidentAveraging.State s) {
        SparkConf conf = new SparkConf();
        List<ResidentAveraging.State> back = new ArrayList<>();
        for (org.apache.spark.serializer.Serializer ser : List.of(new org.apache.spark.serializer.JavaSerializer(conf),
                new org.apache.spark.serializer.KryoSerializer(conf))) {
            var instance = ser.newInstance();
            back.add(instance.deserialize(instance.serialize(s, TAG), TAG));
        }
        return back;
    }

    private static final scala.reflect.ClassTag<ResidentAveraging.State> TAG =
            scala.reflect.ClassTag$.MODULE$.apply(ResidentAveraging.State.class);
}
