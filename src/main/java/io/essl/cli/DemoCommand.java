package io.essl.cli;

import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.data.IdxSource;
import io.essl.data.ImageRecord;
import io.essl.augment.FourFoldRotation;
import io.essl.model.EsslGraph;
import io.essl.model.ModelFile;
import io.essl.probe.ProbeJob;
import io.essl.report.Provenance;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.File;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The embedded default: Fashion-MNIST, E-SimCLR pre-training, linear probe, random-encoder floor.")
public class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        EsslConfig conf = ConfigLoader.load(ConfigLoader.recipeResource("demo.conf"), common.config, common.overrides);
        if (conf.data().dir().equals(DatasetInstaller.DIR)) DatasetInstaller.ensureFashionMnist();
        Runs.preflight(conf);
        String modelPath = new File(conf.output().dir(), "demo-model.zip").getPath();
        Report report = new Report().put("command", "demo").put("provenance", Provenance.of(conf));
        ProbeJob.Result trained, random;
        try (SparkSession spark = SparkContexts.start(conf.spark())) {
            Runs.pretrainAndSave(spark, conf, modelPath, report);
            ModelFile.Loaded loaded = ModelFile.load(modelPath, spark.sparkContext().hadoopConfiguration());
            EsslGraph.Shape shape = shapeOf(spark, conf);
            trained = ProbeJob.run(spark, conf, Runs.encoderOf(loaded.graph(), conf.model(), shape), "pre-trained");
            ComputationGraph init = new ComputationGraph(EsslGraph.pretraining(conf.model(), shape,
                    new FourFoldRotation().size(), new NoOp(), 0, conf.seed(), DataType.FLOAT));
            init.init();
            random = ProbeJob.run(spark, conf, Runs.encoderOf(init, conf.model(), shape), "random encoder");
        }
        Runs.putProbe(report, "probe", trained);
        Runs.putProbe(report, "baselines.random_encoder", random);
        System.out.println(table(conf, report, trained, random));
        Runs.finish(report, common.reportOr(new File(conf.output().dir(), "demo-report.json")), start);
        return Main.OK;
    }

    private static EsslGraph.Shape shapeOf(SparkSession spark, EsslConfig conf) {
        ImageRecord r = new IdxSource(conf.data()).load(SparkContexts.java(spark), IdxSource.Split.TEST, 1, 1).first();
        return new EsslGraph.Shape(r.channels(), r.height(), r.width());
    }

    private static String table(EsslConfig conf, Report report, ProbeJob.Result trained, ProbeJob.Result random) {
        @SuppressWarnings("unchecked")
        var pre = (java.util.Map<String, Object>) report.asMap().get("pretrain");
        String method = String.valueOf(pre.get("method"));
        StringBuilder b = new StringBuilder();
        b.append(String.format("%nessl-spark demo: %s (lambda %.2f) on %s, %.2f epoch(s), %d steps in %.0f s (%.1f img/s)%n",
                method, conf.model().lambda(), conf.data().name(), (Double) pre.get("epochs"), (Integer) pre.get("steps"),
                (Double) pre.get("seconds"), (Double) pre.get("images_per_second")));
        b.append(String.format("linear probe (logistic regression on frozen features): %d train / %d test images%n",
                trained.probe().trainRows(), trained.probe().testRows()));
        String line = "+--------------------------------------+----------+%n";
        b.append(String.format(line));
        b.append(String.format("| %-36s | %-8s |%n", "encoder", "top-1"));
        b.append(String.format(line));
        b.append(String.format("| %-36s | %8.4f |%n", method + " pre-trained", trained.probe().top1()));
        b.append(String.format("| %-36s | %8.4f |%n", "random init, same architecture", random.probe().top1()));
        b.append(String.format(line));
        return b.toString();
    }
}
