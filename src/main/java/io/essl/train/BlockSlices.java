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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slices of an epoch's block order as an RDD with narrow dependencies on the cached images: partition i holds
 * the images of a run of consecutive positions, taken from the blocks (partitions of the images) that cover them,
 * each block in its epoch order (a key from seed, epoch and image id). No shuffle: a task reads its blocks where
 * the block manager keeps them (the scheduler places it where its first block is cached: narrow dependencies
 * carry cache locality), and walks each once, taking its ranks; the order itself is sorted once per executor,
 * block and epoch. Built by {@link EpochBatches}.
 */
final class BlockSlices extends RDD<ImageRecord> {
    /** Ranks [from, to) of a block's epoch order. */
    record Segment(Partition block, int from, int to) implements java.io.Serializable {
    }

    /** Block orders by data (application and RDD), block, seed and epoch, in this JVM (see remember). */
    private static final Map<String, Order> ORDERS = new ConcurrentHashMap<>();

    private final RDD<ImageRecord> images;
    /** The cached images' name in ORDERS: RDD ids restart with every SparkContext. */
    private final String data;
    private final Partition[] slices;
    private final long seed;
    private final int epoch;

    BlockSlices(RDD<ImageRecord> images, List<List<Segment>> slices, long seed, int epoch) {
        super(images.context(), deps(images, slices), ClassTag$.MODULE$.apply(ImageRecord.class));
        this.images = images;
        this.data = images.context().applicationId() + "/" + images.id();
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
            Order order = ORDERS.get(key(s.block()));
            if (order == null) order = remember(s.block(), context);
            ImageRecord[] picked = pick(order, s, context);
            if (picked == null) picked = pick(remember(s.block(), context), s, context); // the block came back changed
            if (picked == null) {
                throw new IllegalStateException("block " + s.block().index() + " of the training images changes between "
                        + "reads: the images must be persisted, or read the same way every time");
            }
            out.addAll(Arrays.asList(picked));
        }
        return JavaConverters.asScalaIterator(out.iterator());
    }

    /**
     * The images of ranks [from, to) of a block, in rank order: one walk over the cached block (pointers only, no
     * copy); null when an image is not the one the order put there (the block was recomputed in another order).
     */
    private ImageRecord[] pick(Order order, Segment s, TaskContext context) {
        ImageRecord[] picked = new ImageRecord[s.to() - s.from()];
        scala.collection.Iterator<ImageRecord> it = images.iterator(s.block(), context);
        for (int i = 0; it.hasNext(); i++) {
            ImageRecord r = it.next();
            int rank = i < order.rankOf.length ? order.rankOf[i] : -1;
            if (rank >= s.from() && rank < s.to()) {
                if (r.id() != order.idByRank[rank]) return null;
                picked[rank - s.from()] = r;
            }
        }
        for (ImageRecord r : picked) if (r == null) return null;
        return picked;
    }

    /**
     * A block's epoch order, computed once per executor, block and epoch (a sort of its ids; 12 bytes an image)
     * and kept until another epoch's is made: every task that reads the block after the first only walks it.
     */
    private Order remember(Partition block, TaskContext context) {
        List<Long> ids = new ArrayList<>();
        for (scala.collection.Iterator<ImageRecord> it = images.iterator(block, context); it.hasNext(); ) ids.add(it.next().id());
        Order order = Order.of(ids, seed, epoch);
        String key = key(block);
        // only the orders of the epoch being trained are kept (another run's or epoch's, if any, are dropped)
        ORDERS.keySet().removeIf(k -> !(k.startsWith(data + "#") && k.endsWith("@" + seed + "/" + epoch)));
        ORDERS.put(key, order);
        return order;
    }

    private String key(Partition block) {
        return data + "#" + block.index() + "@" + seed + "/" + epoch;
    }

    /** A block's images in the epoch's order: by Seeds.key of their ids (ties, all but impossible, by id). */
    static final class Order {
        /** The rank in the epoch order of the block's i-th image, and the id at each rank. */
        final int[] rankOf;
        final long[] idByRank;

        private Order(int[] rankOf, long[] idByRank) {
            this.rankOf = rankOf;
            this.idByRank = idByRank;
        }

        static Order of(List<Long> ids, long seed, int epoch) {
            int m = ids.size();
            long[][] keyed = new long[m][];
            for (int i = 0; i < m; i++) keyed[i] = new long[]{Seeds.key(seed, epoch, ids.get(i)), ids.get(i), i};
            Arrays.sort(keyed, Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> k[1]));
            int[] rankOf = new int[m];
            long[] idByRank = new long[m];
            for (int rank = 0; rank < m; rank++) {
                rankOf[(int) keyed[rank][2]] = rank;
                idByRank[rank] = keyed[rank][1];
            }
            return new Order(rankOf, idByRank);
        }
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
