package io.essl.train;

import io.essl.augment.Seeds;
import io.essl.data.ImageRecord;
import org.apache.spark.Dependency;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The epoch orders against their definitions: the block order is the blocks in the order of their keys, each
 * block's images in the order of theirs, cut into whole batches and laid out per step and worker, with no shuffle
 * in its lineage; both orders are a permutation of the kept images that changes every epoch.
 */
class EpochBatchesTest {
    private static final long SEED = 42;
    private static final int N = 32;
    private static JavaSparkContext sc;
    private static JavaRDD<ImageRecord> images;
    private static long[] sizes;

    @BeforeAll
    static void up() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("epoch-batches")
                .set("spark.ui.enabled", "false"));
        // 1,000 images in 5 blocks of unequal sizes (every 7th id dropped from the first two)
        List<ImageRecord> all = LongStream.range(0, 1000)
                .mapToObj(id -> new ImageRecord(id, (int) (id % 10), 1, 1, 1, new byte[]{(byte) id})).toList();
        images = sc.parallelize(all, 5).filter(r -> r.id() >= 400 || r.id() % 7 != 0).persist(StorageLevel.MEMORY_ONLY());
        sizes = EpochBatches.blockSizes(images);
    }

    @AfterAll
    static void down() {
        sc.stop();
    }

    @Test
    void blockOrderIsBlocksByKeyThenImagesByKey() {
        assertEquals(5, sizes.length);
        long total = LongStream.of(sizes).sum();
        assertEquals(1000 - 58, total); // ids 0, 7, ..., 399: 58 of them
        for (int epoch = 0; epoch < 2; epoch++) {
            List<Long> expected = expectedBlockOrder(epoch);
            try (EpochBatches order = new EpochBatches(images, sizes, SEED, epoch, N, "blocks")) {
                int batches = order.numBatches();
                assertEquals(total / N, batches);
                List<Long> kept = expected.subList(0, batches * N);
                assertEquals(kept, ids(order.records(0, batches, 1)));
                assertEquals(kept, ids(order.records(0, batches, 4)), "the same order however many partitions");
                // step by step: 3 workers x 2 batches, each worker's partition two whole consecutive batches
                List<Long> stepped = new ArrayList<>();
                for (int s = 0; s < batches / 6; s++) {
                    JavaRDD<ImageRecord> step = order.records(s * 6, 6, 3);
                    assertEquals(3, step.getNumPartitions());
                    for (List<ImageRecord> part : step.glom().collect()) assertEquals(2 * N, part.size());
                    stepped.addAll(ids(step));
                }
                assertEquals(kept.subList(0, stepped.size()), stepped);
                assertFalse(hasShuffle(order.records(0, batches, 2).rdd()), "the block order shuffles nothing");
            }
        }
    }

    @Test
    void bothOrdersArePermutationsThatChangeEveryEpoch() {
        for (String how : List.of("blocks", "shuffle")) {
            List<List<Long>> epochs = new ArrayList<>();
            for (int epoch = 0; epoch < 2; epoch++) {
                try (EpochBatches order = new EpochBatches(images, sizes, SEED, epoch, N, how)) {
                    List<Long> ids = ids(order.records(0, order.numBatches(), 3));
                    assertEquals(order.numBatches() * N, ids.size(), how);
                    assertEquals(ids.size(), new HashSet<>(ids).size(), how + ": an image twice in an epoch");
                    epochs.add(ids);
                    if (how.equals("shuffle")) assertTrue(hasShuffle(order.records(0, 2, 1).rdd()));
                }
            }
            assertNotEquals(epochs.get(0).subList(0, N), epochs.get(1).subList(0, N), how + ": the same first batch twice");
        }
    }

    /** The definition, computed here from the blocks' contents. */
    private static List<Long> expectedBlockOrder(int epoch) {
        List<List<ImageRecord>> blocks = images.glom().collect();
        List<Long> out = new ArrayList<>();
        IntStream.range(0, blocks.size()).boxed().sorted(Comparator.comparingLong(b -> Seeds.key(SEED, epoch, -1L - b)))
                .forEach(b -> blocks.get(b).stream().map(ImageRecord::id)
                        .sorted(Comparator.<Long>comparingLong(id -> Seeds.key(SEED, epoch, id)).thenComparing(id -> id))
                        .forEach(out::add));
        return out;
    }

    private static List<Long> ids(JavaRDD<ImageRecord> rdd) {
        return rdd.collect().stream().map(ImageRecord::id).collect(Collectors.toList());
    }

    private static boolean hasShuffle(RDD<?> rdd) {
        for (Dependency<?> d : JavaConverters.seqAsJavaList(rdd.dependencies())) {
            if (d instanceof ShuffleDependency || hasShuffle(d.rdd())) return true;
        }
        return false;
    }
}
