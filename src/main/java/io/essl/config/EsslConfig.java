package io.essl.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** The validated, immutable configuration of one run. Sections mirror reference.conf. */
public record EsslConfig(long seed, Data data, Augment augment, Model model, Train train, Probe probe,
                         Finetune finetune, Spark spark, Output output, String rendered) implements Serializable {

    public record Data(String format, String name, String dir, String trainImages, String trainLabels,
                       String testImages, String testLabels, int pretrainLimit, int partitions,
                       java.util.List<String> classNames, double[] mean, double[] std, boolean toRgb,
                       String trainSplit, String testSplit, int channels, long maxPixels, int validation,
                       String epochOrder)
            implements Serializable {
        public String path(String file) {
            return file.contains("/") ? file : dir + "/" + file;
        }

        /** Folder or shards of a split (format folder or parquet): dir/train-split or dir/test-split. */
        public String splitPath(boolean train) {
            return dir + "/" + (train ? trainSplit : testSplit);
        }
    }

    public record Augment(int viewSize, int view3Size, String interpolation, double[] cropScale, double[] cropRatio,
                          double flipProbability, double[] colorJitter, double colorJitterProbability,
                          double grayscaleProbability, double[] blurSigma, double blurKernelFraction,
                          double[] blurProbability, double[] solarizeProbability, double solarizeThreshold,
                          double[] view3CropScale, java.util.List<String> symmetries) implements Serializable {
        /** The values augment.symmetries takes (augment.CellSymmetry says what they do). */
        public static final java.util.List<String> SYMMETRIES = java.util.List.of("dihedral", "translate-half");

        /** Side of views 1 and 2 for a source of this side (0 in config = the source's). */
        public int viewSize(int source) {
            return viewSize > 0 ? viewSize : source;
        }

        /** Side of view 3 (0 in config = half of views 1 and 2). */
        public int view3Size(int source) {
            return view3Size > 0 ? view3Size : Math.max(1, viewSize(source) / 2);
        }
    }

    public record Model(String backbone, double width, boolean zeroInitResidual, int[] projector,
                        boolean projectorLastBnAffine, int[] rotationHead, int rotationBottleneck, String loss,
                        double temperature, double lambda, String method, int[] predictor, double barlowOffDiagonal,
                        boolean onlineMonitor, String group, int groupSize, int groupSamples)
            implements Serializable {
    }

    public record Train(int epochs, int batchSize, String strategy, int workers, int averagingFrequency, Sharing sharing,
                        String optimizer,
                        double baseLr, double lrFloor, double momentum, double weightDecay, double larsEta, int warmupEpochs,
                        int maxSeconds, int maxSteps, String resume, String checkpointDir, int checkpointEverySteps,
                        int checkpointKeep, int knnEveryEpochs, int monitorTrainImages, int monitorTestImages)
            implements Serializable {
    }

    /** Gradient-sharing settings (train.sharing). */
    public record Sharing(String thresholdAlgorithm, double threshold, double residualClip, int residualClipEvery,
                          int port, String controller, String networkMask) implements Serializable {
    }

    public record Probe(String protocol, int trainLimit, int testLimit, java.util.List<Double> regParams,
                        double validationFraction, int maxIter, double tolerance, int batchSize, boolean baselines,
                        String exportEmbeddings, boolean knn, int knnK, double knnTemperature, int paperEpochs,
                        double paperLr, double paperMomentum, int paperBatchSize, double[] paperCropScale,
                        boolean paperStandardize, Robustness robustness, boolean map)
            implements Serializable {
    }

    /** probe.robustness: the probe evaluated under corruptions (empty list: all of them; testLimit 0: the whole split). */
    public record Robustness(boolean enabled, java.util.List<String> corruptions, int testLimit) implements Serializable {
    }

    /**
     * finetune: the whole encoder plus a linear head trained on a class-balanced fraction of the labels (SimCLR's
     * semi-supervised protocol); lr is per 256 images, as train.base-lr.
     */
    public record Finetune(double labelsFraction, int epochs, int batchSize, double baseLr, double momentum,
                           double weightDecay, double[] cropScale, String optimizer) implements Serializable {
    }

    public record Spark(String master, String appName, Map<String, String> conf, S3 s3) implements Serializable {
    }

    /** How s3a:// is reached (spark.s3); credentials are never configuration. */
    public record S3(String endpoint, boolean pathStyleAccess, String region) implements Serializable {
    }

    public record Output(String dir) implements Serializable {
    }

    /** The same configuration with another network (photonics finetune: one protocol, each arm's own encoder). */
    public EsslConfig withModel(Model m) {
        return new EsslConfig(seed, data, augment, m, train, probe, finetune, spark, output, rendered);
    }

    static EsslConfig from(Config root) {
        Settings s = new Settings(root, ConfigLoader.ROOT + ".");
        Settings d = s.section("data");
        Data data = new Data(d.oneOf("format", "idx", "folder", "parquet", "cells"), d.str("name"), d.str("dir"), d.str("train-images"),
                d.str("train-labels"), d.str("test-images"), d.str("test-labels"), d.integer("pretrain-limit", 0),
                d.integer("partitions", 0), d.strings("class-names"), d.doubles("mean"), d.doubles("std"), d.bool("to-rgb"),
                d.str("train-split"), d.str("test-split"), Integer.parseInt(d.oneOf("channels", "1", "3")), (long) d.num("max-pixels", 1, 1e12),
                d.integer("validation", 0), d.oneOf("epoch-order", "blocks", "shuffle"));
        if (data.mean().length != data.std().length || data.mean().length == 0) {
            throw new ConfigError("bad value for key essl.data.std: needs one value per channel, like essl.data.mean");
        }
        for (double v : data.std()) {
            if (v <= 0) throw new ConfigError("bad value for key essl.data.std: " + v + " (must be > 0)");
        }
        Settings a = s.section("augment");
        Augment augment = new Augment(a.integer("view-size", 0), a.integer("view3-size", 0),
                a.oneOf("interpolation", "bilinear", "bicubic"), a.range("crop-scale", 1e-3, 1), a.range("crop-ratio", 0.1, 10),
                a.num("flip-probability", 0, 1), a.doubles("color-jitter"), a.num("color-jitter-probability", 0, 1),
                a.num("grayscale-probability", 0, 1), a.range("blur-sigma", 1e-3, 100), a.num("blur-kernel-fraction", 0, 1),
                a.perView("blur-probability"), a.perView("solarize-probability"), a.num("solarize-threshold", 0, 1),
                a.range("view3-crop-scale", 1e-3, 1), java.util.List.copyOf(a.strings("symmetries")));
        for (String sym : augment.symmetries()) {
            if (!Augment.SYMMETRIES.contains(sym)) {
                throw new ConfigError("bad value for key essl.augment.symmetries: " + sym + " (one of " + Augment.SYMMETRIES + ")");
            }
        }
        if (augment.viewSize() > 0 && augment.view3Size() > augment.viewSize()) {
            throw new ConfigError("bad value for key essl.augment.view3-size: " + augment.view3Size()
                    + " is larger than augment.view-size (" + augment.viewSize() + "); view 3 is the small crop");
        }
        double[] cj = augment.colorJitter();
        if (cj.length != 4 || cj[0] < 0 || cj[1] < 0 || cj[2] < 0 || cj[3] < 0 || cj[3] > 0.5) {
            throw new ConfigError("bad value for key essl.augment.color-jitter: want [brightness, contrast, saturation, hue]"
                    + " all >= 0 and hue <= 0.5");
        }
        Settings m = s.section("model");
        Model model = new Model(m.oneOf("backbone", "resnet18-small", "resnet50", "conv7"), m.num("width", 1.0 / 64, 16),
                m.bool("zero-init-residual"), m.ints("projector", 1), m.bool("projector-last-bn-affine"),
                m.ints("rotation-head", 1), m.integer("rotation-bottleneck", 0), m.oneOf("loss", "infonce", "ntxent"),
                m.num("temperature", 0.01, 100), m.num("lambda", 0, 100), m.oneOf("method", "simclr", "simsiam", "barlow-twins"),
                m.ints("predictor", 1), m.num("barlow-off-diagonal", 0, 1), m.bool("online-monitor"),
                m.oneOf("group", "rot4", "hflip", "vflip", "invert", "grayscale", "jigsaw", "translate-half", "none"),
                m.integer("group-size", 0), m.integer("group-samples", 0));
        if (model.projector().length == 0) {
            throw new ConfigError("bad value for key essl.model.projector: needs at least one layer size");
        }
        Settings t = s.section("train");
        Settings sh = t.section("sharing");
        Sharing sharing = new Sharing(sh.oneOf("threshold-algorithm", "adaptive", "fixed"), sh.num("threshold", 1e-9, 1),
                sh.num("residual-clip", 0, 1e6), sh.integer("residual-clip-every", 0), sh.integer("port", 1024),
                sh.str("controller"), sh.str("network-mask"));
        Train train = new Train(t.integer("epochs", 1), t.integer("batch-size", 2), t.oneOf("strategy", "averaging", "dl4j-averaging", "sharing"),
                t.integer("workers", 0), t.integer("averaging-frequency", 1), sharing, t.oneOf("optimizer", "sgd", "lars", "adam"),
                t.num("base-lr", 0, 100), t.num("lr-floor", 0, 1), t.num("momentum", 0, 1), t.num("weight-decay", 0, 1),
                t.num("lars-eta", 0, 1),
                t.integer("warmup-epochs", 0), t.integer("max-seconds", 0), t.integer("max-steps", 0),
                t.oneOf("resume", "never", "auto"), t.section("checkpoint").str("dir"),
                t.section("checkpoint").integer("every-steps", 0), t.section("checkpoint").integer("keep", 1),
                t.section("monitor").integer("knn-every-epochs", 0), t.section("monitor").integer("train-images", 1),
                t.section("monitor").integer("test-images", 1));
        Settings p = s.section("probe");
        Settings pk = p.section("knn"), pp = p.section("paper"), pr = p.section("robustness");
        java.util.List<Double> regs = java.util.List.copyOf(java.util.Arrays.stream(p.doubles("reg-params")).boxed().toList());
        if (regs.isEmpty() || regs.stream().anyMatch(r -> r < 0)) {
            throw new ConfigError("bad value for key essl.probe.reg-params: " + regs + " (one or more values >= 0)");
        }
        Probe probe = new Probe(p.oneOf("protocol", "fast", "paper"), p.integer("train-limit", 0),
                p.integer("test-limit", 0), regs, p.num("validation-fraction", 0.01, 0.5), p.integer("max-iter", 1),
                p.num("tolerance", 0, 1), p.integer("batch-size", 1), p.bool("baselines"), p.str("export-embeddings"), pk.bool("enabled"),
                pk.integer("k", 1), pk.num("temperature", 1e-3, 100), pp.integer("epochs", 1), pp.num("lr", 0, 1e4),
                pp.num("momentum", 0, 1), pp.integer("batch-size", 1), pp.range("crop-scale", 1e-3, 1), pp.bool("standardize"),
                new Robustness(pr.bool("enabled"), java.util.List.copyOf(pr.strings("corruptions")), pr.integer("test-limit", 0)),
                p.bool("map"));
        Settings f = s.section("finetune");
        Finetune finetune = new Finetune(f.num("labels-fraction", 1e-6, 1), f.integer("epochs", 1), f.integer("batch-size", 1),
                f.num("lr", 0, 100), f.num("momentum", 0, 1), f.num("weight-decay", 0, 1), f.range("crop-scale", 1e-3, 1),
                f.oneOf("optimizer", "sgd", "adam"));
        Settings sp = s.section("spark");
        Map<String, String> sparkConf = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : sp.raw().getConfig("conf").entrySet()) {
            sparkConf.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
        }
        Settings s3 = sp.section("s3");
        Spark spark = new Spark(sp.str("master"), sp.str("app-name"), Map.copyOf(sparkConf),
                new S3(s3.str("endpoint"), s3.bool("path-style-access"), s3.str("region")));
        Output output = new Output(s.section("output").str("dir"));
        long seed = s.integer("seed", 0);
        String rendered = root.root().render(ConfigRenderOptions.concise().setFormatted(true));
        return new EsslConfig(seed, data, augment, model, train, probe, finetune, spark, output, rendered);
    }
}
