package io.essl.train;

import io.essl.config.EsslConfig;
import io.essl.model.EsslGraph;
import io.essl.model.SslMethod;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plain-JSON metadata beside the weights in model files and checkpoints (essl-metadata.json): one builder for
 * both, so that a checkpoint says as much about where it came from as the model file made from it.
 */
public final class ModelMetadata {
    private ModelMetadata() {
    }

    /** What every saved network carries: method, input geometry, the network's settings, the recipe, provenance. */
    private static Map<String, Object> common(String format, EsslConfig conf, EsslGraph.Shape shape, Map<String, Object> provenance) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("method", SslMethod.displayName(conf.model()));
        m.put("lambda", conf.model().lambda());
        m.put("group", io.essl.augment.Groups.nameOf(conf.model()));
        m.put("group_size", io.essl.augment.Groups.sizeOf(conf.model(), conf.seed()));
        m.put("dataset", conf.data().name());
        m.put("input_shape", List.of(shape.channels(), shape.height(), shape.width()));
        m.put("view3_size", shape.view3Size());
        m.put("model", conf.model());
        m.put("provenance", provenance);
        m.put("config", conf.rendered());
        return m;
    }

    /** A checkpoint of {@code step} (the resume point) in {@code epoch} (0-based). */
    static Map<String, Object> checkpoint(EsslConfig conf, EsslGraph.Shape shape, Map<String, Object> provenance, int step,
                                          int epoch) {
        Map<String, Object> m = common("essl-spark checkpoint v1", conf, shape, provenance);
        m.put("step", step);
        m.put("epoch", epoch);
        return m;
    }

    /** The model file of a finished (or time-limited) run. */
    public static Map<String, Object> model(EsslConfig conf, PretrainJob.Result r, Map<String, Object> provenance) {
        Map<String, Object> m = common("essl-spark model v1", conf, r.shape(), provenance);
        m.put("epochs_planned", conf.train().epochs());
        m.put("epochs_done", r.epochsDone());
        m.put("steps", r.stepsDone());
        m.put("workers", r.workers());
        int n = conf.train().batchSize();
        m.put("images_per_worker_batch", n);
        m.put("negatives_per_row", conf.model().loss().equals("ntxent") ? 2 * n - 2 : n - 1);
        return m;
    }
}
