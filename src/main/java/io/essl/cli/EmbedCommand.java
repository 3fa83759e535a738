package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.model.EsslGraph;
import io.essl.model.ModelFile;
import io.essl.probe.Embeddings;
import io.essl.probe.ProbeData;
import io.essl.report.Provenance;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code essl embed}: a saved encoder over the images of any source the product reads (data.format idx, folder,
 * parquet; local, HDFS, S3A), embeddings to Parquet (id, split, label, embedding, features, the model's identity).
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed the images of a data set with a saved encoder (frozen, centre view) into Parquet.")
public class EmbedCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "A model saved by pretrain.")
    String model;

    @Option(names = "--input", paramLabel = "URI", description = "The images: data.dir (default: the model's training data); "
            + "set data.format (idx, folder, parquet) when it differs.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "URI", description = "Parquet output (replaced).")
    String output;

    @Option(names = "--split", defaultValue = "both", description = "train, test or both (default: ${DEFAULT-VALUE}).")
    String split;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        if (!List.of("train", "test", "both").contains(split)) throw new ConfigError("--split: train, test or both, got " + split);
        ModelFile.Loaded loaded = Runs.loadModel(model, common);
        List<String> sets = new java.util.ArrayList<>();
        if (input != null) sets.add("data.dir=\"" + input + "\"");
        sets.addAll(common.overrides);
        EsslConfig conf = ConfigLoader.load(ConfigLoader.parseRecorded((String) loaded.metadata().get("config")), common.config, sets);
        Runs.preflight(conf);
        EsslGraph.Shape shape = Runs.shapeOf(loaded);
        var encoder = Runs.encoderOf(loaded, conf, shape, model);
        @SuppressWarnings("unchecked")
        Map<String, Object> made = loaded.metadata().get("provenance") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
        Embeddings.Source source = new Embeddings.Source(model, String.valueOf(made.get("config_sha256")),
                String.valueOf(made.get("git_commit")));
        List<String> splits = split.equals("both") ? List.of("train", "test") : List.of(split);
        Report report = new Report().recipe(conf).put("command", "embed").put("model.path", model)
                .put("provenance", Provenance.of(conf));
        File reportFile = common.reportOr(new File(conf.output().dir(), "embed-report.json"));
        try (SparkSession spark = SparkContexts.start(conf.spark());
             ProbeData data = ProbeData.load(spark, conf)) {
            long t = System.nanoTime();
            Embeddings.Written written = Embeddings.write(spark, conf, data, encoder, splits, source, output);
            double seconds = (System.nanoTime() - t) / 1e9;
            report.put("images.written", written.rows()).put("skipped", data.source().skipped())
                    .put("warnings", data.source().warnings()).put("splits", splits).put("output", output)
                    .put("embedding_size", written.size()).put("seconds", seconds).put("images_per_s", written.rows() / seconds);
        }
        Runs.finish(report, reportFile, start);
        return Main.OK;
    }
}
