package io.essl.probe;

import io.essl.config.EsslConfig;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast protocol: multinomial logistic regression (Spark MLlib, L-BFGS) on frozen features. The L2
 * regularisation is chosen on a validation split carved from the training features (a fixed fraction by a hash
 * of the image id); the model is then refitted on all training features and scored once on the test split.
 */
public final class LinearProbe {
    private LinearProbe() {
    }

    public record Result(Metrics test, double regParam, Map<String, Double> validationTop1, long trainRows,
                         long validationRows, int features, int iterations) {
    }

    /** Training features split into a part to fit and a part to validate on; test data never enters here. */
    public record Carved(Dataset<Row> fit, Dataset<Row> validation) {
    }

    public static Carved carve(Dataset<Row> train, double fraction, long seed) {
        // pmod(hash(id, seed), 10000) < fraction * 10000: stable, independent of partitioning.
        var inValidation = functions.pmod(functions.hash(functions.col("id"), functions.lit(seed)), functions.lit(10000))
                .lt(functions.lit(Math.round(fraction * 10000)));
        return new Carved(train.filter(functions.not(inValidation)), train.filter(inValidation));
    }

    public static Result fit(Dataset<Row> train, Dataset<Row> test, EsslConfig.Probe conf, long seed) {
        train = train.cache();
        int classes = numClasses(train);
        List<Double> grid = conf.regParams();
        double best = grid.get(0);
        Map<String, Double> validation = new LinkedHashMap<>();
        long validationRows = 0;
        if (grid.size() > 1) {
            Carved c = carve(train, conf.validationFraction(), seed);
            Dataset<Row> fitPart = c.fit().cache(), valPart = c.validation().cache();
            validationRows = valPart.count();
            double bestAcc = -1;
            for (double reg : grid) {
                double acc = evaluate(estimator(conf, reg).fit(fitPart), valPart, classes).top1();
                validation.put(Double.toString(reg), acc);
                if (acc > bestAcc) {
                    bestAcc = acc;
                    best = reg;
                }
            }
            fitPart.unpersist();
            valPart.unpersist();
        }
        LogisticRegressionModel model = estimator(conf, best).fit(train);
        Metrics m = evaluate(model, test, classes);
        Result r = new Result(m, best, validation, train.count(), validationRows, model.numFeatures(),
                model.summary().totalIterations());
        train.unpersist();
        return r;
    }

    private static LogisticRegression estimator(EsslConfig.Probe conf, double reg) {
        return new LogisticRegression().setFamily("multinomial").setMaxIter(conf.maxIter()).setRegParam(reg)
                .setElasticNetParam(0.0).setStandardization(true).setLabelCol("label").setFeaturesCol("features");
    }

    static int numClasses(Dataset<Row> labelled) {
        return (int) labelled.agg(functions.max("label")).first().getDouble(0) + 1;
    }

    /** Top-1/top-5/per-class/confusion of a fitted model, aggregated in the tasks. */
    static Metrics evaluate(LogisticRegressionModel model, Dataset<Row> data, int classes) {
        int k = Math.max(classes, model.numClasses());
        return model.transform(data).select("label", "probability").javaRDD()
                .aggregate(new Metrics(k), (m, row) -> {
                    m.add((int) row.getDouble(0), ((Vector) row.get(1)).toArray());
                    return m;
                }, Metrics::merge);
    }
}
