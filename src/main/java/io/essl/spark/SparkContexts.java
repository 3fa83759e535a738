package io.essl.spark;

import io.essl.config.EsslConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/** Starts Spark from the configuration; under spark-submit the submitted master and settings win. */
public final class SparkContexts {
    private SparkContexts() {
    }

    public static SparkSession start(EsslConfig.Spark conf) {
        SparkConf sc = new SparkConf();
        if (!sc.contains("spark.master")) sc.setMaster(conf.master());
        if (!sc.contains("spark.app.name")) sc.setAppName(conf.appName());
        sc.setIfMissing("spark.ui.showConsoleProgress", "false");
        sc.setIfMissing("spark.ui.enabled", "false");
        for (Map.Entry<String, String> e : conf.conf().entrySet()) sc.set(e.getKey(), e.getValue());
        // Java serialisation by default: Kryo (with EsslKryoRegistrator) works but measured 10 % slower per step
        // here (docs/operations.md). Whoever sets spark.serializer to Kryo gets our registrator unless they name one.
        if (sc.get("spark.serializer", "").contains("Kryo")) {
            sc.setIfMissing("spark.kryo.registrator", EsslKryoRegistrator.class.getName());
        }
        return SparkSession.builder().config(sc).getOrCreate();
    }

    public static JavaSparkContext java(SparkSession s) {
        return JavaSparkContext.fromSparkContext(s.sparkContext());
    }
}
