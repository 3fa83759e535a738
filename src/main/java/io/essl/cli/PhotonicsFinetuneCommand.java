package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.model.ModelFile;
import io.essl.photonics.DensityOfStates;
import io.essl.report.Charts;
import io.essl.report.Provenance;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import io.essl.probe.CellRegression;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code essl photonics finetune}: the paper's photonics comparison for one seed. Each named encoder (a pre-trained
 * model, or {@code none}: the same network from random initialisation, i.e. supervised only) is fine-tuned with a
 * regression head on the first N labelled cells for each N, and scored on held-out cells (docs/photonics.md).
 * Every arm fine-tunes by one protocol (finetune.*, augment.symmetries, normalisation, seed): the first pre-trained
 * model's recorded recipe, then --config and --set; an arm brings only its encoder and that encoder's architecture
 * ({@code none}: the protocol's).
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune encoders with a DOS regression head on N labelled cells; fractional L1 error on held-out cells.")
public class PhotonicsFinetuneCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--labelled", required = true, paramLabel = "PATH", description = "Labelled cells (photonics generate --labels).")
    String labelled;

    @Option(names = "--model", required = true, paramLabel = "NAME=PATH", description = "An encoder to fine-tune (repeatable); "
            + "PATH none: random initialisation (supervised only; alone, it needs --config conf/photonics.conf).")
    List<String> models;

    @Option(names = "--train-cells", split = ",", defaultValue = "100,400,1600", description = "Labelled training cells N "
            + "(the first N after the test cells; default: ${DEFAULT-VALUE}).")
    List<Integer> trainCells;

    @Option(names = "--test-cells", defaultValue = "400", description = "Held-out cells: the first ones by id (default: ${DEFAULT-VALUE}).")
    int testCells;

    @Option(names = "--loss", defaultValue = "l1", description = "l1 or mse (default: ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--presentations", defaultValue = "1600", description = "Cells per epoch: smaller sets are repeated "
            + "(default: ${DEFAULT-VALUE}).")
    int presentations;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        if (!loss.equals("l1") && !loss.equals("mse")) throw new ConfigError("--loss: l1 or mse, got " + loss);
        if (testCells < 1 || presentations < 1 || trainCells.stream().anyMatch(n -> n < 1)) {
            throw new ConfigError("photonics finetune: needs --test-cells, --presentations and every --train-cells >= 1");
        }
        Map<String, String> named = new LinkedHashMap<>();
        for (String m : models) {
            int eq = m.indexOf('=');
            if (eq < 1) throw new ConfigError("--model: want NAME=PATH (PATH none: random initialisation), got " + m);
            named.put(m.substring(0, eq), m.substring(eq + 1));
        }
        // every model first, so that a wrong path fails before Spark starts; each arm's encoder under its own record
        Map<String, EsslConfig.Model> architectures = new LinkedHashMap<>();
        Map<String, ComputationGraph> encoders = new LinkedHashMap<>();
        EsslConfig protocol = null;
        for (var e : named.entrySet()) {
            if (e.getValue().equals("none")) continue;
            ModelFile.Loaded loaded = Runs.loadModel(e.getValue(), common);
            EsslConfig own = ConfigLoader.load(ConfigLoader.parseRecorded((String) loaded.metadata().get("config")), null, List.of());
            architectures.put(e.getKey(), own.model());
            encoders.put(e.getKey(), Runs.encoderOf(loaded, own, Runs.shapeOf(loaded), e.getValue()));
            if (protocol == null) protocol = Runs.modelConfig(loaded, common, common.overrides);
        }
        if (protocol == null) protocol = ConfigLoader.load(common.config, common.overrides);
        Map<String, EsslConfig> confs = new LinkedHashMap<>();
        for (String name : named.keySet()) {
            confs.put(name, protocol.withModel(architectures.getOrDefault(name, protocol.model())));
        }
        File reportFile = common.reportOr(new File(protocol.output().dir(), "photonics-finetune-report.json"));
        Report report = new Report().recipe(protocol).put("command", "photonics finetune").put("labelled", labelled)
                .put("models", named).put("loss", loss).put("test_cells", testCells).put("presentations_per_epoch", presentations)
                .put("provenance", Provenance.of(protocol));
        Map<String, Map<String, Double>> errors = new LinkedHashMap<>();
        Map<String, double[][]> curves = new LinkedHashMap<>();
        int largest = trainCells.stream().mapToInt(Integer::intValue).max().orElseThrow();
        try (SparkSession spark = SparkContexts.start(protocol.spark())) {
            List<CellRegression.Cell> cells = CellRegression.read(spark, labelled);
            if (cells.size() < testCells + largest) {
                throw new ConfigError(labelled + " has " + cells.size() + " cells: fewer than --test-cells + the largest --train-cells ("
                        + (testCells + largest) + ")");
            }
            List<CellRegression.Cell> test = cells.subList(0, testCells);
            report.put("cells", cells.size());
            for (var e : named.entrySet()) {
                Map<String, Double> byN = new LinkedHashMap<>();
                for (int n : trainCells) {
                    String key = e.getKey() + ".n" + n;
                    CellRegression.Outcome o = CellRegression.run(spark, confs.get(e.getKey()), cells.subList(testCells, testCells + n),
                            test, encoders.get(e.getKey()), loss, presentations, key);
                    byN.put(String.valueOf(n), o.fractionalL1());
                    report.put(key + ".fractional_l1", o.fractionalL1()).put(key + ".mean_target_fractional_l1", o.meanTargetL1())
                            .put(key + ".steps", o.run().steps()).put(key + ".seconds", o.run().seconds())
                            .put(key + ".last_loss", o.run().history().get(o.run().history().size() - 1).loss());
                    System.out.printf("%s, %d labelled cells: fractional L1 %.4f (the training mean's: %.4f; %d steps, %.0f s)%n",
                            e.getKey(), n, o.fractionalL1(), o.meanTargetL1(), o.run().steps(), o.run().seconds());
                    if (n == largest) curves.putAll(dosCurves(e.getKey(), test, o));
                }
                errors.put(e.getKey(), byN);
            }
        }
        report.put("fractional_l1", errors);
        File png = Runs.sibling(reportFile, "-dos.png");
        Charts.lines("DOS of held-out cells: true and predicted (" + largest + " labelled cells)", "omega a / 2 pi c", "DOS", curves, png);
        report.put("dos_png", png.getPath());
        Runs.finish(report, reportFile, start);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("fractional_l1", errors);
        line.put("report", reportFile.getPath());
        System.out.println(Report.line(line));
        return Main.OK;
    }

    /** The first two held-out cells' true DOS (once) and this model's predicted DOS. */
    private static Map<String, double[][]> dosCurves(String model, List<CellRegression.Cell> test, CellRegression.Outcome o) {
        Map<String, double[][]> out = new LinkedHashMap<>();
        for (int k = 0; k < Math.min(2, test.size()); k++) {
            CellRegression.Cell c = test.get(k);
            float[] p = o.predictions().get(c.id());
            double[][] truth = new double[2][c.dos().length], pred = new double[2][c.dos().length];
            for (int i = 0; i < c.dos().length; i++) {
                truth[0][i] = pred[0][i] = DensityOfStates.frequency(i);
                truth[1][i] = c.dos()[i];
                pred[1][i] = c.dos()[i] - c.target()[i] + p[i]; // the empty lattice's DOS plus the predicted target
            }
            out.put("cell " + c.id() + " true", truth);
            out.put("cell " + c.id() + " " + model, pred);
        }
        return out;
    }
}
