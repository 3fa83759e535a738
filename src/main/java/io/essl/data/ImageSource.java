package io.essl.data;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.Map;

/**
 * Where a data set's images come from (data.format): IDX files, an image folder tree, ingested shards, or
 * photonic-crystal unit cells.
 */
public interface ImageSource {
    enum Split { TRAIN, TEST }

    /** The first {@code limit} images of a split (0 = all), read and decoded inside Spark tasks. */
    JavaRDD<ImageRecord> load(JavaSparkContext sc, Split split, int limit);

    /**
     * Where each image of a split comes from, by id: an image file's URI, a shard row's source path, an IDX
     * file and index ({@code <images file>#<index>}). Built by the listing that gives {@link #load} its ids, so a
     * key names the image its id names (embed joins them; a record carries no path).
     */
    JavaPairRDD<Long, String> keys(JavaSparkContext sc, Split split);

    /**
     * Fails fast, before Spark starts, with one readable line when the data is not where the config says, or
     * cannot be trained on as it stands (labels out of range, fewer than two classes).
     */
    void checkExists(Configuration hadoop);

    /** Files skipped as bad, by reason, for the images loaded so far (after an action on them). */
    default Map<String, Integer> skipped() {
        return Map.of();
    }

    /** Good files decoded with a warning (such as renamed), by warning, counted like {@link #skipped()}. */
    default Map<String, Integer> warnings() {
        return Map.of();
    }

    /**
     * A training split needs two classes at least: pre-training itself uses no labels, but the probe's classifier,
     * its accuracy and the kNN monitor mean nothing with one (and a one-class tree is usually a wrong data.dir).
     */
    static void requireTwoClasses(String where, java.util.Collection<?> classes) {
        if (classes.size() >= 2) return;
        throw new ConfigError(where + " has " + (classes.isEmpty() ? "no class" : "only one class ("
                + classes.iterator().next() + ")") + ": a data set needs at least two classes");
    }

    static ImageSource of(EsslConfig.Data conf) {
        ImageSource source = switch (conf.format()) {
            case "folder" -> new ImageFolder(conf);
            case "parquet" -> new ShardSource(conf);
            case "cells" -> new CellSource(conf);
            default -> new IdxSource(conf);
        };
        return conf.validation() > 0 ? new ValidationSplit(source, conf.validation()) : source;
    }
}
