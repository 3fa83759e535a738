package io.essl.cli;

import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.model.EsslGraph;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import io.essl.train.PretrainJob;
import io.essl.train.ResidentAveraging;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.DoubleSupplier;

/**
 * {@code essl bench spark}: where a distributed pre-training step's time goes (docs/scaling.md). For each strategy
 * and averaging frequency F, the real pre-training job runs in Spark local mode with one worker on Fashion-MNIST;
 * a round (one step: F batches per worker, then the averaging or the sharing) is timed, and the fixed cost per round
 * is what is left after F plain {@code fit()}s of the same batch (timed in the same run) and the views the tasks
 * made (timed inside them); with two or more frequencies, also the line through a strategy's rounds, which needs no
 * plain fit. The parts a round can be made of are timed one by one beside it. With {@code --setup-sizes}, the epoch
 * set-up of both epoch orders on synthetic JPEG trees ({@link EpochSetupBench}).
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = "Fixed cost per Spark training round by part, per strategy and averaging frequency, beside a plain fit().")
class SparkBench implements Callable<Integer> {
    @Option(names = "--backbone", defaultValue = "resnet18-small", description = "resnet18-small or resnet50 (default: ${DEFAULT-VALUE}).")
    String backbone;

    @Option(names = "--width", defaultValue = "16", description = "Stem channels, 64 = model.width 1.0 (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--batch", defaultValue = "128", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--size", defaultValue = "28", description = "Side of views 1 and 2; view 3 is half (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--strategies", split = ",", defaultValue = "averaging,dl4j-averaging,sharing",
            description = "train.strategy values (default: ${DEFAULT-VALUE}).")
    List<String> strategies;

    @Option(names = "--frequencies", split = ",", defaultValue = "1,4,8",
            description = "Batches per worker and round, train.averaging-frequency (default: ${DEFAULT-VALUE}).")
    List<Integer> frequencies;

    @Option(names = "--workers", defaultValue = "1", description = "train.workers of the rounds; more than 1 on a cluster "
            + "(deploy/local-cluster.sh submit bench spark ...) (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--jit-fits", defaultValue = "40", description = "Plain fits before anything is timed, for the JIT "
            + "(default: ${DEFAULT-VALUE}).")
    int jitFits;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed rounds first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--steps", defaultValue = "5", description = "Timed rounds; medians count (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--setup-sizes", split = ",", description = "Epoch set-up on synthetic JPEG trees of these many images, "
            + "e.g. 10000,50000,200000 (default: none).")
    List<Integer> setupSizes = List.of();

    @Option(names = "--setup-dir", description = "Where the synthetic trees are written and reused (default: <tmp>/essl-synthetic).")
    java.io.File setupDir = new java.io.File(System.getProperty("java.io.tmpdir"), "essl-synthetic");

    @Option(names = "--block-images", defaultValue = "2500", description = "Images per block (data.partitions = images / this) "
            + "in the set-up runs (default: ${DEFAULT-VALUE}).")
    int blockImages;

    @Option(names = "--no-rounds", description = "Only the set-up measurements (no training rounds, no parts).")
    boolean noRounds;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || warmup < 0 || workers < 1 || frequencies.stream().anyMatch(f -> f < 1) || blockImages < 1
                || setupSizes.stream().anyMatch(n -> n < batch)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--steps and --block-images must be "
                    + "at least 1, --warmup at least 0, every frequency at least 1 and every set-up size at least --batch");
        }
        Map<String, Object> json = new LinkedHashMap<>();
        if (!noRounds) rounds(json);
        List<Map<String, Object>> setup = new ArrayList<>();
        for (int images : setupSizes) setup.addAll(EpochSetupBench.measure(setupDir, images, blockImages, batch));
        json.putIfAbsent("configs", List.of());
        json.put("setup", setup);
        System.out.println(Report.line(json));
        return Main.OK;
    }

    /** The training rounds per strategy and frequency, and the parts: json's configs and parts_s. */
    private void rounds(Map<String, Object> json) throws Exception {
        DatasetInstaller.ensureFashionMnist();
        EsslGraph.Shape shape = new EsslGraph.Shape(1, size, size, size / 2);
        ComputationGraph graph = BenchCommand.pretrainingGraph(config("averaging", 1), shape);
        MultiDataSet[] batches = {BenchCommand.randomBatch(batch, shape, true), BenchCommand.randomBatch(batch, shape, true)};
        json.put("threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "" + Runtime.getRuntime().availableProcessors()));
        json.put("batch", batch);
        json.put("size", size);
        // The plain fits run on one long-lived thread of their own, as the resident averaging's networks do (ND4J's
        // workspaces belong to a thread). Earlier runs had a fit on the JVM's main thread 1.1-1.4x slower than in a
        // task (docs/operations.md), which would flatter the fixed cost; it is reported beside (2026-12-05: equal).
        ExecutorService plainThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "essl-bench-plain"));
        try {
            rounds(json, graph, batches, plainThread);
        } finally {
            plainThread.shutdown();
        }
    }

    private void rounds(Map<String, Object> json, ComputationGraph graph, MultiDataSet[] batches, ExecutorService plainThread)
            throws Exception {
        DoubleSupplier plainFit = () -> onThread(plainThread, () -> timed(() -> graph.fit(batches[0])));
        // DL4J's Java side needs many steps before the JIT has compiled it: measured at width 16, fits 13-18 took
        // 1.0-1.35 s and fits 30-40 0.72-0.89 s. Rounds measured before that charge the JIT to the round.
        for (int i = 0; i < Math.max(warmup, jitFits); i++) {
            MultiDataSet b = batches[i % 2];
            onThread(plainThread, () -> timed(() -> graph.fit(b)));
        }
        double plain = median(plainFit);
        double plainMain = median(() -> timed(() -> graph.fit(batches[0])));
        long stateBytes = 4L * (graph.params().length() + graph.getUpdater().getStateViewArray().length());
        System.out.printf("%s width %d, batch %d, %d px: plain fit() %.3f s; parameters + updater state %.1f MB%n",
                backbone, width, batch, size, plain, stateBytes / 1e6);

        Map<String, Double> parts = parts(config("averaging", 1), graph, batches[0], plain);
        parts.put("plain_fit_main_thread", plainMain);
        json.put("parts_s", parts);
        List<Map<String, Object>> configs = new ArrayList<>();
        for (String strategy : strategies) {
            for (int f : frequencies) {
                // the plain fit again just before each configuration: this machine's speed drifts by 10-20 % over minutes
                double plainNow = median(plainFit);
                Map<String, Object> c = round(strategy, f, stateBytes);
                // ... and after it, reported only: right after a pre-training job in this JVM the plain fit ran
                // 1.5-2.5x slower than before it (measured, cause not found), so it is no yardstick
                c.put("plain_fit_after_s", median(plainFit));
                c.put("plain_fit_s", plainNow);
                c.put("train_s_per_batch", plainNow);
                c.put("fixed_s_per_round", (double) c.get("round_s") - f * plainNow - (double) c.get("views_s_per_round"));
                configs.add(c);
                System.out.printf("%-15s F=%d: round %.3f s = %d x plain %.3f s + views %.3f s + fixed %.3f s (%.1f %% of a plain fit); "
                                + "%.1f MB moved by Spark per round%n", strategy, f, (double) c.get("round_s"), f, plainNow,
                        (double) c.get("views_s_per_round"), (double) c.get("fixed_s_per_round"),
                        100 * (double) c.get("fixed_s_per_round") / plainNow, (long) c.get("bytes_per_round") / 1e6);
                if (c.containsKey("fixed_in_round_s")) {
                    System.out.printf("%-15s F=%d: in the round, the worker's fit() %.3f s, the rest besides views %.3f s "
                                    + "(%.1f %% of the plain fit, %.1f %% of the worker's own)%n", strategy, f,
                            (double) c.get("worker_fit_s_per_round"), (double) c.get("fixed_in_round_s"),
                            100 * (double) c.get("fixed_in_round_s") / plainNow,
                            100 * (double) c.get("fixed_in_round_s") / (double) c.get("worker_fit_s_per_round"));
                }
            }
        }
        slopes(configs);
        json.put("configs", configs);
    }

    /**
     * Per strategy with two or more frequencies, the least-squares line round = fixed + F x per batch through its
     * rounds: a second estimate that needs no plain fit (a fit on the driver's thread has run 0.8-1.5x the in-task
     * one on this machine), added to its configurations as slope_fixed_s_per_round and slope_s_per_batch.
     */
    private static void slopes(List<Map<String, Object>> configs) {
        Map<Object, List<Map<String, Object>>> byStrategy = new LinkedHashMap<>();
        for (Map<String, Object> c : configs) byStrategy.computeIfAbsent(c.get("strategy"), k -> new ArrayList<>()).add(c);
        for (List<Map<String, Object>> cs : byStrategy.values()) {
            if (cs.size() < 2) continue;
            double n = cs.size(), sx = 0, sy = 0, sxx = 0, sxy = 0;
            for (Map<String, Object> c : cs) {
                double x = ((Number) c.get("frequency")).doubleValue(), y = (double) c.get("round_s") - (double) c.get("views_s_per_round");
                sx += x;
                sy += y;
                sxx += x * x;
                sxy += x * y;
            }
            if (n * sxx - sx * sx == 0) continue; // one frequency, repeated: no line
            double b = (n * sxy - sx * sy) / (n * sxx - sx * sx), a = (sy - b * sx) / n;
            for (Map<String, Object> c : cs) {
                c.put("slope_fixed_s_per_round", a);
                c.put("slope_s_per_batch", b);
            }
            System.out.printf("%-15s line through its rounds (views taken out): fixed %.3f s + F x %.3f s per batch%n",
                    cs.get(0).get("strategy"), a, b);
        }
    }

    /**
     * One strategy at one frequency through the real pre-training job; medians over the timed rounds (the caller
     * adds the plain fit and the fixed cost).
     */
    private Map<String, Object> round(String strategy, int f, long stateBytes) throws Exception {
        EsslConfig conf = config(strategy, f);
        TaskBytes bytes = new TaskBytes();
        PretrainJob.Result r;
        try (SparkSession session = SparkContexts.start(conf.spark())) {
            session.sparkContext().addSparkListener(bytes);
            r = new PretrainJob(conf).run(SparkContexts.java(session));
        }
        List<PretrainJob.StepLog> timed = r.history().subList(warmup, r.history().size());
        // a step trains workers x F batches: its wall time from the images per second the job logged (until
        // 2026-12-05 this left out the workers factor, halving the cluster's rounds at --workers 2)
        double round = median(timed.stream().mapToDouble(l -> stepSeconds(l, f)).toArray());
        double views = median(timed.stream().mapToDouble(l -> l.viewSeconds() / workers).toArray()); // per worker
        // the workers' own fit() time inside the round (the resident averaging reports it): what is left of the round
        // besides it and the views is the fixed cost measured in the round itself, free of the plain fit's drift
        double train = median(timed.stream().mapToDouble(l -> l.trainSeconds() / workers).toArray());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("backbone", backbone);
        c.put("width", width);
        c.put("strategy", strategy);
        c.put("frequency", f);
        c.put("round_s", round);
        c.put("views_s_per_round", views);
        if (train > 0) {
            c.put("worker_fit_s_per_round", train);
            c.put("fixed_in_round_s", median(timed.stream().mapToDouble(l -> stepSeconds(l, f)
                    - l.viewSeconds() / workers - l.trainSeconds() / workers).toArray()));
        }
        // includes the epoch's set-up shuffle (EpochBatches), spread over the rounds run
        c.put("bytes_per_round", bytes.total() / Math.max(1, r.stepsDone()));
        // what an averaging round moves each way per worker on a cluster (local mode hands it over in memory)
        c.put("state_bytes", stateBytes);
        return c;
    }

    /**
     * The parts a round can be made of (medians): an empty Spark job; the resident averaging's round by part
     * (broadcast, the job, inside it the worker's copy-in and training, the rest of the job: scheduling, the task's
     * result to the driver, the reduce; the driver's division); what DL4J's averaging adds every round: a
     * worker network built from the configuration and the extra cost of a fresh network's first fit; and the extra
     * cost of a warm network's fit on a thread it has not run on (new workspaces).
     */
    private Map<String, Double> parts(EsslConfig conf, ComputationGraph graph, MultiDataSet batch, double plain) {
        Map<String, Double> p = new LinkedHashMap<>();
        try (SparkSession session = SparkContexts.start(conf.spark())) {
            JavaSparkContext sc = SparkContexts.java(session);
            List<Integer> one = List.of(1);
            for (int i = 0; i < warmup; i++) sc.parallelize(one, 1).count();
            p.put("spark_job", median(() -> timed(() -> sc.parallelize(one, 1).count())));
            // the resident averaging's own account of a round (one worker, F = 1, batches made on the driver)
            List<MultiDataSet> oneBatch = List.of(batch);
            try (ResidentAveraging trainer = new ResidentAveraging(sc, graph)) {
                List<ResidentAveraging.Round> rounds = new ArrayList<>();
                for (int i = 0; i < warmup + steps; i++) {
                    trainer.fit(sc.parallelize(oneBatch, 1));
                    if (i >= warmup) rounds.add(trainer.lastRound());
                }
                p.put("averaging_broadcast", median(rounds.stream().mapToDouble(ResidentAveraging.Round::broadcast).toArray()));
                p.put("averaging_job", median(rounds.stream().mapToDouble(ResidentAveraging.Round::job).toArray()));
                p.put("averaging_worker_load", median(rounds.stream().mapToDouble(ResidentAveraging.Round::load).toArray()));
                p.put("averaging_worker_train", median(rounds.stream().mapToDouble(ResidentAveraging.Round::train).toArray()));
                p.put("averaging_worker_hand_back", median(rounds.stream().mapToDouble(ResidentAveraging.Round::handBack).toArray()));
                p.put("averaging_job_besides_worker", median(rounds.stream()
                        .mapToDouble(r -> r.job() - r.load() - r.train() - r.build() - r.handBack()).toArray()));
                p.put("averaging_average", median(rounds.stream().mapToDouble(ResidentAveraging.Round::average).toArray()));
            }
        }
        p.put("network_build", median(() -> timed(() -> {
            ComputationGraph g = new ComputationGraph(graph.getConfiguration().clone());
            g.init();
            g.setParams(graph.params());
        })));
        p.put("first_fit_extra", median(() -> {
            ComputationGraph g = new ComputationGraph(graph.getConfiguration().clone());
            g.init();
            return timed(() -> g.fit(batch));
        }) - plain);
        // ND4J's workspaces belong to a thread: the same warm network's first fit on a thread it never ran on
        p.put("new_thread_fit_extra", median(() -> {
            double[] t = new double[1];
            Thread th = new Thread(() -> t[0] = timed(() -> graph.fit(batch)));
            th.start();
            try {
                th.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return t[0];
        }) - plain);
        return p;
    }

    private double stepSeconds(PretrainJob.StepLog l, int f) {
        return (double) batch * f * workers / l.imagesPerSecond();
    }

    private EsslConfig config(String strategy, int f) throws java.io.IOException {
        return ConfigLoader.load(null, List.of("model.backbone=" + backbone, "model.width=" + width / 64.0,
                "train.strategy=" + strategy, "train.workers=" + workers, "train.batch-size=" + batch, "train.averaging-frequency=" + f,
                "train.epochs=1", "train.warmup-epochs=0", "train.monitor.knn-every-epochs=0",
                "data.pretrain-limit=" + batch * f * workers * (warmup + steps), "augment.view-size=" + size,
                "augment.view3-size=" + size / 2, "spark.master=\"local[1]\"", "spark.conf.\"spark.ui.enabled\"=false",
                "output.dir=\"" + Files.createTempDirectory("essl-bench-spark").toString().replace('\\', '/') + "\""));
    }

    private static double onThread(ExecutorService thread, Callable<Double> work) {
        try {
            return thread.submit(work).get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double timed(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private double median(DoubleSupplier one) {
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) t[i] = one.getAsDouble();
        return median(t);
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * Bytes Spark moved for the tasks of the jobs whose description starts with a prefix: task results and shuffle
     * reads and writes ({@link #total}), and shuffle writes alone ({@link #shuffleWritten}).
     */
    static final class TaskBytes extends SparkListener {
        private final String prefix;
        private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
        private final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong shuffleWritten = new java.util.concurrent.atomic.AtomicLong();

        /** The training rounds' jobs (the kNN monitor's left out). */
        TaskBytes() {
            this("pretrain epoch");
        }

        TaskBytes(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public void onJobStart(SparkListenerJobStart job) {
            String what = job.properties() == null ? null : job.properties().getProperty("spark.job.description");
            if (what != null && what.startsWith(prefix) && !what.contains("kNN")) {
                for (Object id : scala.collection.JavaConverters.seqAsJavaList(job.stageIds())) stages.add((Integer) id);
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd task) {
            if (!stages.contains(task.stageId()) || task.taskMetrics() == null) return;
            var m = task.taskMetrics();
            long written = m.shuffleWriteMetrics().bytesWritten();
            bytes.addAndGet(m.resultSize() + m.shuffleReadMetrics().totalBytesRead() + written);
            shuffleWritten.addAndGet(written);
        }

        long total() {
            return bytes.get();
        }

        long shuffleWritten() {
            return shuffleWritten.get();
        }
    }
}
