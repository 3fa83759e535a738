package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.model.ModelFile;
import io.essl.probe.FeatureExtractor;
import io.essl.probe.LinearProbe;
import io.essl.report.Charts;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import io.essl.train.RunLock;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Parity with a plain PyTorch implementation: the same recipe (default conf/fidelity.conf) trained end to end by
 * our pipeline and by {@code src/main/python/torch_parity.py} (the peer's network, torchvision's views, the same
 * optimiser, schedule, batch and steps), several seeds each; both encoders' features go through the same
 * {@link LinearProbe}, so the probe is not a difference. Prints per-seed accuracies, spread and the difference.
 */
@Command(name = "parity", mixinStandardHelpOptions = true,
        description = "Our pipeline against the same recipe in plain PyTorch, equal steps, several seeds: linear-probe top-1.")
public class ParityCommand implements Callable<Integer> {
    /**
     * Set before the user's --set flags: equal steps whatever the speed (no time limit), no kNN (the comparison is
     * the linear probe). The PyTorch side trains the recipe's global batch (workers x batch-size) in one process.
     */
    static final List<String> DEFAULTS = List.of("train.max-seconds=0", "probe.knn.enabled=false",
            "train.monitor.knn-every-epochs=0");

    @Mixin
    CommonOptions common;

    @Mixin
    BenchCommand.PeerOptions peerOptions = new BenchCommand.PeerOptions();

    @Option(names = "--seeds", defaultValue = "3", description = "Seeds per side (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--lambda", description = "model.lambda for both sides (default: the recipe's).")
    Double lambda;

    @Option(names = "--script", defaultValue = "src/main/python/torch_parity.py",
            description = "The PyTorch side (default: ${DEFAULT-VALUE}).")
    File script;

    @Option(names = "--out", defaultValue = "runs/parity", description = "Models, features and reports (default: ${DEFAULT-VALUE}).")
    File out;

    @Option(names = "--reuse", description = "Train nothing: probe again, with this invocation's probe settings, the encoders "
            + "(ours-seedN/model.zip) and PyTorch features (peer-seedN) an earlier run left in --out.")
    boolean reuse;

    /** Per seed: probe top-1, training steps, whether the probe's final fit converged, pre-training seconds. */
    record Side(List<Double> top1, List<Long> steps, List<Boolean> converged, List<Double> pretrainSeconds) {
        Side() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        Map<String, Object> json() {
            double[] ms = meanStd(top1);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("top1", top1);
            m.put("mean", ms[0]);
            m.put("std", ms[1]);
            m.put("steps", steps);
            m.put("probe_converged", converged);
            m.put("pretrain_seconds", pretrainSeconds);
            return m;
        }
    }

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        List<String> sets = new ArrayList<>(DEFAULTS);
        if (lambda != null) sets.add("model.lambda=" + lambda);
        sets.addAll(common.overrides);
        EsslConfig base = ConfigLoader.load(ConfigLoader.recipeResource("fidelity.conf"), common.config, sets);
        if (base.data().dir().equals(DatasetInstaller.DIR)) DatasetInstaller.ensureFashionMnist();
        TorchRecipe.check(base);
        if (!script.isFile()) throw new ConfigError("parity script not found: " + script + " (--script PATH)");
        if (!peerOptions.peer.isFile()) throw new ConfigError("peer script not found: " + peerOptions.peer + " (--peer PATH)");
        if (!reuse) checkTorch(peerOptions.python);
        Runs.preflight(base);
        if (reuse) checkReusable(base);
        Side ours = new Side(), peer = new Side();
        Map<String, Object> json = new LinkedHashMap<>();
        try (RunLock lock = RunLock.acquire(SparkContexts.hadoop(base.spark()), "bench parity", out.getPath());
             SparkSession spark = SparkContexts.start(base.spark())) {
            for (int s = 0; s < seeds; s++) {
                long seed = base.seed() + s;
                List<String> seeded = new ArrayList<>(sets);
                File dir = new File(out, "ours-seed" + seed), peerDir = new File(out, "peer-seed" + seed);
                seeded.addAll(List.of("seed=" + seed, "output.dir=\"" + dir.getPath() + "\""));
                EsslConfig conf = ConfigLoader.load(ConfigLoader.recipeResource("fidelity.conf"), common.config, seeded);

                Map<String, Object> r = reuse ? reprobe(spark, conf, dir) : Runs.studyRun(spark, conf, dir);
                ours.top1().add(Runs.num(r, "probe", "top1"));
                ours.steps().add((long) Runs.num(r, "pretrain", "steps"));
                ours.converged().add((Boolean) section(r, "probe").get("converged"));
                ours.pretrainSeconds().add(Runs.num(r, "pretrain", "seconds"));
                write(json, conf, ours, peer, start);

                Map<String, Object> peerRun = reuse ? readIndex(peerDir) : runPeer(conf, peerDir);
                LinearProbe.Result p = probePeer(spark, conf, peerDir);
                System.out.printf("parity seed %d: ours %.4f, PyTorch %.4f (its probe: L2 %s, %d iterations)%n", seed,
                        ours.top1().get(s), p.test().top1(), p.regParam(), p.iterations());
                peer.top1().add(p.test().top1());
                peer.steps().add(((Number) peerRun.get("steps")).longValue());
                peer.converged().add(p.converged());
                peer.pretrainSeconds().add(((Number) peerRun.get("pretrain_seconds")).doubleValue());
                json.put("peer_framework", peerRun.get("framework"));
                write(json, conf, ours, peer, start);
            }
        }
        Map<String, double[]> bars = new LinkedHashMap<>();
        bars.put("ours", meanStd(ours.top1()));
        bars.put("PyTorch", meanStd(peer.top1()));
        File png = new File(out, "parity.png");
        Charts.meanStd("Linear probe top-1 at equal steps, mean ± std over " + seeds + " seed(s)", "top-1", bars, png);
        json.put("plot_png", png.getPath());
        Report.write(json, base, new File(out, "parity.json"));
        System.out.printf("ours    %s mean %.4f ± %.4f%nPyTorch %s mean %.4f ± %.4f%ndifference (ours - PyTorch) %+.4f%n",
                ours.top1(), bars.get("ours")[0], bars.get("ours")[1], peer.top1(), bars.get("PyTorch")[0],
                bars.get("PyTorch")[1], bars.get("ours")[0] - bars.get("PyTorch")[0]);
        System.out.println(Report.line(json));
        return Main.OK;
    }

    /** parity.json after every run, so that a long study stopped half-way keeps what it measured. */
    private void write(Map<String, Object> json, EsslConfig conf, Side ours, Side peer, long start) throws Exception {
        json.put("what", "parity");
        json.put("lambda", conf.model().lambda());
        json.put("recipe", common.config != null ? common.config.getPath() : "conf/fidelity.conf");
        json.put("overrides", common.overrides);
        json.put("ours", ours.json());
        json.put("peer", peer.json());
        json.put("difference", meanStd(ours.top1())[0] - meanStd(peer.top1())[0]);
        json.put("seconds", (System.nanoTime() - start) / 1e9);
        Report.write(json, conf, new File(out, "parity.json"));
    }

    private Map<String, Object> runPeer(EsslConfig conf, File dir) throws Exception {
        dir.mkdirs();
        File recipe = new File(dir, "recipe.json");
        Files.writeString(recipe.toPath(), Report.line(TorchRecipe.of(conf)), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(peerOptions.python, script.getPath(), "--recipe", recipe.getPath(),
                "--peer", peerOptions.peer.getPath(), "--out", dir.getPath())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        int rc = p.waitFor();
        if (rc != 0 || !new File(dir, "features.json").isFile()) throw new IllegalStateException("the PyTorch run failed (exit " + rc + ")");
        return readIndex(dir);
    }

    /** What torch_parity.py wrote beside its features: steps, pre-training seconds, framework, the splits' arrays. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> readIndex(File dir) throws java.io.IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readValue(new File(dir, "features.json"), Map.class);
    }

    /** --reuse: every seed's saved encoder and PyTorch features must be there, checked before Spark starts. */
    private void checkReusable(EsslConfig base) {
        for (int s = 0; s < seeds; s++) {
            long seed = base.seed() + s;
            for (File f : List.of(new File(out, "ours-seed" + seed + "/model.zip"), new File(out, "peer-seed" + seed + "/features.json"))) {
                if (!f.isFile()) throw new ConfigError("--reuse: " + f + " is missing (run bench parity without --reuse first)");
            }
        }
    }

    /**
     * --reuse, our side: the saved encoder probed as the run probed it (probe-report.json beside the model); steps
     * from the model file, pre-training seconds from the run's report.
     */
    private static Map<String, Object> reprobe(SparkSession spark, EsslConfig conf, File dir) throws Exception {
        long start = System.nanoTime();
        ModelFile.Loaded loaded = ModelFile.load(new File(dir, "model.zip").getPath(), spark.sparkContext().hadoopConfiguration());
        Report report = new Report().recipe(conf).put("command", "bench parity --reuse").put("model.path", new File(dir, "model.zip").getPath());
        File reportFile = new File(dir, "probe-report.json");
        Runs.probeAll(spark, conf, loaded.graph(), Runs.shapeOf(loaded), false, report, reportFile);
        report.put("pretrain.steps", ((Number) loaded.metadata().get("steps")).longValue());
        File trained = new File(dir, "report.json");
        @SuppressWarnings("unchecked")
        Map<String, Object> old = trained.isFile()
                ? new com.fasterxml.jackson.databind.ObjectMapper().readValue(trained, Map.class) : Map.of();
        report.put("pretrain.seconds", Runs.num(old, "pretrain", "seconds"));
        Runs.finish(report, reportFile, start);
        return report.asMap();
    }

    /** The PyTorch encoder's features (raw little-endian arrays) through our fast protocol, as ours went. */
    static LinearProbe.Result probePeer(SparkSession spark, EsslConfig conf, File dir) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> splits = (Map<String, Map<String, Object>>) readIndex(dir).get("splits");
        Dataset<Row> train = features(spark, dir, splits.get("train")).cache();
        Dataset<Row> test = features(spark, dir, splits.get("test"));
        LinearProbe.Result r = LinearProbe.fit(train, test, conf.probe(), conf.seed());
        train.unpersist();
        return r;
    }

    /** Rows made in the tasks from slices of the arrays (a local list would travel inside every L-BFGS task). */
    private static Dataset<Row> features(SparkSession spark, File dir, Map<String, Object> split) {
        int rows = ((Number) split.get("rows")).intValue(), dim = ((Number) split.get("dim")).intValue();
        String f = new File(dir, (String) split.get("features")).getPath();
        String labels = new File(dir, (String) split.get("labels")).getPath(), ids = new File(dir, (String) split.get("ids")).getPath();
        check(f, (long) rows * dim * 4);
        check(labels, rows * 4L);
        check(ids, rows * 8L);
        int p = spark.sparkContext().defaultParallelism();
        List<int[]> ranges = new ArrayList<>();
        for (int i = 0; i < p; i++) ranges.add(new int[]{(int) ((long) rows * i / p), (int) ((long) rows * (i + 1) / p)});
        var rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(ranges, p).flatMap(r -> {
            int n = r[1] - r[0];
            ByteBuffer fb = slice(f, (long) r[0] * dim * 4, n * dim * 4), lb = slice(labels, r[0] * 4L, n * 4),
                    ib = slice(ids, r[0] * 8L, n * 8);
            List<Row> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                double[] v = new double[dim];
                for (int k = 0; k < dim; k++) v[k] = fb.getFloat();
                out.add(RowFactory.create(ib.getLong(), (double) lb.getInt(), Vectors.dense(v)));
            }
            return out.iterator();
        });
        return spark.createDataFrame(rdd, FeatureExtractor.SCHEMA);
    }

    private static void check(String file, long expected) {
        long size = new File(file).length();
        if (size != expected) throw new IllegalStateException(file + ": " + size + " bytes, expected " + expected);
    }

    private static ByteBuffer slice(String file, long offset, int length) throws java.io.IOException {
        try (var ch = java.nio.channels.FileChannel.open(java.nio.file.Path.of(file))) {
            ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) throw new java.io.EOFException(file);
            }
            return b.flip();
        }
    }

    private static void checkTorch(String python) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(python, "-c", "import torch, torchvision").redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new ConfigError("bench parity needs a Python interpreter with PyTorch: " + python + " cannot be run ("
                    + BenchCommand.INSTALL + ", or --python PATH)");
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new ConfigError("bench parity needs PyTorch and torchvision for " + python + ": " + BenchCommand.INSTALL
                    + (output.contains("No module") ? "" : " (" + output.strip().lines().reduce((a, b) -> b).orElse("") + ")"));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> r, String key) {
        return (Map<String, Object>) r.get(key);
    }

    /** Mean and sample standard deviation (0 for one value, NaN for none). */
    static double[] meanStd(List<Double> v) {
        double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var = v.size() < 2 ? 0 : v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (v.size() - 1);
        return new double[]{mean, Math.sqrt(var)};
    }
}
