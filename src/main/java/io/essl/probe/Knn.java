package io.essl.probe;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Weighted kNN classifier of the InstDisc/SimCLR monitor: cosine similarity, the k nearest training features
 * vote for their class with weight exp(similarity / T). Distributed over the training features: a chunk of test
 * features is broadcast, every partition of the training set keeps its own top-k per test row, and the partial
 * top-k lists are merged in a tree reduction.
 */
public final class Knn {
    private Knn() {
    }

    public static Metrics evaluate(Dataset<Row> train, Dataset<Row> test, int k, double temperature, int classes,
                                   int chunkRows) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(train.sparkSession().sparkContext());
        List<Row> testRows = test.select("label", "features").collectAsList();
        Metrics total = new Metrics(classes);
        var trainRdd = train.select("label", "features").javaRDD();
        for (int from = 0; from < testRows.size(); from += chunkRows) {
            List<Row> chunk = testRows.subList(from, Math.min(testRows.size(), from + chunkRows));
            float[][] queries = new float[chunk.size()][];
            for (int i = 0; i < queries.length; i++) queries[i] = unit(((Vector) chunk.get(i).get(1)).toArray());
            Broadcast<float[][]> q = sc.broadcast(queries);
            TopK[] merged = trainRdd.mapPartitions(rows -> Collections.singletonList(localTopK(rows, q.value(), k)).iterator())
                    .treeReduce(Knn::merge);
            q.destroy();
            for (int i = 0; i < chunk.size(); i++) {
                total.add((int) chunk.get(i).getDouble(0), merged[i].vote(classes, temperature));
            }
        }
        return total;
    }

    /** Top-k neighbours of every query among one partition's training rows (similarities by a gemm per block). */
    static TopK[] localTopK(Iterator<Row> rows, float[][] queries, int k) {
        TopK[] top = new TopK[queries.length];
        for (int i = 0; i < top.length; i++) top[i] = new TopK(k);
        INDArray qT = Nd4j.create(queries).transpose();
        List<float[]> block = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        while (rows.hasNext()) {
            Row r = rows.next();
            block.add(unit(((Vector) r.get(1)).toArray()));
            labels.add((int) r.getDouble(0));
            if (block.size() == 1024 || !rows.hasNext()) {
                float[][] sims = Nd4j.create(block.toArray(float[][]::new)).mmul(qT).toFloatMatrix();
                for (int t = 0; t < sims.length; t++) {
                    for (int i = 0; i < queries.length; i++) top[i].offer(sims[t][i], labels.get(t));
                }
                block.clear();
                labels.clear();
            }
        }
        return top;
    }

    static TopK[] merge(TopK[] a, TopK[] b) {
        for (int i = 0; i < a.length; i++) a[i].mergeFrom(b[i]);
        return a;
    }

    static float[] unit(double[] v) {
        double n = 0;
        for (double x : v) n += x * x;
        n = Math.sqrt(Math.max(n, 1e-24));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] / n);
        return out;
    }

    /** A bounded min-heap of (similarity, label): the k largest similarities seen. */
    static final class TopK implements Serializable {
        private final float[] sim;
        private final int[] label;
        private int size;

        TopK(int k) {
            sim = new float[k];
            label = new int[k];
        }

        void offer(float s, int l) {
            if (size < sim.length) {
                sim[size] = s;
                label[size] = l;
                up(size++);
            } else if (s > sim[0]) {
                sim[0] = s;
                label[0] = l;
                down(0);
            }
        }

        void mergeFrom(TopK o) {
            for (int i = 0; i < o.size; i++) offer(o.sim[i], o.label[i]);
        }

        double[] vote(int classes, double temperature) {
            double[] scores = new double[classes];
            for (int i = 0; i < size; i++) scores[label[i]] += Math.exp(sim[i] / temperature);
            return scores;
        }

        private void up(int i) {
            while (i > 0) {
                int p = (i - 1) / 2;
                if (sim[p] <= sim[i]) return;
                swap(i, p);
                i = p;
            }
        }

        private void down(int i) {
            while (true) {
                int l = 2 * i + 1, r = l + 1, m = i;
                if (l < size && sim[l] < sim[m]) m = l;
                if (r < size && sim[r] < sim[m]) m = r;
                if (m == i) return;
                swap(i, m);
                i = m;
            }
        }

        private void swap(int a, int b) {
            float s = sim[a];
            sim[a] = sim[b];
            sim[b] = s;
            int l = label[a];
            label[a] = label[b];
            label[b] = l;
        }
    }
}
