package io.essl.train;

import io.essl.augment.Seeds;
import io.essl.data.ImageRecord;
import org.apache.spark.Dependency;
import org.apache.spark.NarrowDependency;
import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.reflect.ClassTag$;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Slices of an epoch's block order as an RDD with narrow dependencies on the cached images: partition i holds
 * the images of a run of consecutive positions, taken from the blocks (partitions of the images) that cover them,
 * each block put in its epoch order (a key from seed, epoch and image id) inside the task. No shuffle: a task
 * reads its blocks where the block manager keeps them, and the scheduler places it where its first block is
 * cached (narrow dependencies carry cache locality). Built by {@link EpochBatches}.
 */
final class BlockSlices extends RDD<ImageRecord> {
    /** Ranks [from, to) of a block's epoch order. */
    record Segment(Partition block, int from, int to) implements java.io.Serializable {
    }

    private final RDD<ImageRecord> images;
    private final Partition[] slices;
    private final long seed;
    private final int epoch;

    BlockSlices(RDD<ImageRecord> images, List<List<Segment>> slices, long seed, int epoch) {
        super(images.context(), deps(images, slices), ClassTag$.MODULE$.apply(ImageRecord.class));
        this.images = images;
        this.slices = new Partition[slices.size()];
        for (int i = 0; i < slices.size(); i++) this.slices[i] = new Slice(i, slices.get(i).toArray(new Segment[0]));
        this.seed = seed;
        this.epoch = epoch;
    }

    @Override
    public Partition[] getPartitions() {
        return slices;
    }

    @Override
    public scala.collection.Iterator<ImageRecord> compute(Partition split, TaskContext context) {
        List<ImageRecord> out = new ArrayList<>();
        for (Segment s : ((Slice) split).segments) {
            List<ImageRecord> block = inEpochOrder(JavaConverters.asJavaIterator(images.iterator(s.block(), context)), seed, epoch);
            out.addAll(block.subList(s.from(), s.to()));
        }
        return JavaConverters.asScalaIterator(out.iterator());
    }

    /** A block's images in the epoch's order: by Seeds.key of their ids (ties, all but impossible, by id). */
    static List<ImageRecord> inEpochOrder(java.util.Iterator<ImageRecord> block, long seed, int epoch) {
        List<long[]> keys = new ArrayList<>(); // {key, index}
        List<ImageRecord> all = new ArrayList<>();
        while (block.hasNext()) {
            ImageRecord r = block.next();
            keys.add(new long[]{Seeds.key(seed, epoch, r.id()), r.id(), all.size()});
            all.add(r);
        }
        keys.sort(Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> k[1]));
        List<ImageRecord> ordered = new ArrayList<>(all.size());
        for (long[] k : keys) ordered.add(all.get((int) k[2]));
        return ordered;
    }

    private static Seq<Dependency<?>> deps(RDD<ImageRecord> images, List<List<Segment>> slices) {
        int[][] parents = new int[slices.size()][];
        for (int i = 0; i < parents.length; i++) {
            parents[i] = slices.get(i).stream().mapToInt(s -> s.block().index()).toArray();
        }
        List<Dependency<?>> deps = List.of(new Blocks(images, parents));
        return JavaConverters.asScalaBuffer(deps).toSeq();
    }

    /** Slice i depends on the blocks of its segments only. */
    static final class Blocks extends NarrowDependency<ImageRecord> {
        private final int[][] parents;

        Blocks(RDD<ImageRecord> images, int[][] parents) {
            super(images);
            this.parents = parents;
        }

        @Override
        public Seq<Object> getParents(int partitionId) {
            List<Object> p = new ArrayList<>();
            for (int b : parents[partitionId]) p.add(b);
            return JavaConverters.asScalaBuffer(p).toSeq();
        }
    }

    static final class Slice implements Partition {
        private final int index;
        final Segment[] segments;

        Slice(int index, Segment[] segments) {
            this.index = index;
            this.segments = segments;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public int hashCode() {
            return index;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Slice s && s.index == index && Arrays.equals(s.segments, segments);
        }
    }
}
