package io.essl.probe;

import io.essl.config.EsslConfig;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Multinomial logistic regression (Spark MLlib, L-BFGS) on frozen features; top-1 on the held-out split. */
public final class LinearProbe {
    private LinearProbe() {
    }

    public record Result(double top1, int trainRows, int testRows, int features, int iterations, String params) {
    }

    public static Result fit(Dataset<Row> train, Dataset<Row> test, EsslConfig.Probe conf) {
        LogisticRegression lr = new LogisticRegression().setFamily("multinomial").setMaxIter(conf.maxIter())
                .setRegParam(conf.regParam()).setElasticNetParam(0.0).setStandardization(true)
                .setLabelCol("label").setFeaturesCol("features");
        train = train.cache();
        test = test.cache();
        LogisticRegressionModel model = lr.fit(train);
        double top1 = new MulticlassClassificationEvaluator().setMetricName("accuracy").setLabelCol("label")
                .setPredictionCol("prediction").evaluate(model.transform(test));
        Result r = new Result(top1, (int) train.count(), (int) test.count(), model.numFeatures(),
                model.summary().totalIterations(),
                lr.extractParamMap().toString().replaceAll("\\s+", " "));
        train.unpersist();
        test.unpersist();
        return r;
    }
}
