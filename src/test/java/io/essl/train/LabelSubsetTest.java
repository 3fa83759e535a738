package io.essl.train;

import io.essl.TestData;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;
import io.essl.data.ImageSource;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The labelled subset of a few-label run: class-balanced, reproducible from the seed, nested across fractions. */
class LabelSubsetTest {
    @Test
    void balancedReproducibleAndNested() {
        EsslConfig conf = ConfigLoader.load(null, List.of("data.dir=\"" + TestData.sliceDir().getAbsolutePath() + "\""));
        try (SparkSession spark = SparkSession.builder().master("local[2]").appName("labels").getOrCreate()) {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JavaRDD<ImageRecord> train = ImageSource.of(conf.data()).load(sc, ImageSource.Split.TRAIN, 0).cache();
            Map<Integer, Long> perClass = new TreeMap<>(train.map(ImageRecord::label).countByValue());

            LabelSubset quarter = LabelSubset.choose(train, 0.25, 42);
            List<ImageRecord> chosen = quarter.images().collect();
            Map<Integer, Long> got = chosen.stream().collect(Collectors.groupingBy(ImageRecord::label, TreeMap::new, Collectors.counting()));
            perClass.forEach((c, n) -> assertEquals(Math.max(1, Math.round(0.25 * n)), got.get(c), "class " + c + " of " + n));
            assertArrayEquals(chosen.stream().mapToLong(ImageRecord::id).sorted().toArray(), quarter.ids(), "the ids are the images");
            assertEquals(quarter.ids().length, Arrays.stream(quarter.ids()).distinct().count());

            // the same seed on another partitioning: the same images
            LabelSubset again = LabelSubset.choose(train.repartition(5), 0.25, 42);
            assertArrayEquals(quarter.ids(), again.ids());
            assertEquals(quarter.idsSha256(), again.idsSha256());
            // another seed: other images; a smaller fraction: a subset of these
            assertFalse(Arrays.equals(quarter.ids(), LabelSubset.choose(train, 0.25, 43).ids()));
            long[] tenth = LabelSubset.choose(train, 0.1, 42).ids();
            assertTrue(tenth.length < quarter.ids().length);
            for (long id : tenth) assertTrue(Arrays.binarySearch(quarter.ids(), id) >= 0, "10 % inside 25 %: " + id);
            assertEquals(train.count(), LabelSubset.choose(train, 1.0, 42).size(), "all labels");
        }
    }
}
