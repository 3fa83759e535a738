package io.essl.train;

import io.essl.augment.BatchMaker;
import io.essl.augment.Seeds;
import io.essl.data.ImageRecord;
import org.apache.spark.Partition;
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
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One epoch's batches, cut from an epoch-specific random order of the images (keys derived from seed, epoch and
 * image id, so the order does not depend on which task computes it) into batches of exactly N images (the
 * remainder is dropped: DL4J would otherwise merge a short batch with the next one and break the row layout).
 * Step s then computes only its own batches: views are made inside the tasks, fresh every epoch.
 * <p>
 * Two orders (data.epoch-order, docs/scaling.md). {@code blocks}: the images stay in the blocks (partitions) they
 * were read and cached in; an epoch puts the blocks in a random order and each block's images in a random order,
 * and a task reads the blocks its positions fall in ({@link BlockSlices}): no image crosses the network to be
 * ordered, the cache may spill to disk, and a task keeps only its own images. {@code shuffle}: one random order of the
 * whole split, by two Spark shuffles of every image each epoch (a sort, then one partition per batch, cached).
 */
public final class EpochBatches implements AutoCloseable {
    private final int batchSize;
    private final int numBatches;
    /** shuffle: the epoch's images by position, one batch per partition (persisted); null for blocks. */
    private final JavaPairRDD<Long, ImageRecord> byBatch;
    /** blocks: the cached images, the blocks in epoch order and where each starts in it; null for shuffle. */
    private final JavaRDD<ImageRecord> images;
    private final int[] blockOrder;
    private final long[] blockStart;
    private final long seed;
    private final int epoch;

    /**
     * @param images     the training images, persisted by the caller (a task reads its blocks from the cache)
     * @param blockSizes images per partition of {@code images} ({@link #blockSizes})
     * @param order      data.epoch-order: "blocks" or "shuffle"
     */
    public EpochBatches(JavaRDD<ImageRecord> images, long[] blockSizes, long seed, int epoch, int batchSize, String order) {
        long imageCount = Arrays.stream(blockSizes).sum();
        this.batchSize = batchSize;
        this.numBatches = (int) (imageCount / batchSize);
        this.seed = seed;
        this.epoch = epoch;
        long kept = (long) numBatches * batchSize;
        if (order.equals("shuffle")) {
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
            this.images = null;
            this.blockOrder = null;
            this.blockStart = null;
        } else {
            this.byBatch = null;
            this.images = images;
            // Block ids live in a key space of their own (negative), apart from the image ids'.
            this.blockOrder = IntStream.range(0, blockSizes.length).boxed()
                    .sorted(Comparator.comparingLong(b -> Seeds.key(seed, epoch, -1L - b)))
                    .mapToInt(Integer::intValue).toArray();
            this.blockStart = new long[blockSizes.length + 1];
            for (int k = 0; k < blockOrder.length; k++) blockStart[k + 1] = blockStart[k] + blockSizes[blockOrder[k]];
        }
    }

    /** Images per partition: the one pass over the images that also counts them. */
    public static long[] blockSizes(JavaRDD<ImageRecord> images) {
        List<Long> sizes = images.mapPartitions(it -> {
            long n = 0;
            for (; it.hasNext(); it.next()) n++;
            return List.of(n).iterator();
        }).collect();
        return sizes.stream().mapToLong(Long::longValue).toArray();
    }

    public int numBatches() {
        return numBatches;
    }

    /**
     * The images of batches [first, first + count), in order, in min(workers, count) partitions of consecutive
     * whole batches (as equal in number as they divide).
     */
    public JavaRDD<ImageRecord> records(int first, int count, int workers) {
        int parts = Math.max(1, Math.min(workers, count));
        if (byBatch != null) {
            PartitionPruningRDD<Tuple2<Long, ImageRecord>> pruned =
                    PartitionPruningRDD.create(byBatch.rdd(), new InRange(first, first + count));
            JavaRDD<Tuple2<Long, ImageRecord>> slice = new JavaRDD<>(pruned, ClassTag$.MODULE$.apply(Tuple2.class));
            return (parts < count ? slice.coalesce(parts) : slice).map(Tuple2::_2);
        }
        Partition[] blocks = images.rdd().partitions();
        List<List<BlockSlices.Segment>> slices = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            long lo = (long) (first + (long) i * count / parts) * batchSize;
            long hi = (long) (first + (long) (i + 1) * count / parts) * batchSize;
            List<BlockSlices.Segment> segments = new ArrayList<>();
            for (int k = 0; k < blockOrder.length; k++) {
                long from = Math.max(lo, blockStart[k]), to = Math.min(hi, blockStart[k + 1]);
                if (from < to) {
                    segments.add(new BlockSlices.Segment(blocks[blockOrder[k]], (int) (from - blockStart[k]),
                            (int) (to - blockStart[k])));
                }
            }
            slices.add(segments);
        }
        return new JavaRDD<>(new BlockSlices(images.rdd(), slices, seed, epoch), ClassTag$.MODULE$.apply(ImageRecord.class));
    }

    /**
     * Batches [first, first + count) as one MultiDataSet each, in {@code workers} partitions. The k-th batch of a
     * partition is stamped with global iteration {@code firstIteration + k}: each worker's k-th batch of a step is
     * the step's k-th iteration. The tasks report their training to {@code metrics}.
     */
    public JavaRDD<MultiDataSet> batches(int first, int count, int workers, BatchMaker builder, int epoch,
                                         int firstIteration, StepMetrics metrics) {
        int n = batchSize;
        return records(first, count, workers).mapPartitions(it -> {
            long start = System.nanoTime(); // captured metrics: each task deserialises its own copy (StepMetrics)
            List<MultiDataSet> out = toBatches(it, n, builder, epoch);
            metrics.addViewSeconds((System.nanoTime() - start) / 1e9);
            if (builder.positioned()) {
                for (int k = 0; k < out.size(); k++) io.essl.model.BatchLayout.stamp(out.get(k), firstIteration + k, epoch);
            }
            return out.iterator();
        });
    }

    /** Consecutive runs of n images as batches (a partition holds whole batches). */
    private static List<MultiDataSet> toBatches(Iterator<ImageRecord> it, int n, BatchMaker builder, int epoch) {
        List<MultiDataSet> out = new ArrayList<>();
        List<ImageRecord> current = new ArrayList<>(n);
        while (it.hasNext()) {
            current.add(it.next());
            if (current.size() == n) {
                out.add(builder.build(current, epoch));
                current = new ArrayList<>(n);
            }
        }
        if (!current.isEmpty()) throw new IllegalStateException(current.size() + " images left over a whole batch of " + n);
        return out;
    }

    @Override
    public void close() {
        if (byBatch != null) byBatch.unpersist(false);
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
