package io.essl.train;

import io.essl.config.EsslConfig;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Trains one step's batches across the workers (train.strategy): {@code averaging}, the project's parameter
 * averaging with networks kept alive in the executors ({@link ResidentAveraging}); {@code dl4j-averaging} and
 * {@code sharing}, DL4J's two training masters ({@link Strategies}).
 */
public interface StepTrainer extends AutoCloseable {
    /** Trains the step's batches (one partition per worker) and leaves the result in {@link #network()}. */
    void fit(JavaRDD<MultiDataSet> batches);

    /** The driver's network: the parameters after the last step. */
    ComputationGraph network();

    @Override
    void close();

    /** The strategy of {@code conf} for {@code graph}; every worker's batches have {@code rows} rows. */
    static StepTrainer of(EsslConfig conf, JavaSparkContext sc, ComputationGraph graph, int workers, int rows) {
        if (conf.train().strategy().equals("averaging")) return new ResidentAveraging(sc, graph);
        return new Dl4j(sc, new SparkComputationGraph(sc, graph, Strategies.master(conf, workers, rows, sc)));
    }

    /** One of DL4J's training masters behind {@link SparkComputationGraph}. */
    record Dl4j(JavaSparkContext sc, SparkComputationGraph spark) implements StepTrainer {
        public Dl4j {
            spark.setListeners(new StepListener());
        }

        @Override
        public void fit(JavaRDD<MultiDataSet> batches) {
            spark.fitMultiDataSet(batches);
        }

        @Override
        public ComputationGraph network() {
            return spark.getNetwork();
        }

        @Override
        public void close() {
            spark.getTrainingMaster().deleteTempFiles(sc);
        }
    }
}
