package io.essl.cli;

import io.essl.config.ConfigError;
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

@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pre-train an encoder with E-SimCLR on Spark and save it as one model file.")
public class PretrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", paramLabel = "PATH", description = "Where to save the model (local, hdfs://, s3a://). "
            + "Default: <output.dir>/model.zip")
    String model;

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint (train.resume = auto).")
    boolean resume;

    @Option(names = "--force", description = "With --resume: continue although the recipe differs from the "
            + "checkpoint's (the differing keys are recorded in provenance).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        java.util.List<String> sets = new java.util.ArrayList<>(common.overrides);
        if (resume) sets.add(0, "train.resume=auto");
        EsslConfig conf = ConfigLoader.load(common.config, sets);
        if (force && !conf.train().resume().equals("auto")) throw new ConfigError("--force only applies with --resume");
        Runs.preflight(conf);
        String modelPath = model != null ? model : new File(conf.output().dir(), "model.zip").getPath();
        try (Runs.Claim claim = Runs.claim(conf, "pretrain", force)) {
            Report report = new Report().recipe(conf).put("command", "pretrain").put("provenance", Runs.provenance(conf, claim));
            try (SparkSession spark = SparkContexts.start(conf.spark())) {
                Runs.pretrainAndSave(spark, conf, claim, modelPath, report);
            }
            System.out.println("model: " + modelPath);
            Runs.finish(report, common.reportOr(new File(conf.output().dir(), "pretrain-report.json")), start);
        }
        return Main.OK;
    }
}
