package io.essl.cli;

import io.essl.augment.Groups;
import io.essl.config.ConfigError;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.model.EsslGraph;
import io.essl.probe.ProbeData;
import io.essl.probe.ProbeJob;
import io.essl.report.Charts;
import io.essl.report.Report;
import io.essl.train.RunLock;
import io.essl.spark.SparkContexts;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The fidelity study: a method (lambda 0) against its E-variant (SimCLR: lambda 0.4 with the spec's doubled learning
 * rate) on the recipe's data, several seeds each, each probed (fast protocol and kNN), with the raw-pixel and
 * random-encoder baselines (unless --no-baselines); with --groups, one E-variant per transformation group against
 * the one baseline. Mean ± std as JSON, a Markdown table (also written into docs/results.md between markers) and a PNG.
 * With --resume, runs already finished in --out with the same resolved recipe are read back instead of run again.
 */
@Command(name = "fidelity", mixinStandardHelpOptions = true,
        description = "A method vs its E-variant (SimCLR vs E-SimCLR by default) over seeds on the recipe's data (default conf/fidelity.conf): mean ± std.")
public class FidelityCommand implements Callable<Integer> {
    static final String BEGIN = "<!-- fidelity:begin -->", END = "<!-- fidelity:end -->";

    @Mixin
    CommonOptions common;

    @Option(names = "--seeds", defaultValue = "3", description = "Seeds per method (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--out", defaultValue = "runs/fidelity", description = "Models and reports (default: ${DEFAULT-VALUE}).")
    File out;

    @Option(names = "--method", description = "simclr, simsiam or barlow-twins (default: the recipe's model.method).")
    String method;

    @Option(names = "--lambda", description = "The E-variant's model.lambda (default: the recipe's for simclr, the "
            + "reference's for the other methods: 0.08 SimSiam, 8 Barlow Twins).")
    Double lambda;

    @Option(names = "--groups", split = ",", paramLabel = "G[,G...]",
            description = "The group study: one baseline (lambda 0) and one E-variant per group, e.g. rot4,hflip,vflip,invert,"
                    + "jigsaw:4 (G:k = model.group-samples k for that arm alone: jigsaw's 24 at rot4's view-3 cost).")
    List<String> groups;

    @Option(names = "--results", defaultValue = "docs/results.md",
            description = "Markdown file whose fidelity section is replaced (\"\" = none) (default: ${DEFAULT-VALUE}).")
    String results;

    @Option(names = "--baselines", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Probe the raw-pixel and random-encoder baselines too (--no-baselines: the converged raw-pixel "
                    + "probe takes 20-45 minutes on 2 cores; docs/results.md has them) (default: ${DEFAULT-VALUE}).")
    boolean withBaselines;

    @Option(names = "--robustness", description = "Also evaluate every run's probe under corruptions (probe --robustness): "
            + "mean corruption top-1 and mCE against a random encoder per arm in the table.")
    boolean robustness;

    @Option(names = "--resume", description = "Reuse each run of --out whose report.json was made with the same resolved "
            + "recipe and probed: a study stopped part-way, or run one seed per session, goes on where it stopped.")
    boolean resume;

    /**
     * One run's results; groupAccuracy (the head's, over the last tenth of the steps) is NaN without a group head,
     * corruptionTop1 and mce without --robustness.
     */
    record Run(String method, long seed, double top1, double knnTop1, double seconds, long steps, double groupAccuracy,
               double corruptionTop1, double mce) {
    }

    /**
     * One arm of the study: its name in tables, its run folders' prefix, its lambda, its group (null: the recipe's)
     * and that group's model.group-samples (null: the recipe's).
     */
    record Arm(String name, String dir, double lambda, String group, Integer samples) {
        /** The keys that make this arm's recipe out of the study's. */
        List<String> sets() {
            List<String> s = new ArrayList<>(List.of("model.lambda=" + lambda));
            if (group != null) s.add("model.group=" + group);
            if (samples != null) s.add("model.group-samples=" + samples);
            return s;
        }
    }

    /** A --groups entry, "G" or "G:k" (k elements of G drawn per view-3 image), as the arm of that group. */
    static Arm groupArm(String entry, String eName, String eDir, double lambda) {
        String[] p = entry.split(":", -1);
        if (p.length > 2 || p[0].isBlank()) throw new ConfigError("--groups: bad entry '" + entry + "' (G or G:k, e.g. jigsaw:4)");
        Integer k = null;
        if (p.length == 2) {
            try {
                k = Integer.valueOf(p[1]);
            } catch (NumberFormatException e) {
                throw new ConfigError("--groups: bad entry '" + entry + "': k must be a whole number (G:k, e.g. jigsaw:4)");
            }
        }
        String name = eName + " " + p[0] + (k == null ? "" : " (" + k + " per image)");
        return new Arm(name, eDir + "-" + p[0] + (k == null ? "" : "-k" + k), lambda, p[0], k);
    }

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        String recipeName = common.config != null ? common.config.getPath() : "conf/fidelity.conf";
        List<String> overrides = new ArrayList<>(common.overrides);
        if (method != null) overrides.add("model.method=" + method);
        if (robustness) overrides.add("probe.robustness.enabled=true");
        EsslConfig base = ConfigLoader.load(ConfigLoader.recipeResource("fidelity.conf"), common.config, overrides);
        if (base.data().dir().equals(DatasetInstaller.DIR)) DatasetInstaller.ensureFashionMnist();
        Runs.preflight(base);
        io.essl.model.SslMethod ssl = io.essl.model.SslMethod.of(base.model());
        boolean simclr = ssl instanceof io.essl.model.SslMethod.SimClr;
        double eLambda = lambda != null ? lambda : simclr ? base.model().lambda() : ssl.referenceLambda();
        List<Arm> arms = new ArrayList<>(List.of(new Arm(ssl.displayName(0), ssl.name(), 0, null, null)));
        if (groups == null) {
            arms.add(new Arm(ssl.displayName(eLambda), "e" + ssl.name(), eLambda, null, null));
        } else {
            for (String g : groups) {
                Arm arm = groupArm(g, ssl.displayName(eLambda), "e" + ssl.name(), eLambda);
                // every group name, size and constraint checked before Spark starts
                Groups.of(ConfigLoader.load(ConfigLoader.recipeResource("fidelity.conf"), common.config,
                        withAll(overrides, arm.sets().toArray(String[]::new))).model(), base.seed());
                arms.add(arm);
            }
        }
        List<String> names = arms.stream().map(Arm::name).toList();
        double lr = base.train().baseLr();
        List<Run> runs = new ArrayList<>();
        Map<String, Double> baselines = new LinkedHashMap<>();
        try (RunLock lock = RunLock.acquire(SparkContexts.hadoop(base.spark()), "bench fidelity", out.getPath());
             SparkSession spark = SparkContexts.start(base.spark())) {
            if (withBaselines) {
                try (ProbeData data = ProbeData.load(spark, base)) {
                    baselines.put("raw pixels", ProbeJob.pixels(spark, base, data).probe().top1());
                    // the table's floor; with --robustness each run probes its own random encoder under corruptions
                    EsslConfig clean = ConfigLoader.load(ConfigLoader.recipeResource("fidelity.conf"), common.config,
                            withAll(overrides, "probe.robustness.enabled=false"));
                    baselines.put("random encoder", ProbeJob.encoder(spark, clean, data,
                            EsslGraph.randomEncoder(base.model(), shapeOf(data), base.seed()), "random encoder", false, null)
                            .probe().top1());
                }
            }
            for (int s = 0; s < seeds; s++) {
                for (Arm arm : arms) {
                    boolean e = arm.lambda() > 0;
                    long seed = base.seed() + s;
                    File dir = new File(out, arm.dir() + "-seed" + seed);
                    List<String> sets = withAll(overrides, "seed=" + seed,
                            // The spec doubles E-SimCLR's learning rate (0.06 vs 0.03 x batch/256); it says nothing
                            // of the kind for the other bases, whose two arms share the recipe's.
                            "train.base-lr=" + (e || !simclr ? lr : lr / 2), "output.dir=\"" + dir.getPath() + "\"");
                    sets.addAll(arm.sets());
                    EsslConfig conf = ConfigLoader.load(ConfigLoader.recipeResource("fidelity.conf"), common.config, sets);
                    Map<String, Object> r = resume ? Runs.finishedStudyRun(conf, dir) : null;
                    if (r == null) r = Runs.studyRun(spark, conf, dir);
                    runs.add(new Run(arm.name(), seed, Runs.num(r, "probe", "top1"), Runs.num(r, "knn", "top1"),
                            Runs.num(r, "pretrain", "seconds"), (long) Runs.num(r, "pretrain", "steps"),
                            Runs.lastGroupAccuracy(r), Runs.num(r, "robustness", "mean_top1"), Runs.num(r, "robustness", "mce")));
                }
            }
        }
        Map<String, Object> json = summary(base, names, runs, baselines, (System.nanoTime() - start) / 1e9);
        out.mkdirs();
        File png = new File(out, "fidelity.png");
        Map<String, double[]> bars = new LinkedHashMap<>();
        for (String m : names) bars.put(m, meanStd(runs, m, true));
        baselines.forEach((k, v) -> bars.put(k, new double[]{v, 0}));
        String title = "Linear probe top-1 (fast protocol), mean ± std over " + seeds + " seed(s)";
        if (groups == null) {
            Charts.meanStd(title, "top-1", bars, png);
        } else { // the baseline as a line across the groups' bars
            double baseline = bars.remove(names.get(0))[0];
            Charts.meanStd(title + "; line: " + names.get(0), "top-1", bars, baseline, png);
        }
        json.put("plot_png", png.getPath());
        Report.write(json, base, new File(out, "fidelity.json"));
        // SimCLR's study keeps the section it always had; another method's carries its name, a group study "groups"
        String marker = (groups == null ? "" : "-groups") + (simclr ? "" : "-" + ssl.name());
        String table = table(names, runs, baselines, seeds, png, recipeName, marker);
        System.out.println(table);
        if (!results.isBlank()) writeSection(new File(results), table, marker);
        System.out.println(Report.line(json));
        return Main.OK;
    }

    private static List<String> withAll(List<String> overrides, String... more) {
        List<String> l = new ArrayList<>(overrides);
        l.addAll(List.of(more));
        return l;
    }

    private static EsslGraph.Shape shapeOf(ProbeData data) {
        var first = data.train().first();
        return new EsslGraph.Shape(first.channels(), first.height(), first.width());
    }

    /** Mean and (sample) standard deviation of the probe (or kNN) top-1 of one method. */
    static double[] meanStd(List<Run> runs, String method, boolean probe) {
        return meanStd(runs, method, probe ? Run::top1 : Run::knnTop1);
    }

    static double[] meanStd(List<Run> runs, String method, java.util.function.ToDoubleFunction<Run> value) {
        return ParityCommand.meanStd(runs.stream().filter(r -> r.method().equals(method))
                .map(r -> value.applyAsDouble(r)).toList());
    }

    /** Whether the runs were evaluated under corruptions (--robustness). */
    private static boolean robust(List<Run> runs) {
        return runs.stream().anyMatch(r -> !Double.isNaN(r.corruptionTop1()));
    }

    private static Map<String, Object> summary(EsslConfig base, List<String> names, List<Run> runs, Map<String, Double> baselines,
                                               double seconds) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("what", "fidelity");
        json.put("dataset", base.data().name());
        json.put("method", base.model().method());
        for (String m : names) {
            double[] p = meanStd(runs, m, true), k = meanStd(runs, m, false);
            json.put(m + "_probe_top1_mean", p[0]);
            json.put(m + "_probe_top1_std", p[1]);
            json.put(m + "_knn_top1_mean", k[0]);
            json.put(m + "_knn_top1_std", k[1]);
            if (robust(runs)) {
                double[] c = meanStd(runs, m, Run::corruptionTop1), e = meanStd(runs, m, Run::mce);
                json.put(m + "_corruption_top1_mean", c[0]);
                json.put(m + "_corruption_top1_std", c[1]);
                json.put(m + "_mce_mean", e[0]);
                json.put(m + "_mce_std", e[1]);
            }
        }
        json.put("baselines", baselines);
        json.put("runs", runs);
        json.put("seconds", seconds);
        return json;
    }

    static String table(List<String> names, List<Run> runs, Map<String, Double> baselines, int seeds, File png,
                                String recipe, String marker) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%s%n### %s: %s vs %s (%d seed(s) each, recipe %s)%n%n", begin(marker),
                names.size() > 2 ? "Groups" : "Fidelity", names.get(0), String.join(", ", names.subList(1, names.size())), seeds, recipe));
        boolean robust = robust(runs), groupStudy = names.size() > 2;
        b.append("| encoder | linear probe top-1 (mean ± std) | kNN top-1 (mean ± std) | pre-training per run |")
                .append(groupStudy ? " group head accuracy, last 10 % of steps |" : "")
                .append(robust ? " corrupted top-1 (mean ± std) | mCE vs random encoder |" : "")
                .append("\n|---|---|---|---|").append(groupStudy ? "---|" : "").append(robust ? "---|---|" : "").append('\n');
        for (String m : names) {
            double[] p = meanStd(runs, m, true), k = meanStd(runs, m, false);
            double secs = runs.stream().filter(r -> r.method().equals(m)).mapToDouble(Run::seconds).average().orElse(0);
            long steps = (long) runs.stream().filter(r -> r.method().equals(m)).mapToLong(Run::steps).average().orElse(0);
            b.append(String.format("| %s | %.4f ± %.4f | %.4f ± %.4f | %.0f s, %d steps |", m, p[0], p[1], k[0], k[1], secs, steps));
            if (groupStudy) {
                double[] g = meanStd(runs, m, Run::groupAccuracy);
                b.append(Double.isNaN(g[0]) ? " (no head) |" : String.format(" %.3f ± %.3f |", g[0], g[1]));
            }
            if (robust) {
                double[] c = meanStd(runs, m, Run::corruptionTop1), e = meanStd(runs, m, Run::mce);
                b.append(String.format(" %.4f ± %.4f | %.3f ± %.3f |", c[0], c[1], e[0], e[1]));
            }
            b.append('\n');
        }
        baselines.forEach((k, v) -> b.append(String.format("| %s | %.4f | | |%s%s%n", k, v, groupStudy ? " |" : "", robust ? " | |" : "")));
        b.append(String.format("%nPer run: %s%n%nPlot: `%s`.%n%s%n", runs.stream()
                .map(r -> String.format("%s seed %d %.4f", r.method(), r.seed(), r.top1())).toList(), png.getPath(), end(marker)));
        return b.toString();
    }

    /** The section markers: SimCLR's study keeps the original ones, another method's carries its name. */
    static String begin(String marker) {
        return BEGIN.replace("fidelity:", "fidelity" + marker + ":");
    }

    static String end(String marker) {
        return END.replace("fidelity:", "fidelity" + marker + ":");
    }

    static void writeSection(File md, String section) throws java.io.IOException {
        writeSection(md, section, "");
    }

    /** Replaces the text between the markers (or appends it) so the study can be rerun into the same file. */
    static void writeSection(File md, String section, String marker) throws java.io.IOException {
        String text = md.isFile() ? Files.readString(md.toPath()) : "";
        String begin = begin(marker), end = end(marker);
        int a = text.indexOf(begin), z = text.indexOf(end);
        String updated = a >= 0 && z > a ? text.substring(0, a) + section.strip() + text.substring(z + end.length())
                : text + (text.endsWith("\n") ? "\n" : "\n\n") + section.strip() + "\n";
        Files.writeString(md.toPath(), updated, StandardCharsets.UTF_8);
    }
}
