package io.essl.spark;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import org.apache.spark.SparkEnv;
import org.apache.spark.metrics.source.Source;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * Pre-training's numbers as a source of Spark's own metrics system on the driver (source name {@code essl}), so that
 * whatever sinks the cluster configures (Prometheus servlet, JMX, Graphite, CSV) see them beside Spark's: the step
 * and epoch, the loss parts, the group head's accuracy, the kNN monitor, the learning rate, images/s, the ETA, the
 * age of the last checkpoint and the files skipped. With {@code PrometheusServlet} they appear on the driver UI's
 * {@code /metrics/prometheus} as {@code metrics_<app id>_driver_essl_<name>_Value} ({@code docs/operations.md}).
 */
public final class TrainingMetrics implements Source, AutoCloseable {
    public static final String SOURCE = "essl";
    private final MetricRegistry registry = new MetricRegistry();
    /** Written by the training loop, read by the sinks' threads. */
    private final Map<String, Double> values = new ConcurrentHashMap<>();
    private volatile long checkpointNanos;
    private final SparkEnv env;

    private TrainingMetrics(SparkEnv env) {
        this.env = env;
        for (String name : new String[]{"step", "steps_total", "epoch", "epochs_total", "loss", "loss_invariance", "loss_group",
                "group_accuracy", "online_monitor_accuracy", "knn_monitor_top1", "learning_rate", "images_per_second", "eta_seconds", "checkpoint_step",
                "files_skipped"}) {
            gauge(name, () -> values.getOrDefault(name, Double.NaN));
        }
        gauge("checkpoint_age_seconds", () -> checkpointNanos == 0 ? Double.NaN : (System.nanoTime() - checkpointNanos) / 1e9);
    }

    /** Registers the source with this driver's metrics system (the sinks pick it up from then on). */
    public static TrainingMetrics register() {
        SparkEnv env = SparkEnv.get();
        TrainingMetrics m = new TrainingMetrics(env);
        if (env != null) env.metricsSystem().registerSource(m);
        return m;
    }

    private void gauge(String name, DoubleSupplier value) {
        registry.register(name, (Gauge<Double>) value::getAsDouble);
    }

    public void set(String name, double value) {
        if (!registry.getGauges().containsKey(name)) throw new IllegalArgumentException("no such training metric: " + name);
        values.put(name, value);
    }

    public void checkpointed(int step) {
        values.put("checkpoint_step", (double) step);
        checkpointNanos = System.nanoTime();
    }

    @Override
    public String sourceName() {
        return SOURCE;
    }

    @Override
    public MetricRegistry metricRegistry() {
        return registry;
    }

    /** Removes the source: a later run in the same application registers its own. */
    @Override
    public void close() {
        if (env != null) env.metricsSystem().removeSource(this);
    }
}
