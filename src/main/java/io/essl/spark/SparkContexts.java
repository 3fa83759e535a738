package io.essl.spark;

import io.essl.config.EsslConfig;
import org.apache.hadoop.conf.Configuration;
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
        for (Map.Entry<String, String> e : s3a(conf.s3()).entrySet()) sc.setIfMissing("spark.hadoop." + e.getKey(), e.getValue());
        // Java serialisation by default: Kryo (with EsslKryoRegistrator) works but measured 10 % slower per step
        // here (docs/operations.md). Whoever sets spark.serializer to Kryo gets our registrator unless they name one.
        if (sc.get("spark.serializer", "").contains("Kryo")) {
            sc.setIfMissing("spark.kryo.registrator", EsslKryoRegistrator.class.getName());
            // a training task's result is the model's parameters and updater state (77 MB at width 16, 323 MB for
            // the ImageNet graph): Kryo's default 64m output buffer would refuse it
            sc.setIfMissing("spark.kryoserializer.buffer.max", "2047m");
        }
        return SparkSession.builder().config(sc).getOrCreate();
    }

    /** Hadoop properties for spark.s3: endpoint, path style, region, and the standard AWS credential chain. */
    static Map<String, String> s3a(EsslConfig.S3 s3) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        if (!s3.endpoint().isBlank()) m.put("fs.s3a.endpoint", s3.endpoint());
        if (s3.pathStyleAccess()) m.put("fs.s3a.path.style.access", "true");
        if (!s3.region().isBlank()) m.put("fs.s3a.endpoint.region", s3.region());
        m.put("fs.s3a.aws.credentials.provider", "com.amazonaws.auth.DefaultAWSCredentialsProviderChain");
        return m;
    }

    /**
     * The Hadoop configuration Spark will have, for checks made before Spark starts (missing files, buckets
     * and credentials fail with one line then): spark.s3 and every spark.hadoop.* in spark.conf.
     */
    public static Configuration hadoop(EsslConfig.Spark conf) {
        Configuration c = new Configuration();
        for (Map.Entry<String, String> e : s3a(conf.s3()).entrySet()) c.set(e.getKey(), e.getValue());
        for (Map.Entry<String, String> e : conf.conf().entrySet()) {
            if (e.getKey().startsWith("spark.hadoop.")) c.set(e.getKey().substring("spark.hadoop.".length()), e.getValue());
        }
        return c;
    }

    public static JavaSparkContext java(SparkSession s) {
        return JavaSparkContext.fromSparkContext(s.sparkContext());
    }
}
