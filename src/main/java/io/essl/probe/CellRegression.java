package io.essl.probe;

import io.essl.augment.CellBatch;
import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import io.essl.data.CellSource;
import io.essl.data.ImageRecord;
import io.essl.model.EsslGraph;
import io.essl.optim.Optimisers;
import io.essl.train.FinetuneJob;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's photonics task: fine-tune an encoder (or train one from random initialisation) with a linear
 * regression head on N labelled unit cells to predict each cell's DOS, and score it on held-out cells by the
 * fractional L1 error of the DOS, sum |predicted - true| / sum true over the 400 frequencies, averaged over cells.
 * The head predicts the target (the DOS less the empty lattice's), as the reference does. Training goes through
 * {@link FinetuneJob} on Spark (it lives here, with the other evaluations, because it scores with {@link FeatureExtractor}); a labelled set smaller than the presentations per epoch is repeated up to exactly that
 * many (each copy its own symmetry draw), so that every N up to it trains the same number of steps.
 */
public final class CellRegression {
    /** A labelled cell as {@code photonics generate --labels} wrote it. */
    public record Cell(long id, float[] eps, float[] dos, float[] target) implements java.io.Serializable {
    }

    /** The test score, the score of predicting the training cells' mean target for every cell, and the run. */
    public record Outcome(double fractionalL1, double meanTargetL1, FinetuneJob.Result run, Map<Long, float[]> predictions) {
    }

    private CellRegression() {
    }

    /** Every labelled cell of a generated data set, by id (a few thousand: they fit the driver). */
    public static List<Cell> read(SparkSession spark, String path) {
        List<Row> rows = spark.read().parquet(path).select("id", "eps", "dos", "target").orderBy("id").collectAsList();
        List<Cell> cells = new ArrayList<>(rows.size());
        for (Row r : rows) cells.add(new Cell(r.getLong(0), CellSource.floats(r.getList(1)), CellSource.floats(r.getList(2)),
                CellSource.floats(r.getList(3))));
        return cells;
    }

    public static Outcome run(SparkSession spark, EsslConfig conf, List<Cell> train, List<Cell> test, ComputationGraph encoder,
                              String loss, int presentations, String name) throws java.io.IOException {
        if (train.isEmpty() || test.isEmpty()) throw new ConfigError("photonics finetune: needs training and test cells");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int side = (int) Math.round(Math.sqrt(train.get(0).eps().length));
        EsslGraph.Shape shape = new EsslGraph.Shape(1, side, side);
        int outputs = train.get(0).target().length;
        Map<Long, float[]> targets = new HashMap<>();
        for (Cell c : train) targets.put(c.id(), c.target());
        var broadcast = sc.broadcast(targets);
        // max(N, presentations) records an epoch: the cells, then copies of them up to the count
        int n = train.size(), total = Math.max(n, presentations);
        List<ImageRecord> records = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            Cell c = train.get(i % n);
            records.add(CellSource.record(CellBatch.copy(c.id(), i / n), c.eps(), -1));
        }
        EsslConfig.Finetune f = conf.finetune();
        FinetuneJob.Head head = new FinetuneJob.Head(
                lr -> EsslGraph.regressor(conf.model(), shape, outputs, loss, Optimisers.finetuning(f, lr), conf.seed()),
                new CellBatch(conf.seed(), conf.augment().symmetries(), conf.data().mean(), conf.data().std(), broadcast),
                loss.toUpperCase());
        var labelled = sc.parallelize(records, sc.defaultParallelism()).cache();
        FinetuneJob.Result r;
        try {
            r = FinetuneJob.run(sc, conf, labelled, head, encoder, name);
        } finally {
            labelled.unpersist(false);
            broadcast.destroy();
        }
        List<ImageRecord> held = new ArrayList<>(test.size());
        for (Cell c : test) held.add(CellSource.record(c.id(), c.eps(), -1));
        sc.setJobDescription(name + ": held-out cells");
        Map<Long, float[]> predictions = new HashMap<>();
        for (Row row : FeatureExtractor.extract(spark, sc.parallelize(held), r.graph(), conf.data().mean(), conf.data().std(),
                conf.probe().batchSize()).collectAsList()) {
            double[] p = ((org.apache.spark.ml.linalg.Vector) row.get(2)).toArray();
            float[] v = new float[p.length];
            for (int i = 0; i < p.length; i++) v[i] = (float) p[i];
            predictions.put(row.getLong(0), v);
        }
        sc.setJobDescription(null);
        float[] mean = new float[outputs];
        for (Cell c : train) for (int i = 0; i < outputs; i++) mean[i] += c.target()[i] / train.size();
        double error = 0, meanError = 0;
        for (Cell c : test) {
            error += fractionalL1(predictions.get(c.id()), c);
            meanError += fractionalL1(mean, c);
        }
        return new Outcome(error / test.size(), meanError / test.size(), r, predictions);
    }

    /** sum |predicted target - true target| / sum DOS: the error of the DOS, since both differ from it by the same curve. */
    public static double fractionalL1(float[] predictedTarget, Cell c) {
        double num = 0, den = 0;
        for (int i = 0; i < c.dos().length; i++) {
            num += Math.abs(predictedTarget[i] - c.target()[i]);
            den += c.dos()[i];
        }
        return num / den;
    }
}
