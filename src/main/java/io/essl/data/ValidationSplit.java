package io.essl.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.Map;

/**
 * data.validation = N: the first N training images (ids are a random order of the split) stand in for the test
 * split, and training uses the others, so a recipe can be tuned without looking at the test set. Limits count
 * from the start of each part.
 */
final class ValidationSplit implements ImageSource {
    private final ImageSource source;
    private final int n;

    ValidationSplit(ImageSource source, int n) {
        this.source = source;
        this.n = n;
    }

    @Override
    public JavaRDD<ImageRecord> load(JavaSparkContext sc, Split split, int limit) {
        long from = split == Split.TEST ? 0 : n;
        long to = split == Split.TEST ? (limit > 0 ? Math.min(limit, n) : n) : (limit > 0 ? n + (long) limit : Long.MAX_VALUE);
        return source.load(sc, Split.TRAIN, to == Long.MAX_VALUE ? 0 : (int) to).filter(r -> r.id() >= from && r.id() < to);
    }

    /** Both parts are the training split's images, under their own ids. */
    @Override
    public JavaPairRDD<Long, String> keys(JavaSparkContext sc, Split split) {
        return source.keys(sc, Split.TRAIN);
    }

    @Override
    public void checkExists(Configuration hadoop) {
        source.checkExists(hadoop);
    }

    @Override
    public Map<String, Integer> skipped() {
        return source.skipped();
    }

    @Override
    public Map<String, Integer> warnings() {
        return source.warnings();
    }
}
