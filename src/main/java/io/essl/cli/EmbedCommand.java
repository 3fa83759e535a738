package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import io.essl.data.ImageFolder;
import io.essl.data.ImageRecord;
import io.essl.data.ImageSource;
import io.essl.model.EsslGraph;
import io.essl.model.ModelFile;
import io.essl.probe.EmbeddingMap;
import io.essl.probe.Embeddings;
import io.essl.report.Charts;
import io.essl.probe.ProbeData;
import io.essl.report.Provenance;
import io.essl.report.Report;
import io.essl.spark.SparkContexts;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code essl embed}: a saved encoder over the images of any source the product reads (data.format idx, folder,
 * parquet; local, HDFS, S3A) or of a flat folder of unlabelled files (--flat), embeddings to Parquet (id, path,
 * split, label, embedding, features, the model's identity).
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed the images of a data set, or of a flat folder, with a saved encoder (frozen, centre view) into Parquet.")
public class EmbedCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "A model saved by pretrain.")
    String model;

    @Option(names = "--input", paramLabel = "URI", description = "The images: data.dir (default: the model's training data); "
            + "set data.format (idx, folder, parquet) when it differs. With --flat: the folder of image files.")
    String input;

    @Option(names = "--flat", description = "--input is one folder of image files, unlabelled (no class folders, no "
            + "splits): every file directly in it, label null, split \"all\", bad files skipped and counted; decoded to "
            + "the encoder's channels and centre-cropped to its side (data.channels, augment.view-size). Never guessed "
            + "from the folder: a data set's folder and a flat one can look alike.")
    boolean flat;

    @Option(names = "--output", required = true, paramLabel = "URI", description = "Parquet output (replaced).")
    String output;

    @Option(names = "--split", description = "train, test or both (default: both; not with --flat).")
    String split;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        if (flat && input == null) throw new ConfigError("--flat needs --input: the folder of images");
        if (flat && split != null) throw new ConfigError("--split: a flat folder has no splits (its images are split \"all\")");
        String which = split == null ? "both" : split;
        if (!List.of("train", "test", "both").contains(which)) throw new ConfigError("--split: train, test or both, got " + split);
        ModelFile.Loaded loaded = Runs.loadModel(model, common);
        EsslGraph.Shape shape = Runs.shapeOf(loaded);
        List<String> sets = new ArrayList<>();
        if (input != null) sets.add("data.dir=\"" + input + "\"");
        // A flat folder holds any images, not the data set the recipe describes: they are made what the encoder
        // takes (a --set still wins).
        if (flat) sets.addAll(List.of("data.channels=" + shape.channels(), "augment.view-size=" + shape.height()));
        sets.addAll(common.overrides);
        EsslConfig conf = Runs.modelConfig(loaded, common, sets);
        ImageFolder folder = flat ? ImageFolder.flat(conf.data()) : null;
        Runs.preflight(conf, flat ? folder : ImageSource.of(conf.data()));
        var encoder = Runs.encoderOf(loaded, conf, shape, model);
        @SuppressWarnings("unchecked")
        Map<String, Object> made = loaded.metadata().get("provenance") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
        Embeddings.Source identity = new Embeddings.Source(model, String.valueOf(made.get("config_sha256")),
                String.valueOf(made.get("git_commit")));
        List<String> splits = flat ? List.of("all") : which.equals("both") ? List.of("train", "test") : List.of(which);
        Report report = new Report().recipe(conf).put("command", "embed").put("model.path", model)
                .put("provenance", Provenance.of(conf)).put("flat", flat);
        File reportFile = common.reportOr(new File(conf.output().dir(), "embed-report.json"));
        try (SparkSession spark = SparkContexts.start(conf.spark());
             ProbeData data = flat ? null : ProbeData.load(spark, conf)) {
            JavaSparkContext sc = SparkContexts.java(spark);
            ImageSource images = flat ? folder : data.source();
            List<Embeddings.Part> parts = new ArrayList<>();
            for (String s : splits) {
                ImageSource.Split part = s.equals("test") ? ImageSource.Split.TEST : ImageSource.Split.TRAIN;
                JavaRDD<ImageRecord> view = flat // all of the folder (no probe limits), at the probe's evaluation view
                        ? ProbeData.evaluationView(folder.load(sc, part, 0), conf.augment().viewSize())
                        : part == ImageSource.Split.TRAIN ? data.train() : data.test();
                parts.add(new Embeddings.Part(s, view, images.keys(sc, part)));
            }
            long t = System.nanoTime();
            Embeddings.Written written = Embeddings.write(spark, conf, parts, encoder, identity, output);
            double seconds = (System.nanoTime() - t) / 1e9;
            report.put("images.written", written.rows()).put("skipped", images.skipped())
                    .put("warnings", images.warnings()).put("splits", splits).put("output", output)
                    .put("embedding_size", written.size()).put("seconds", seconds).put("images_per_s", written.rows() / seconds);
            if (conf.probe().map() && written.rows() > 2) map(spark, conf, output, Runs.sibling(reportFile, "-map.png"), report);
        }
        Runs.finish(report, reportFile, start);
        return Main.OK;
    }

    /** The embeddings' map PNG (probe.map): first two principal components, coloured by class where known. */
    private static void map(SparkSession spark, EsslConfig conf, String output, File png, Report report) throws java.io.IOException {
        var written = spark.read().parquet(output);
        org.apache.spark.sql.Row max = written.agg(org.apache.spark.sql.functions.max("label")).first();
        int classes = max.isNullAt(0) ? 0 : max.getInt(0) + 1;
        EmbeddingMap.Points points = EmbeddingMap.ofEmbeddings(written, classes, conf.seed());
        String[] names = java.util.Arrays.copyOf(classes == 0 ? new String[0] : Runs.classNames(conf, classes), classes + 1);
        names[classes] = "unlabelled";
        boolean anyUnlabelled = java.util.Arrays.stream(points.labels()).anyMatch(l -> l == classes);
        Charts.embeddingMap("Embeddings on their first two principal components (" + points.labels().length + " points)",
                points.xy(), points.labels(), anyUnlabelled ? names : java.util.Arrays.copyOf(names, classes), png);
        report.put("map_png", png.getPath());
    }
}
