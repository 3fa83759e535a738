package io.essl.cli;

import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.File;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The embedded default: Fashion-MNIST, E-SimCLR pre-training, linear probe, random-encoder floor.")
public class DemoCommand implements Callable<Integer> {
    /** Printed under the table: what the figures above are and are not. */
    static final String CAVEAT = """
            What a few CPU minutes show: the pipeline works end to end on Spark and the trained encoder beats a random one
            of the same architecture. What they cannot show: a narrow network after a fraction of an epoch is not expected
            to beat logistic regression on raw pixels, and one short run does not compare E-SimCLR with SimCLR (run to
            run it varies by about a point). For that comparison, at equal budget and several seeds, run
            `bin/essl bench fidelity` (docs/results.md).""";

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        EsslConfig conf = ConfigLoader.load(ConfigLoader.recipeResource("demo.conf"), common.config, common.overrides);
        if (conf.data().dir().equals(DatasetInstaller.DIR)) DatasetInstaller.ensureFashionMnist();
        Runs.preflight(conf);
        String modelPath = new File(conf.output().dir(), "demo-model.zip").getPath();
        File reportFile = common.reportOr(new File(conf.output().dir(), "demo-report.json"));
        try (Runs.Claim claim = Runs.claim(conf, "demo", false)) {
            Report report = new Report().recipe(conf).put("command", "demo").put("provenance", Runs.provenance(conf, claim));
            try (SparkSession spark = SparkContexts.start(conf.spark())) {
                Runs.pretrainAndProbe(spark, conf, claim, modelPath, true, report, reportFile);
            }
            System.out.println(table(conf, report));
            Runs.finish(report, reportFile, start);
        }
        return Main.OK;
    }

    @SuppressWarnings("unchecked")
    private static String table(EsslConfig conf, Report report) {
        Map<String, Object> r = report.asMap();
        Map<String, Object> pre = (Map<String, Object>) r.get("pretrain");
        Map<String, Object> probe = (Map<String, Object>) r.get("probe");
        Map<String, Object> baselines = (Map<String, Object>) r.getOrDefault("baselines", Map.of());
        Map<String, Object> knn = (Map<String, Object>) r.get("knn");
        String method = String.valueOf(pre.get("method"));
        StringBuilder b = new StringBuilder();
        b.append(String.format("%nessl-spark demo: %s (lambda %.2f) on %s, %.2f epoch(s), %d steps in %.0f s (%.1f img/s)%n",
                method, conf.model().lambda(), conf.data().name(), (Double) pre.get("epochs"), (Integer) pre.get("steps"),
                (Double) pre.get("seconds"), (Double) pre.get("images_per_second")));
        b.append(String.format("linear probe (%s protocol) on frozen features: %s train / %s test images%n",
                probe.get("protocol"), probe.get("train_images"), probe.get("test_images")));
        String line = "+--------------------------------------+-----------+-----------+-----------+%n";
        b.append(String.format(line));
        b.append(String.format("| %-36s | %-9s | %-9s | %-9s |%n", "encoder", "top-1", "top-5", "kNN top-1"));
        b.append(String.format(line));
        row(b, method + " pre-trained", probe, knn);
        for (Map.Entry<String, Object> e : baselines.entrySet()) {
            String name = e.getKey().equals("random_encoder") ? "random init, same architecture" : e.getKey().replace('_', ' ');
            row(b, name, (Map<String, Object>) e.getValue(), null);
        }
        b.append(String.format(line));
        b.append(String.format("%s%n", CAVEAT));
        return b.toString();
    }

    private static void row(StringBuilder b, String name, Map<String, Object> probe, Map<String, Object> knn) {
        b.append(String.format("| %-36s | %9.4f | %9.4f | %9s |%n", name, (Double) probe.get("top1"), (Double) probe.get("top5"),
                knn == null ? "" : String.format("%.4f", (Double) knn.get("top1"))));
    }
}
