package io.essl.probe;

import java.util.LinkedHashMap;
import java.util.Map;

/** Classification metrics from (true label, class scores) pairs: top-1, top-5, per-class accuracy, confusion. */
public final class Metrics implements java.io.Serializable {
    private final int classes;
    private final long[][] confusion; // [true][predicted]
    private long total, top1, top5;

    public Metrics(int classes) {
        this.classes = classes;
        this.confusion = new long[classes][classes];
    }

    /** Adds one example; {@code scores} are any monotone class scores (probabilities, logits, votes). */
    public void add(int label, double[] scores) {
        int predicted = 0, higher = 0;
        for (int c = 0; c < scores.length; c++) {
            if (scores[c] > scores[predicted]) predicted = c;
            if (c != label && scores[c] > scores[label]) higher++;
        }
        confusion[label][predicted]++;
        total++;
        if (predicted == label) top1++;
        if (higher < 5) top5++;
    }

    /**
     * The metrics of rows laid out as {@link FeatureExtractor#SCHEMA} whose features are class scores (a
     * classifier's output), counted in the tasks: only one small table per partition reaches the driver.
     */
    public static Metrics of(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> scores, int classes) {
        return scores.javaRDD().mapPartitions(rows -> {
            Metrics m = new Metrics(classes);
            rows.forEachRemaining(r -> m.add((int) r.getDouble(1), ((org.apache.spark.ml.linalg.Vector) r.get(2)).toArray()));
            return java.util.List.of(m).iterator();
        }).reduce(Metrics::merge);
    }

    public Metrics merge(Metrics o) {
        for (int i = 0; i < classes; i++) for (int j = 0; j < classes; j++) confusion[i][j] += o.confusion[i][j];
        total += o.total;
        top1 += o.top1;
        top5 += o.top5;
        return this;
    }

    public long total() {
        return total;
    }

    public double top1() {
        return total == 0 ? 0 : (double) top1 / total;
    }

    public double top5() {
        return total == 0 ? 0 : (double) top5 / total;
    }

    public long[][] confusion() {
        return confusion;
    }

    public double[] perClassAccuracy() {
        double[] acc = new double[classes];
        for (int c = 0; c < classes; c++) {
            long n = 0;
            for (long v : confusion[c]) n += v;
            acc[c] = n == 0 ? Double.NaN : (double) confusion[c][c] / n;
        }
        return acc;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("top1", top1());
        m.put("top5", top5());
        m.put("examples", total);
        m.put("per_class_top1", perClassAccuracy());
        m.put("confusion", confusion);
        return m;
    }
}
