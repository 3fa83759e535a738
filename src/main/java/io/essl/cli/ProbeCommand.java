package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.model.EsslGraph;
import io.essl.model.ModelFile;
import io.essl.report.Provenance;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.concurrent.Callable;

@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Linear probe of a saved encoder: frozen features in Spark tasks, logistic regression (MLlib).")
public class ProbeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "A model saved by pretrain.")
    String model;

    @Mixin
    ProbeOptions probeOptions;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        ModelFile.Loaded loaded;
        try {
            loaded = ModelFile.load(model, io.essl.spark.SparkContexts.hadoop(
                    ConfigLoader.load(common.config, common.overrides).spark())); // s3a settings for the model path
        } catch (java.io.FileNotFoundException e) {
            throw new ConfigError("model not found: " + model);
        } catch (Exception e) {
            throw new ConfigError("not a readable essl-spark model: " + model + " (" + e.getMessage() + ")");
        }
        // The model's own recorded configuration is the base: same data and normalisation unless overridden.
        EsslConfig conf = ConfigLoader.load(ConfigLoader.parseRecorded((String) loaded.metadata().get("config")),
                common.config, probeOptions.withOverrides(common.overrides));
        Runs.preflight(conf);
        EsslGraph.Shape shape = Runs.shapeOf(loaded);
        try { // before Spark starts: the configured architecture must be the model's (--set model.* can change it)
            EsslGraph.extractEncoder(loaded.graph(), conf.model(), shape);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConfigError(model + ": " + e.getMessage());
        }
        Report report = new Report().recipe(conf).put("command", "probe").put("model.path", model)
                .put("model.method", loaded.metadata().get("method")).put("provenance", Provenance.of(conf));
        File reportFile = common.reportOr(new File(conf.output().dir(), "probe-report.json"));
        try (SparkSession spark = SparkContexts.start(conf.spark())) {
            Runs.probeAll(spark, conf, loaded.graph(), shape, false, report, reportFile);
        }
        Runs.finish(report, reportFile, start);
        return Main.OK;
    }
}
