package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import io.essl.model.Backbones;
import io.essl.model.EncoderExport;
import io.essl.model.EsslGraph;
import io.essl.model.ModelFile;
import io.essl.report.Provenance;
import io.essl.report.Report;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code essl export}: a saved model's frozen encoder as DL4J's own layers (a zip any DL4J program restores) and a
 * JSON sidecar with what such a program needs to embed an image as the probe does: input geometry, the pixel
 * scaling and normalisation, the input and feature names, and where the model came from. No Spark.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a saved model's frozen encoder as a plain DL4J model (NAME.zip) with a JSON sidecar (NAME.json).")
public class ExportCommand implements Callable<Integer> {
    static final String FORMAT = "essl-spark encoder v1";

    @Mixin
    CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "A model saved by pretrain.")
    String model;

    @Option(names = "--output", required = true, paramLabel = "PATH",
            description = "The encoder, NAME.zip (replaced); the sidecar goes beside it as NAME.json.")
    String output;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        if (!output.endsWith(".zip")) throw new ConfigError("--output must end in .zip (the sidecar goes beside it as .json): " + output);
        ModelFile.Loaded loaded = Runs.loadModel(model, common);
        EsslConfig conf = Runs.modelConfig(loaded, common, common.overrides);
        EsslGraph.Shape shape = Runs.shapeOf(loaded);
        if (conf.data().mean().length != shape.channels()) {
            throw new ConfigError("data.mean has " + conf.data().mean().length + " values but the encoder takes "
                    + shape.channels() + " channels");
        }
        ComputationGraph encoder = Runs.encoderOf(loaded, conf, shape, model);
        EncoderExport.Checked exported = EncoderExport.of(encoder, shape);
        Map<String, Object> provenance = Provenance.of(conf);
        Map<String, Object> sidecar = sidecar(conf, shape, exported, model, loaded.metadata(), provenance);
        EncoderExport.write(exported.graph(), sidecar, output, io.essl.spark.SparkContexts.hadoop(conf.spark()));
        System.out.printf("exported %s: %s, %d features from %dx%dx%d images, max |diff| %.2e against ours%n", output,
                conf.model().backbone(), EsslGraph.backboneSpec(conf.model(), shape.channels()).features(),
                shape.channels(), shape.height(), shape.width(), exported.maxAbsDiff());
        Report report = new Report().recipe(conf).put("command", "export").put("model.path", model)
                .put("output", output).put("sidecar", EncoderExport.sidecarPath(output))
                .put("features", sidecar.get("output")).put("check", sidecar.get("check")).put("provenance", provenance);
        Runs.finish(report, common.reportOr(new File(conf.output().dir(), "export-report.json")), start);
        return Main.OK;
    }

    /** The sidecar: everything a DL4J-only program needs besides the zip, and where both came from. */
    static Map<String, Object> sidecar(EsslConfig conf, EsslGraph.Shape shape, EncoderExport.Checked exported,
                                       String modelPath, Map<String, Object> source, Map<String, Object> provenance) {
        ComputationGraph g = exported.graph();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("format", FORMAT);
        s.put("input", map("name", g.getConfiguration().getNetworkInputs().get(0), "layout", "NCHW", "dtype",
                g.getConfiguration().getDataType().name().toLowerCase(java.util.Locale.ROOT),
                "channels", shape.channels(), "height", shape.height(), "width", shape.width()));
        // As FeatureExtractor prepares images: 8-bit values x 1/255, then per channel (x - mean) / std.
        s.put("normalisation", map("pixel_scale", 1.0 / 255, "mean", conf.data().mean(), "std", conf.data().std(),
                "formula", "x[c] = (pixel[c] * pixel_scale - mean[c]) / std[c], pixel[c] in 0..255",
                "gray_to_rgb", conf.data().toRgb(),
                "other_sizes", "the centre square of the shorter side, resized (bilinear) to height x width"));
        s.put("output", map("name", g.getConfiguration().getNetworkOutputs().get(0), "features",
                EsslGraph.backboneSpec(conf.model(), shape.channels()).features()));
        s.put("backbone", map("name", conf.model().backbone(), "width", conf.model().width(),
                "stem_channels", Backbones.Spec.base(conf.model().width())));
        Map<String, Object> from = new LinkedHashMap<>();
        from.put("path", modelPath);
        for (String k : List.of("format", "method", "lambda", "group", "group_size", "dataset", "epochs_done", "steps",
                "provenance")) {
            if (source.containsKey(k)) from.put(k, source.get(k));
        }
        s.put("source", from);
        s.put("check", map("probe_rows", EncoderExport.PROBE_ROWS, "max_abs_diff", exported.maxAbsDiff(),
                "tolerance", EncoderExport.TOLERANCE * exported.scale()));
        s.put("export", provenance);
        return s;
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
