package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.config.RunFailure;
import io.essl.data.Ingest;
import io.essl.report.Provenance;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.concurrent.Callable;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Check and copy an image folder tree (<input>/<class>/<file>, or a flat folder with --labels) "
                + "into Parquet shards with a manifest; bad files are skipped and listed. Run it once per split (train, "
                + "val).")
public class IngestCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--input", required = true, paramLabel = "URI", description = "Root of the tree (local, hdfs://, s3a://).")
    String input;

    @Option(names = "--output", required = true, paramLabel = "URI", description = "Folder for the shards and _manifest.json.")
    String output;

    @Option(names = "--labels", paramLabel = "URI", description = "Labels file of a flat folder (ImageNet's validation "
            + "layout): lines '<file> <class>', or Kaggle's LOC_val_solution.csv.")
    String labels;

    @Option(names = "--classes-from", paramLabel = "URI", description = "An ingest output (the training split's) whose "
            + "classes and labels this split takes, so labels agree even where a class is missing here.")
    String classesFrom;

    @Option(names = "--shard-mb", defaultValue = "256", description = "Target shard size in MB (default: ${DEFAULT-VALUE}).")
    long shardMb;

    /** " (S3 endpoint E, bucket B)" when the input or output is on S3A, else "". */
    private String s3Where(Configuration hadoop) {
        java.util.Set<String> buckets = new java.util.LinkedHashSet<>();
        for (String uri : new String[]{input, output}) {
            if (uri.startsWith("s3a://")) buckets.add(java.net.URI.create(uri).getHost());
        }
        if (buckets.isEmpty()) return "";
        String bucket = buckets.iterator().next();
        String endpoint = hadoop.get("fs.s3a.bucket." + bucket + ".endpoint", hadoop.get("fs.s3a.endpoint", ""));
        return " (S3 endpoint " + (endpoint.isBlank() ? "AWS default" : endpoint) + ", bucket"
                + (buckets.size() > 1 ? "s " : " ") + String.join(", ", buckets) + ")";
    }

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        EsslConfig conf = ConfigLoader.load(common.config, common.overrides);
        if (shardMb <= 0) throw new ConfigError("--shard-mb must be > 0");
        // Before Spark starts: a missing path, bucket or credential is one line and exit code 2.
        Configuration hadoop = SparkContexts.hadoop(conf.spark());
        try {
            Path in = new Path(input);
            if (!in.getFileSystem(hadoop).exists(in)) throw new ConfigError("input not found: " + input);
            Path out = new Path(output);
            out.getFileSystem(hadoop).exists(out); // the output's bucket and credentials too
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof ConfigError c) throw c;
            throw new ConfigError("cannot access " + input + " or " + output + ": " + RunFailure.oneLine(e));
        }
        Ingest.Input what = Ingest.Input.of(hadoop, input, labels, classesFrom);
        Report report = new Report().recipe(conf).put("command", "ingest").put("provenance", Provenance.of(conf));
        Ingest.Result r;
        try (SparkSession spark = SparkContexts.start(conf.spark())) {
            r = Ingest.run(spark, what, output, shardMb << 20, conf.data().partitions(), conf.data().maxPixels());
        } catch (Exception e) { // SparkException is checked, but Scala code throws it undeclared
            if (e instanceof ConfigError || !RunFailure.isStorage(e)) throw e;
            // Storage went away or refused us mid-run: one line with where; the manifest is written last, so the
            // output is not a data set yet and the same command replaces whatever it left.
            throw new RunFailure("ingest of " + input + " to " + output + " failed: " + RunFailure.oneLine(RunFailure.root(e))
                    + s3Where(hadoop) + "; the output has no manifest: rerun the same command", e);
        }
        report.put("input", input).put("output", output)
                .put("images.written", r.written())
                .put("classes", r.perClass())
                .put("skipped", r.skipped())
                .put("skipped_files", r.skippedFiles())
                .put("warnings", r.warnings())
                .put("warned_files", r.warnedFiles())
                .put("shards", r.shards().size())
                .put("bytes", r.bytes());
        System.out.printf("ingest: %d images in %d classes, %d shard(s), %.1f MB; skipped %s; warnings %s%n", r.written(),
                r.classes().size(), r.shards().size(), r.bytes() / 1e6, r.skipped(), r.warnings());
        Runs.finish(report, common.reportOr(new File(conf.output().dir(), "ingest-report.json")), start);
        return Main.OK;
    }
}
