package io.essl.cli;

import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.concurrent.Callable;

@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "pretrain, save the model, then probe the trained encoder: one Spark application, one report.")
public class PipelineCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ProbeOptions probeOptions;

    @Option(names = "--model", paramLabel = "PATH", description = "Where to save the model. Default: <output.dir>/model.zip")
    String model;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        EsslConfig conf = ConfigLoader.load(common.config, probeOptions.withOverrides(common.overrides));
        Runs.preflight(conf);
        String modelPath = model != null ? model : new File(conf.output().dir(), "model.zip").getPath();
        File reportFile = common.reportOr(new File(conf.output().dir(), "pipeline-report.json"));
        try (Runs.Claim claim = Runs.claim(conf, "pipeline", false)) {
            Report report = new Report().recipe(conf).put("command", "pipeline").put("provenance", Runs.provenance(conf, claim));
            try (SparkSession spark = SparkContexts.start(conf.spark())) {
                Runs.pretrainAndProbe(spark, conf, claim, modelPath, false, report, reportFile);
            }
            System.out.println("model: " + modelPath);
            Runs.finish(report, reportFile, start);
        }
        return Main.OK;
    }
}
