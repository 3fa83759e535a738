package io.essl.cli;

import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.report.Charts;
import io.essl.report.MemorySampler;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import io.essl.train.PretrainJob;
import io.essl.train.RunLock;
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
 * Long runs stay flat: the demo network trained for N minutes under each strategy while the heap (live after
 * GC), JavaCPP's off-heap bytes and the resident set are sampled; the least-squares slope of each after a
 * warm-up (the first 20 % of the run, at least 2 minutes) is the figure. DL4J's gradient sharing has had leak
 * reports; a leak shows as a steady positive slope, warm-up allocation does not.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Train the demo network for N minutes per strategy, sampling heap, off-heap and resident memory.")
public class SoakCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--minutes", defaultValue = "20", description = "Minutes per strategy (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--strategies", defaultValue = "averaging,sharing", split = ",",
            description = "train.strategy values to soak (default: ${DEFAULT-VALUE}).")
    List<String> strategies;

    @Option(names = "--every", defaultValue = "5", description = "Seconds between samples (default: ${DEFAULT-VALUE}).")
    double every;

    @Option(names = "--out", defaultValue = "runs/soak", description = "Samples, chart and report (default: ${DEFAULT-VALUE}).")
    File out;

    @Override
    public Integer call() throws Exception {
        List<EsslConfig> confs = new ArrayList<>();
        for (String s : strategies) {
            List<String> sets = new ArrayList<>(common.overrides);
            sets.addAll(List.of("train.strategy=" + s, "train.epochs=1000", "train.max-seconds=" + (int) (minutes * 60),
                    "train.monitor.knn-every-epochs=0", "output.dir=\"" + new File(out, s).getPath() + "\""));
            confs.add(ConfigLoader.load(ConfigLoader.recipeResource("demo.conf"), common.config, sets));
        }
        if (confs.get(0).data().dir().equals(DatasetInstaller.DIR)) DatasetInstaller.ensureFashionMnist();
        Runs.preflight(confs.get(0));
        List<Map<String, Object>> results = new ArrayList<>();
        try (RunLock lock = RunLock.acquire(SparkContexts.hadoop(confs.get(0).spark()), "bench soak", out.getPath())) {
            for (EsslConfig conf : confs) results.add(soak(conf));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("strategies", results);
        Report.write(json, confs.get(0), new File(out, "soak.json"));
        System.out.println(Report.line(json));
        return Main.OK;
    }

    private Map<String, Object> soak(EsslConfig conf) throws Exception {
        String strategy = conf.train().strategy();
        PretrainJob.Result r;
        List<MemorySampler.Sample> samples;
        try (SparkSession spark = SparkContexts.start(conf.spark()); MemorySampler sampler = new MemorySampler(every)) {
            r = new PretrainJob(conf).run(SparkContexts.java(spark));
            samples = sampler.samples();
        }
        StringBuilder lines = new StringBuilder();
        for (MemorySampler.Sample s : samples) lines.append(Report.line(Map.of("minutes", s.minutes(), "heap_mb", s.heapMb(),
                "offheap_mb", s.offHeapMb(), "rss_mb", s.rssMb()))).append('\n');
        Files.writeString(new File(out, "samples-" + strategy + ".jsonl").toPath(), lines.toString(), StandardCharsets.UTF_8);
        Charts.memory("Soak: " + strategy + ", " + r.stepsDone() + " steps", samples, new File(out, "soak-" + strategy + ".png"));

        double warm = Math.max(2, 0.2 * minutes), ran = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).minutes();
        List<MemorySampler.Sample> after = samples.stream().filter(s -> s.minutes() >= warm).toList();
        double[] t = after.stream().mapToDouble(MemorySampler.Sample::minutes).toArray();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("strategy", strategy);
        m.put("minutes", ran);
        m.put("steps", r.stepsDone());
        m.put("warmup_minutes", warm);
        m.put("samples_after_warmup", after.size());
        m.put("heap_mb_per_min", MemorySampler.slope(t, after.stream().mapToDouble(MemorySampler.Sample::heapMb).toArray()));
        m.put("offheap_mb_per_min", MemorySampler.slope(t, after.stream().mapToDouble(MemorySampler.Sample::offHeapMb).toArray()));
        m.put("rss_mb_per_min", MemorySampler.slope(t, after.stream().mapToDouble(MemorySampler.Sample::rssMb).toArray()));
        // Allocation that settles in steps (epoch boundaries, workspaces growing) weighs on the slope after a short
        // warm-up; the second half of the run says whether growth goes on.
        List<MemorySampler.Sample> late = samples.stream().filter(s -> s.minutes() >= ran / 2).toList();
        m.put("rss_mb_per_min_second_half", MemorySampler.slope(late.stream().mapToDouble(MemorySampler.Sample::minutes).toArray(),
                late.stream().mapToDouble(MemorySampler.Sample::rssMb).toArray()));
        m.put("rss_start_mb", after.isEmpty() ? Double.NaN : after.get(0).rssMb());
        m.put("rss_end_mb", samples.isEmpty() ? Double.NaN : samples.get(samples.size() - 1).rssMb());
        m.put("rss_max_mb", samples.stream().mapToDouble(MemorySampler.Sample::rssMb).max().orElse(Double.NaN));
        System.err.println("soak " + strategy + ": " + m);
        return m;
    }
}
