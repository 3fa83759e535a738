package io.essl.data;

import org.apache.spark.SparkContext;
import org.apache.spark.util.CollectionAccumulator;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Files Spark tasks met with a reason, gathered on the driver: one instance for the bad files (skipped), another
 * for good files decoded with a warning (renamed). A task run twice (a retry, a lost partition computed again)
 * reports its files twice, so each path counts once.
 */
final class SkippedFiles implements Serializable {
    private final CollectionAccumulator<String> lines;

    SkippedFiles(SparkContext sc, String name) {
        lines = sc.collectionAccumulator(name);
    }

    /** In a task: a skipped file, or a good one with a warning (by the result's reason). */
    void add(String path, ImageDecoder.Result result) {
        add(path, result.reason(), result.detail());
    }

    /** In a task: a file noted for another reason than its content (no label). */
    void add(String path, String reason, String detail) {
        lines.add(path + "\t" + reason + "\t" + detail);
    }

    /** Path to {path, reason, detail}, sorted by path. */
    private Map<String, String[]> byPath() {
        Map<String, String[]> m = new TreeMap<>();
        for (String line : lines.value()) {
            String[] f = line.split("\t", 3);
            m.put(f[0], f);
        }
        return m;
    }

    /** Reason to number of files. */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (String[] f : byPath().values()) counts.merge(f[1], 1, Integer::sum);
        return counts;
    }

    /** Each file: path, reason, detail. */
    List<Map<String, String>> files() {
        List<Map<String, String>> files = new ArrayList<>();
        for (String[] f : byPath().values()) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("path", f[0]);
            m.put("reason", f[1]);
            m.put("detail", f.length > 2 ? f[2] : "");
            files.add(m);
        }
        return files;
    }
}
