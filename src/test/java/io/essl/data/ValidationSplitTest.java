package io.essl.data;

import io.essl.TestData;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** data.validation: the held-out part of the training split replaces the test split, disjoint from training. */
class ValidationSplitTest {
    @Test
    void theFirstNTrainingImagesBecomeTheTestSplitAndTrainingKeepsTheRest() {
        EsslConfig conf = ConfigLoader.load(null, List.of("data.dir=\"" + TestData.sliceDir().getAbsolutePath() + "\"",
                "data.validation=100"));
        ImageSource source = ImageSource.of(conf.data());
        try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[1]").setAppName("validation")
                .set("spark.ui.enabled", "false"))) {
            List<ImageRecord> val = source.load(sc, ImageSource.Split.TEST, 0).collect();
            List<ImageRecord> train = source.load(sc, ImageSource.Split.TRAIN, 0).collect();
            long all = ImageSource.of(ConfigLoader.load(null, List.of("data.dir=\"" + TestData.sliceDir().getAbsolutePath()
                    + "\"")).data()).load(sc, ImageSource.Split.TRAIN, 0).count();
            assertEquals(100, val.size());
            assertEquals(all - 100, train.size(), "training keeps every other image");
            Set<Long> ids = new HashSet<>();
            for (ImageRecord r : val) assertTrue(r.id() < 100 && ids.add(r.id()));
            for (ImageRecord r : train) assertTrue(r.id() >= 100 && ids.add(r.id()), "disjoint");
            assertEquals(30, source.load(sc, ImageSource.Split.TEST, 30).count(), "limits count within each part");
            assertEquals(40, source.load(sc, ImageSource.Split.TRAIN, 40).filter(r -> r.id() >= 100).count());
            assertTrue(val.stream().map(ImageRecord::label).distinct().count() > 5, "a sample of the classes");
        }
    }
}
