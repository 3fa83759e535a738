package io.essl.model;

import org.deeplearning4j.nn.graph.vertex.GraphVertex;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the backbone's time goes, per pass and layer type (for {@code bin/essl bench step --profile}).
 * Off unless enabled; then every backbone vertex call is timed (ND4J's CPU ops are synchronous).
 */
public final class StepProfile {
    private static volatile boolean enabled;
    private static final Map<String, LongAdder> NANOS = new ConcurrentHashMap<>();

    private StepProfile() {
    }

    public static void enable() {
        enabled = true;
    }

    static long start() {
        return enabled ? System.nanoTime() : 0;
    }

    static void stop(String pass, GraphVertex v, long start) {
        if (!enabled) return;
        String kind = v.hasLayer() ? v.getLayer().conf().getLayer().getClass().getSimpleName() : v.getClass().getSimpleName();
        NANOS.computeIfAbsent(pass + " " + kind, k -> new LongAdder()).add(System.nanoTime() - start);
    }

    /** Seconds per "pass layer-type" since the last call. */
    public static Map<String, Double> drainSeconds() {
        Map<String, Double> out = new TreeMap<>();
        NANOS.forEach((k, v) -> out.put(k, v.sumThenReset() / 1e9));
        return out;
    }
}
