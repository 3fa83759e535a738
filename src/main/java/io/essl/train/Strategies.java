package io.essl.train;

import io.essl.config.EsslConfig;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.ResidualPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.ThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.NoOpResidualPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.ResidualClippingPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.repartitioner.NoOpRepartitioner;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.enums.MeshBuildMode;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

/**
 * DL4J's two distributed strategies (train.strategy dl4j-averaging and sharing), set up for pre-built E-SSL batches: one MultiDataSet is one
 * DL4J minibatch (so the two views of an image are never split), the step's partitions are already one per worker
 * (no repartitioning), and a step's batches are cached between DL4J's counting pass and its training pass.
 */
final class Strategies {
    /** DL4J's Aeron client liveness timeout is 30 s and Aeron refuses an unblock timeout below it. */
    static final String AERON_UNBLOCK = "aeron.publication.unblock.timeout";

    private Strategies() {
    }

    static TrainingMaster<?, ?> master(EsslConfig conf, int workers, int rows, JavaSparkContext sc) {
        EsslConfig.Train t = conf.train();
        if (t.strategy().equals("dl4j-averaging")) return averaging(workers, rows, t.averagingFrequency(), conf.seed());
        EsslConfig.Sharing s = t.sharing();
        // The driver's JVM: local mode runs the workers here too. Executors get it from bin/jvm-flags.
        if (System.getProperty(AERON_UNBLOCK) == null) System.setProperty(AERON_UNBLOCK, "60000000000");
        String controller = s.controller().isBlank() ? sc.getConf().get("spark.driver.host", "127.0.0.1") : s.controller();
        VoidConfiguration transport = VoidConfiguration.builder()
                .unicastPort(s.port())
                .portSupplier(new NodePort(s.port()))
                .controllerAddress(controller)
                .networkMask(s.networkMask().isBlank() ? null : s.networkMask())
                .meshBuildMode(MeshBuildMode.PLAIN)
                .build();
        ThresholdAlgorithm threshold = s.thresholdAlgorithm().equals("fixed")
                ? new FixedThresholdAlgorithm(s.threshold()) : new AdaptiveThresholdAlgorithm(s.threshold());
        ResidualPostProcessor residual = s.residualClip() > 0 && s.residualClipEvery() > 0
                ? new ResidualClippingPostProcessor(s.residualClip(), s.residualClipEvery()) : new NoOpResidualPostProcessor();
        return new SharedTrainingMaster.Builder(transport, workers, threshold, rows)
                .batchSizePerWorker(rows)
                // DL4J M2 trains MultiDataSets with more than one worker per node by fitting an empty list of
                // DataSet iterators in a loop that never ends (SharedTrainingWrapper): one trainer per JVM.
                .workersPerNode(1)
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartitioner(new NoOpRepartitioner())
                .repartitionData(Repartition.Never)
                .storageLevel(StorageLevel.MEMORY_ONLY())
                .residualPostProcessor(residual)
                .rngSeed(conf.seed())
                .build();
    }

    /** Parameter averaging every {@code frequency} batches of {@code rows} rows per worker. */
    static TrainingMaster<?, ?> averaging(int workers, int rows, int frequency, long seed) {
        return new ParameterAveragingTrainingMaster.Builder(workers, rows)
                .batchSizePerWorker(rows)
                .averagingFrequency(frequency)
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Never)
                .storageLevel(StorageLevel.MEMORY_ONLY())
                .saveUpdater(true)
                .rngSeed(seed)
                .build();
    }

    /** The driver listens on the base port and executor k on base + 1 + k, so executors can share a host. */
    static final class NodePort implements PortSupplier {
        private final int base;

        NodePort(int base) {
            this.base = base;
        }

        @Override
        public int getPort() {
            SparkEnv env = SparkEnv.get();
            String id = env == null ? "driver" : env.executorId();
            return id.chars().allMatch(Character::isDigit) && !id.isEmpty() ? base + 1 + Integer.parseInt(id) : base;
        }
    }
}
