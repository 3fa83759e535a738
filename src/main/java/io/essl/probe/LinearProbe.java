package io.essl.probe;

import io.essl.config.EsslConfig;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast protocol: multinomial logistic regression (Spark MLlib, L-BFGS) on frozen features, run to
 * convergence ({@code probe.tolerance}; {@code probe.max-iter} is a cap whose hit is a warning). The L2
 * regularisation is chosen on a validation split carved from the training features (a fixed fraction by a hash
 * of the image id); the model is then refitted on all training features and scored once on the test split.
 */
public final class LinearProbe {
    private static final Logger log = LoggerFactory.getLogger(LinearProbe.class);

    private LinearProbe() {
    }

    /**
     * {@code iterations}: L-BFGS iterations of the final fit; {@code converged}: it stopped before the cap, i.e. on
     * MLlib's tolerance test; {@code searchConverged}: so did every fit of the regularisation search.
     */
    public record Result(Metrics test, double regParam, Map<String, Double> validationTop1,
                         Map<String, Integer> validationIterations, long trainRows, long validationRows, int features,
                         int iterations, boolean converged, boolean searchConverged, int maxIter, double tolerance,
                         LogisticRegressionModel model) {
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
        Map<String, Integer> validationIterations = new LinkedHashMap<>();
        boolean searchConverged = true;
        long validationRows = 0;
        if (grid.size() > 1) {
            Carved c = carve(train, conf.validationFraction(), seed);
            Dataset<Row> fitPart = c.fit().cache(), valPart = c.validation().cache();
            validationRows = valPart.count();
            double bestAcc = -1;
            for (double reg : grid) {
                LogisticRegressionModel candidate = estimator(conf, reg).fit(fitPart);
                double acc = evaluate(candidate, valPart, classes).top1();
                int iterations = candidate.summary().totalIterations();
                searchConverged &= converged(iterations, conf, "L2 " + reg + " on the search split");
                validation.put(Double.toString(reg), acc);
                validationIterations.put(Double.toString(reg), iterations);
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
        int iterations = model.summary().totalIterations();
        boolean converged = converged(iterations, conf, "L2 " + best + " on all training features");
        Result r = new Result(m, best, validation, validationIterations, train.count(), validationRows,
                model.numFeatures(), iterations, converged, searchConverged, conf.maxIter(), conf.tolerance(), model);
        train.unpersist();
        return r;
    }

    /**
     * MLlib (Breeze's L-BFGS) stops at the cap, on its tolerance test, or when its line search makes no progress:
     * fewer iterations than the cap means one of the latter two, i.e. the objective stopped improving.
     */
    private static boolean converged(int iterations, EsslConfig.Probe conf, String fit) {
        if (iterations < conf.maxIter()) return true;
        log.warn("probe: L-BFGS ({}) stopped at the cap of {} iterations before reaching tolerance {}: the accuracy "
                + "may be understated (raise probe.max-iter)", fit, conf.maxIter(), conf.tolerance());
        return false;
    }

    private static LogisticRegression estimator(EsslConfig.Probe conf, double reg) {
        return new LogisticRegression().setFamily("multinomial").setMaxIter(conf.maxIter()).setTol(conf.tolerance())
                .setRegParam(reg)
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
