package io.essl.cli;

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
        ModelFile.Loaded loaded = Runs.loadModel(model, common);
        EsslConfig conf = Runs.modelConfig(loaded, common, probeOptions.withOverrides(common.overrides));
        Runs.preflight(conf);
        EsslGraph.Shape shape = Runs.shapeOf(loaded);
        Runs.encoderOf(loaded, conf, shape, model); // before Spark starts: --set model.* may not match the model
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
