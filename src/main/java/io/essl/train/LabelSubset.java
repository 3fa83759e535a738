package io.essl.train;

import io.essl.augment.Seeds;
import io.essl.config.ConfigError;
import io.essl.data.ImageRecord;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.io.Serializable;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The labelled images of a semi-supervised run: of every class c with n_c training images, the round(f x n_c)
 * (at least one) whose key hash(seed, image id) is smallest. Class-balanced, reproducible from the seed alone,
 * independent of partitioning, and nested: the 1 % subset lies inside the 10 % one for the same seed.
 */
public record LabelSubset(JavaRDD<ImageRecord> images, long[] ids, Map<Integer, Integer> perClass) {
    /** The key space of label selection, apart from the epochs' orders. */
    private static final int LABELS = -1;

    public static LabelSubset choose(JavaRDD<ImageRecord> train, double fraction, long seed) {
        Map<Integer, Long> counts = new TreeMap<>(train.map(ImageRecord::label).countByValue());
        if (counts.isEmpty()) throw new ConfigError("fine-tuning: the training split holds no images");
        if (counts.keySet().stream().anyMatch(c -> c < 0)) {
            throw new ConfigError("fine-tuning needs labelled training images; some of these have no label");
        }
        Map<Integer, Integer> quota = new TreeMap<>();
        counts.forEach((c, n) -> quota.put(c, (int) Math.max(1, Math.round(fraction * n))));
        if (fraction >= 1) {
            return new LabelSubset(train, train.map(ImageRecord::id).collect().stream().mapToLong(Long::longValue).sorted().toArray(), quota);
        }
        // per class, the quota's smallest keys: bounded sorted maps built in the tasks, merged by class
        Map<Integer, Smallest> chosen = train
                .mapToPair(r -> new Tuple2<>(r.label(), new long[]{Seeds.key(seed, LABELS, r.id()), r.id(), quota.get(r.label())}))
                .combineByKey(v -> new Smallest((int) v[2]).add(v), Smallest::add, Smallest::merge)
                .collectAsMap();
        long[] ids = chosen.values().stream().flatMap(s -> s.best.values().stream()).mapToLong(Long::longValue).sorted().toArray();
        Set<Long> keep = new HashSet<>();
        for (long id : ids) keep.add(id);
        Broadcast<Set<Long>> wanted = JavaSparkContext.fromSparkContext(train.context()).broadcast(keep);
        return new LabelSubset(train.filter(r -> wanted.value().contains(r.id())), ids, quota);
    }

    /** The labelled images' count. */
    public int size() {
        return ids.length;
    }

    /** The chosen ids, ascending, one decimal per line (the ids file beside a report). */
    public String idsText() {
        StringBuilder b = new StringBuilder();
        for (long id : ids) b.append(id).append('\n');
        return b.toString();
    }

    /** SHA-256 of {@link #idsText()}: what a report records to compare subsets. */
    public String idsSha256() {
        return io.essl.report.Provenance.sha256(idsText());
    }

    /** The {@code q} (key, id) pairs of smallest key seen so far. */
    static final class Smallest implements Serializable {
        private final int q;
        private final TreeMap<Long, Long> best = new TreeMap<>();

        Smallest(int q) {
            this.q = q;
        }

        Smallest add(long[] keyId) {
            best.put(keyId[0], keyId[1]);
            if (best.size() > q) best.pollLastEntry();
            return this;
        }

        Smallest merge(Smallest o) {
            for (var e : o.best.entrySet()) add(new long[]{e.getKey(), e.getValue()});
            return this;
        }
    }
}
