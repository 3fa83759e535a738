package io.essl.train;

import io.essl.augment.BatchMaker;
import io.essl.augment.Seeds;
import io.essl.data.ImageRecord;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.Tuple2;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One epoch's batches. The images are put in an epoch-specific random order (a key derived from seed, epoch and
 * image id, so it does not depend on partitioning), cut into batches of exactly N images (the remainder is
 * dropped: DL4J would otherwise merge a short batch with the next one and break the row layout), and laid out
 * one batch per partition. Step s then computes only its own partitions: views are made inside the tasks, fresh
 * every epoch, and nothing but image records is cached.
 */
public final class EpochBatches implements AutoCloseable {
    private final JavaPairRDD<Long, ImageRecord> byBatch;
    private final int batchSize;
    private final int numBatches;

    public EpochBatches(JavaRDD<ImageRecord> images, long imageCount, long seed, int epoch, int batchSize) {
        this.batchSize = batchSize;
        this.numBatches = (int) (imageCount / batchSize);
        long kept = (long) numBatches * batchSize;
        int n = batchSize;
        this.byBatch = images
                .mapToPair(r -> new Tuple2<>(Seeds.key(seed, epoch, r.id()), r))
                .sortByKey(true, Math.max(1, images.getNumPartitions()))
                .values()
                .zipWithIndex()
                .filter(t -> t._2() < kept)
                .mapToPair(t -> new Tuple2<>(t._2(), t._1()))
                .repartitionAndSortWithinPartitions(new BatchPartitioner(Math.max(1, numBatches), n))
                .persist(StorageLevel.MEMORY_AND_DISK());
    }

    public int numBatches() {
        return numBatches;
    }

    /**
     * Batches [first, first + count) as one MultiDataSet each, in {@code workers} partitions. The k-th batch of a
     * partition is stamped with global iteration {@code firstIteration + k}: each worker's k-th batch of a step is
     * the step's k-th iteration. The tasks report their training to {@code metrics}.
     */
    public JavaRDD<MultiDataSet> batches(int first, int count, int workers, BatchMaker builder, int epoch,
                                         int firstIteration, StepMetrics metrics) {
        int end = first + count;
        PartitionPruningRDD<Tuple2<Long, ImageRecord>> pruned =
                PartitionPruningRDD.create(byBatch.rdd(), new InRange(first, end));
        JavaRDD<Tuple2<Long, ImageRecord>> slice = new JavaRDD<>(pruned, ClassTag$.MODULE$.apply(Tuple2.class));
        if (workers < count) slice = slice.coalesce(workers);
        int n = batchSize;
        return slice.mapPartitions(it -> {
            long start = System.nanoTime(); // captured metrics: each task deserialises its own copy (StepMetrics)
            List<MultiDataSet> out = toBatches(it, n, builder, epoch);
            metrics.addViewSeconds((System.nanoTime() - start) / 1e9);
            if (builder.positioned()) {
                for (int k = 0; k < out.size(); k++) io.essl.model.BatchLayout.stamp(out.get(k), firstIteration + k, epoch);
            }
            return out.iterator();
        });
    }

    private static List<MultiDataSet> toBatches(Iterator<Tuple2<Long, ImageRecord>> it, int n, BatchMaker builder,
                                                int epoch) {
        List<MultiDataSet> out = new ArrayList<>();
        List<ImageRecord> current = new ArrayList<>(n);
        long currentBatch = -1;
        while (it.hasNext()) {
            Tuple2<Long, ImageRecord> t = it.next();
            long b = t._1() / n;
            if (b != currentBatch && !current.isEmpty()) {
                out.add(builder.build(current, epoch));
                current = new ArrayList<>(n);
            }
            currentBatch = b;
            current.add(t._2());
        }
        if (!current.isEmpty()) out.add(builder.build(current, epoch));
        return out;
    }

    @Override
    public void close() {
        byBatch.unpersist(false);
    }

    /** Position p in the epoch order goes to partition p / N: one batch per partition. */
    static final class BatchPartitioner extends Partitioner {
        private final int partitions;
        private final int batchSize;

        BatchPartitioner(int partitions, int batchSize) {
            this.partitions = partitions;
            this.batchSize = batchSize;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Math.min(partitions - 1, (Long) key / batchSize);
        }
    }

    static final class InRange extends AbstractFunction1<Object, Object> implements Serializable {
        private final int from, to;

        InRange(int from, int to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public Object apply(Object index) {
            int i = (Integer) index;
            return i >= from && i < to;
        }
    }
}
