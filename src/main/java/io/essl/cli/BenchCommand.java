package io.essl.cli;

import io.essl.augment.FourFoldRotation;
import io.essl.config.ConfigError;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.model.EsslGraph;
import io.essl.report.Report;
import io.essl.optim.Optimisers;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Benchmarks side by side with the PyTorch peer (../shared/peer/torch_esimclr.py), in one invocation. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks against the PyTorch peer.",
        subcommands = {BenchCommand.Step.class, BenchCommand.Augment.class, FidelityCommand.class, BenchCommand.Decode.class,
                SoakCommand.class, ParityCommand.class, SparkBench.class, EpochSetupBench.Tree.class})
public class BenchCommand {

    static final String INSTALL = "apt-get install -y --no-install-recommends python3-torch python3-torchvision "
            + "libopenblas0-pthread";

    /** The pre-training graph of {@code conf} for {@code shape} with the rotation head, for timing plain fits. */
    static ComputationGraph pretrainingGraph(EsslConfig conf, EsslGraph.Shape shape) {
        Optimisers.Optimisation opt = Optimisers.of(conf.train(), 256, 0, 1000);
        ComputationGraph g = new ComputationGraph(EsslGraph.pretraining(conf.model(), shape,
                new FourFoldRotation().size(), opt, 0, DataType.FLOAT));
        g.init();
        return g;
    }

    /** A batch of {@code batch} random images laid out as a real one (view 3's four rotations when withGroup). */
    static org.nd4j.linalg.dataset.api.MultiDataSet randomBatch(int batch, EsslGraph.Shape s, boolean withGroup) {
        INDArray views = Nd4j.randn(DataType.FLOAT, 2L * batch, s.channels(), s.height(), s.width());
        INDArray group = withGroup ? Nd4j.randn(DataType.FLOAT, 4L * batch, s.channels(), s.view3Size(), s.view3Size()) : null;
        return io.essl.model.BatchLayout.of(views, group, 4, null);
    }

    /** Options shared by every benchmark. */
    static class PeerOptions {
        @Option(names = "--peer", defaultValue = "../shared/peer/torch_esimclr.py",
                description = "The peer script (default: ${DEFAULT-VALUE}).")
        File peer;

        @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Interpreter with PyTorch.")
        String python;

        @Option(names = "--no-peer", description = "Measure ours only.")
        boolean noPeer;

        /** Runs the peer and returns its last JSON line as a map; explains how to install it when it is missing. */
        Map<String, Object> run(String... args) throws Exception {
            return runScript(peer, args);
        }

        /** {@link #run} for another script (one that loads the peer's code, say). */
        @SuppressWarnings("unchecked")
        Map<String, Object> runScript(File script, String... args) throws Exception {
            if (!script.isFile()) throw new ConfigError("peer script not found: " + script + " (--peer PATH or --no-peer)");
            if (!peer.isFile()) throw new ConfigError("peer script not found: " + peer + " (--peer PATH or --no-peer)");
            List<String> cmd = new ArrayList<>(List.of(python, script.getPath()));
            cmd.addAll(Arrays.asList(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            List<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            }
            int rc = p.waitFor();
            String out = String.join("\n", lines);
            if (out.contains("No module named 'torch'")) {
                throw new ConfigError("the PyTorch peer needs PyTorch: " + INSTALL + " (or --no-peer)");
            }
            if (rc != 0 || lines.isEmpty()) throw new IllegalStateException("peer failed (exit " + rc + "):\n" + out);
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(lines.get(lines.size() - 1), Map.class);
        }

        /** Adds the peer's throughput and ours / peer to the JSON line and prints the comparison. */
        static void compare(Map<String, Object> json, double ours, Map<String, Object> peer) {
            double theirs = ((Number) peer.get("images_per_s")).doubleValue();
            json.put("peer", peer.get("framework"));
            json.put("peer_images_per_s", theirs);
            json.put("ratio", ours / theirs);
            System.out.printf("peer (%s): %.1f images/s%nratio ours/peer: %.2f%n", peer.get("framework"), theirs, ours / theirs);
        }
    }

    @Command(name = "step", mixinStandardHelpOptions = true,
            description = "One E-SimCLR training step (fit on a ready batch, no Spark): images/s, ours vs the peer.")
    static class Step implements Callable<Integer> {
        @Option(names = "--backbone", defaultValue = "resnet18-small", description = "resnet18-small (the small recipe's "
                + "network at --width) or resnet50 (conf/imagenet-esimclr.conf's network and heads, 3 channels; "
                + "with --channels 3 --batch 32 --size 64 --warmup 1 --steps 2) (default: ${DEFAULT-VALUE}).")
        String backbone;

        @Option(names = "--resnet50-peer", defaultValue = "src/main/python/torch_resnet50_step.py",
                description = "With --backbone resnet50: the PyTorch script of that network, which reuses --peer's "
                        + "losses (default: ${DEFAULT-VALUE}).")
        File resnet50Peer;

        @Option(names = "--width", defaultValue = "16", description = "ResNet-18 stem channels, 64 = the paper's (default: ${DEFAULT-VALUE}).")
        int width;

        @Option(names = "--batch", defaultValue = "128", description = "Images per step (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--size", defaultValue = "28", description = "Side of views 1 and 2; view 3 is half (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--channels", defaultValue = "1", description = "Input channels (default: ${DEFAULT-VALUE}).")
        int channels;

        @Option(names = "--lambda", defaultValue = "0.4", description = "Rotation-loss weight; 0 = SimCLR (default: ${DEFAULT-VALUE}).")
        double lambda;

        @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--steps", defaultValue = "5", description = "Timed steps; the median counts (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--profile", description = "Also time the backbone's layers by type, forward and backward.")
        boolean profile;

        @Option(names = "--spark", split = ",", paramLabel = "STRATEGY",
                description = "Also run the same step as a pre-training job in Spark local mode with one worker on "
                        + "Fashion-MNIST (views made in the tasks), per strategy: averaging, dl4j-averaging, sharing.")
        List<String> spark = List.of();

        @Option(names = "--batches-per-task", defaultValue = "1",
                description = "With --spark: batches each task trains per step (train.averaging-frequency); the "
                        + "per-step costs are shared by them (default: ${DEFAULT-VALUE}).")
        int batchesPerTask;

        @picocli.CommandLine.Mixin
        PeerOptions peerOptions = new PeerOptions();

        @Override
        public Integer call() throws Exception {
            if (profile) io.essl.model.StepProfile.enable();
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("what", "step");
            boolean r50 = backbone.equals("resnet50");
            if (!r50 && !backbone.equals("resnet18-small")) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--backbone: resnet18-small or resnet50");
            }
            if (r50 && (channels != 3 || !spark.isEmpty())) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--backbone resnet50 takes --channels 3 and no --spark");
            }
            json.put("backbone", backbone);
            json.put("width", r50 ? 64 : width);
            json.put("batch", batch);
            json.put("size", size);
            json.put("channels", channels);
            json.put("lambda", lambda);
            json.put("threads", System.getenv().getOrDefault("OMP_NUM_THREADS", String.valueOf(Runtime.getRuntime().availableProcessors())));
            double ours = batch / ours();
            json.put("ours_median_step_s", batch / ours);
            json.put("ours_images_per_s", ours);
            System.out.printf("ours (DL4J %s): %.3f s/step, %.1f images/s%n", Nd4j.getBackend().getClass().getSimpleName(),
                    batch / ours, ours);
            if (profile) {
                Map<String, Double> parts = io.essl.model.StepProfile.drainSeconds();
                double backbone = 0;
                for (Map.Entry<String, Double> e : parts.entrySet()) {
                    double perStep = e.getValue() / steps;
                    backbone += perStep;
                    System.out.printf("  backbone %-40s %.3f s/step%n", e.getKey(), perStep);
                    json.put("profile_backbone_" + e.getKey().replace(' ', '_'), perStep);
                }
                System.out.printf("  backbone total %.3f s; heads, losses, updater and the rest %.3f s%n", backbone,
                        batch / ours - backbone);
                json.put("profile_rest_s", batch / ours - backbone);
            }
            for (String strategy : spark) {
                double stepS = throughSpark(strategy);
                json.put("spark_" + strategy + "_batch_s", stepS);
                json.put("spark_batches_per_task", batchesPerTask);
                json.put("spark_" + strategy + "_overhead", (stepS - batch / ours) / stepS);
                System.out.printf("Spark local mode, %s, 1 worker x %d batch(es) per step: %.3f s per batch, overhead "
                        + "%.1f %%%n", strategy, batchesPerTask, stepS, 100 * (stepS - batch / ours) / stepS);
            }
            if (!peerOptions.noPeer && r50) {
                Map<String, Object> peer = peerOptions.runScript(resnet50Peer, "--peer", peerOptions.peer.getPath(),
                        "--batch", "" + batch, "--size", "" + size, "--threads", json.get("threads").toString(),
                        "--warmup", "" + warmup, "--steps", "" + steps);
                json.put("peer_median_step_s", peer.get("median_step_s"));
                PeerOptions.compare(json, ours, peer);
            } else if (!peerOptions.noPeer) {
                Map<String, Object> peer = peerOptions.run("step", "--batch", "" + batch, "--size", "" + size,
                        "--channels", "" + channels, "--width", "" + width, "--lmbd", "" + lambda, "--threads",
                        json.get("threads").toString(), "--warmup", "" + warmup, "--steps", "" + steps);
                json.put("peer_median_step_s", peer.get("median_step_s"));
                PeerOptions.compare(json, ours, peer);
            }
            System.out.println(Report.line(json));
            return Main.OK;
        }

        private List<String> modelSettings() {
            return List.of("model.backbone=resnet18-small", "model.width=" + (width / 64.0),
                    "model.lambda=" + lambda, "train.optimizer=sgd", "train.base-lr=0.06", "train.weight-decay=5e-4");
        }

        /** The network of the step: the small recipe's at --width, or the ImageNet recipe's (SGD, as the peer). */
        private EsslConfig stepConfig() {
            if (!backbone.equals("resnet50")) return ConfigLoader.load(null, modelSettings());
            return ConfigLoader.load(new File("conf/imagenet-esimclr.conf"), List.of("model.lambda=" + lambda,
                    "train.optimizer=sgd", "train.base-lr=0.3", "train.weight-decay=1e-6"));
        }

        /**
         * Median seconds per batch of the same graph and batch size trained by {@link io.essl.train.PretrainJob}
         * with one worker: Spark's scheduling, the strategy's broadcast/averaging or update sharing, and the views
         * made in the task are what it adds to a plain fit().
         */
        private double throughSpark(String strategy) throws Exception {
            if (channels != 1) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--spark runs on Fashion-MNIST: use --channels 1");
            DatasetInstaller.ensureFashionMnist();
            List<String> sets = new ArrayList<>(modelSettings());
            sets.addAll(List.of("train.strategy=" + strategy, "train.workers=1", "train.batch-size=" + batch,
                    "train.averaging-frequency=" + batchesPerTask,
                    "train.epochs=1", "train.warmup-epochs=0", "train.monitor.knn-every-epochs=0",
                    "data.pretrain-limit=" + batch * batchesPerTask * (warmup + steps), "augment.view-size=" + size,
                    "augment.view3-size=" + size / 2, "spark.master=\"local[1]\"",
                    "output.dir=\"" + java.nio.file.Files.createTempDirectory("essl-bench").toString().replace('\\', '/') + "\""));
            EsslConfig conf = ConfigLoader.load(null, sets);
            try (org.apache.spark.sql.SparkSession session = io.essl.spark.SparkContexts.start(conf.spark())) {
                io.essl.train.PretrainJob.Result r = new io.essl.train.PretrainJob(conf)
                        .run(io.essl.spark.SparkContexts.java(session));
                double[] times = r.history().stream().skip(warmup).mapToDouble(l -> batch / l.imagesPerSecond())
                        .sorted().toArray();
                return times[times.length / 2];
            }
        }

        /** Median seconds per step of our graph's fit() on random batches shaped like the peer's. */
        private double ours() {
            EsslConfig conf = stepConfig();
            EsslGraph.Shape shape = new EsslGraph.Shape(channels, size, size, size / 2);
            ComputationGraph g = pretrainingGraph(conf, shape);
            List<org.nd4j.linalg.dataset.api.MultiDataSet> batches = new ArrayList<>();
            for (int i = 0; i < 4; i++) batches.add(randomBatch(batch, shape, lambda > 0));
            for (int i = 0; i < warmup; i++) g.fit(batches.get(i % batches.size()));
            io.essl.model.StepProfile.drainSeconds();
            double[] times = new double[steps];
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                g.fit(batches.get(i % batches.size()));
                times[i] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(times);
            return times[steps / 2];
        }
    }

    @Command(name = "augment", mixinStandardHelpOptions = true,
            description = "The three views of an image (one core): images/s, ours vs the torchvision peer.")
    static class Augment implements Callable<Integer> {
        @Option(names = "--recipe", defaultValue = "small",
                description = "small: reference.conf's views at --size, view 3 at half; imagenet: conf/imagenet-esimclr.conf's "
                        + "224/224/96 views with blur and solarize (default: ${DEFAULT-VALUE}).")
        String recipe;

        @Option(names = "--size", defaultValue = "32", description = "Side of views 1 and 2, small recipe (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--src", defaultValue = "32", description = "Source side (imagenet: 400 x 350) (default: ${DEFAULT-VALUE}).")
        int src;

        @Option(names = "--channels", defaultValue = "3", description = "Source channels (default: ${DEFAULT-VALUE}).")
        int channels;

        @Option(names = "--seconds", defaultValue = "10", description = "How long each side runs (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--warmup-seconds", defaultValue = "5", description = "Ours untimed first, for the JIT "
                + "(default: ${DEFAULT-VALUE}).")
        double warmupSeconds;

        @picocli.CommandLine.Mixin
        PeerOptions peerOptions = new PeerOptions();

        @Override
        public Integer call() throws Exception {
            boolean imagenet = recipe.equals("imagenet");
            if (!imagenet && !recipe.equals("small")) throw new ConfigError("--recipe must be small or imagenet");
            EsslConfig conf = imagenet ? ConfigLoader.load(new File("conf/imagenet-esimclr.conf"), List.of())
                    : ConfigLoader.load(null, List.of());
            int h = imagenet ? 350 : src, w = imagenet ? 400 : src;
            if (imagenet) channels = 3;
            int s1 = imagenet ? conf.augment().viewSize(h) : size, s3 = imagenet ? conf.augment().view3Size(h) : size / 2;
            double[] mean = new double[channels], std = new double[channels];
            java.util.Arrays.fill(mean, 0.5);
            java.util.Arrays.fill(std, 0.25);
            io.essl.augment.ViewFactory views = new io.essl.augment.ViewFactory(1, s1, s3, conf.augment(), mean, std,
                    new FourFoldRotation());
            java.util.Random rnd = new java.util.Random(0);
            List<io.essl.data.ImageRecord> images = new ArrayList<>();
            for (int i = 0; i < 256; i++) {
                byte[] px = new byte[channels * h * w];
                rnd.nextBytes(px);
                images.add(new io.essl.data.ImageRecord(i, 0, channels, h, w, px));
            }
            // untimed first, for the JIT (a cost a training job pays once), then timed
            threeViews(views, images, channels, s1, s3, warmupSeconds);
            long t0 = System.nanoTime();
            long n = threeViews(views, images, channels, s1, s3, seconds);
            double ours = n / ((System.nanoTime() - t0) / 1e9);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("what", "augment");
            json.put("recipe", recipe);
            json.put("source", channels + "x" + h + "x" + w);
            json.put("views", List.of(s1, s1, s3));
            json.put("threads", 1);
            json.put("ours_images_per_s", ours);
            System.out.printf("ours (%s recipe, %dx%dx%d sources, views %d/%d/%d, one core): %.0f images/s%n", recipe,
                    channels, h, w, s1, s1, s3, ours);
            if (!peerOptions.noPeer) {
                // The peer's pipeline is the small recipe's (no blur or solarize, bilinear, view 3 at half size) on
                // square sources; for the ImageNet recipe it gets 400 x 400 sources and so does less work than ours.
                Map<String, Object> peer = peerOptions.run("augment", "--size", "" + s1, "--src", "" + (imagenet ? 400 : src),
                        "--channels", "" + channels, "--seconds", "" + seconds);
                PeerOptions.compare(json, ours, peer);
            }
            System.out.println(Report.line(json));
            return Main.OK;
        }

        /**
         * The three views of each image, as the training tasks make them (crop boxes first, only the boxes read from
         * the 8-bit pixels, then the view's own augmentations), normalised; for {@code seconds}. Returns the images.
         */
        private static long threeViews(io.essl.augment.ViewFactory views, List<io.essl.data.ImageRecord> images, int channels,
                                       int s1, int s3, double seconds) {
            float[] out1 = new float[channels * s1 * s1], out3 = new float[channels * s3 * s3];
            long n = 0, epoch = 0, end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                io.essl.data.ImageRecord r = images.get((int) (n % images.size()));
                if (n % images.size() == 0) epoch++;
                io.essl.augment.FloatImage[] v = views.views(r, (int) epoch, io.essl.augment.ViewFactory.VIEW1,
                        io.essl.augment.ViewFactory.VIEW2, io.essl.augment.ViewFactory.VIEW3);
                views.normalise(v[0], out1, 0);
                views.normalise(v[1], out1, 0);
                views.normalise(v[2], out3, 0);
                n++;
            }
            return n;
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Decode + RandomResizedCrop + flip of JPEG files (one core): images/s, ours vs PIL + torchvision.")
    static class Decode implements Callable<Integer> {
        @Option(names = "--dir", description = "Folder of image files (default: generate --count JPEGs of 500 x 375).")
        File dir;

        @Option(names = "--count", defaultValue = "300", description = "JPEGs to generate (default: ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--size", defaultValue = "224", description = "Crop side (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--seconds", defaultValue = "10", description = "How long each side runs (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--warmup-seconds", defaultValue = "5", description = "Ours untimed first, for the JIT "
                + "(default: ${DEFAULT-VALUE}).")
        double warmupSeconds;

        @picocli.CommandLine.Mixin
        PeerOptions peerOptions = new PeerOptions();

        @Override
        public Integer call() throws Exception {
            File images = dir != null ? dir : generate(java.nio.file.Files.createTempDirectory("essl-decode").toFile(), count);
            List<File> files = new ArrayList<>();
            try (var walk = java.nio.file.Files.walk(images.toPath())) {
                walk.filter(java.nio.file.Files::isRegularFile).sorted().forEach(p -> files.add(p.toFile()));
            }
            if (files.isEmpty()) throw new ConfigError("no files under " + images);
            io.essl.augment.RandomResizedCrop crop = new io.essl.augment.RandomResizedCrop(size, new double[]{0.08, 1},
                    new double[]{3 / 4.0, 4 / 3.0});
            // The checking decoder (ImageIO) once per file, as ingest does: it gives each file's size (kept in
            // the shards) and drops bad files.
            io.essl.data.ImageDecoder decoder = new io.essl.data.ImageDecoder(3, 100_000_000L);
            List<io.essl.data.ImageRecord> encoded = new ArrayList<>();
            for (File f : files) {
                byte[] bytes = java.nio.file.Files.readAllBytes(f.toPath());
                io.essl.data.ImageDecoder.Result r = decoder.decode(bytes, f.getName(), encoded.size(), 0);
                if (r.ok()) {
                    encoded.add(io.essl.data.ImageRecord.encoded(r.image().id(), 0, 3, r.image().height(),
                            r.image().width(), bytes));
                }
            }
            if (encoded.isEmpty()) throw new ConfigError("no decodable image under " + images);
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(0);
            // Untimed first: the JIT compiles the crop and the decode path's Java side over the first seconds
            // (measured: 3.4 ms an image in the first 5 s, 1.2 ms after), a cost a training job pays once.
            ours(files, encoded, crop, rnd, warmupSeconds);
            long t0 = System.nanoTime();
            long[] counted = ours(files, encoded, crop, rnd, seconds);
            long n = counted[0], reduced = counted[1];
            double ours = n / ((System.nanoTime() - t0) / 1e9);
            // The checking decoder on every use, whole image to floats, then the crop (the first version).
            long m = 0;
            t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                File f = files.get((int) encoded.get((int) (m % encoded.size())).id());
                io.essl.data.ImageDecoder.Result r = decoder.decode(java.nio.file.Files.readAllBytes(f.toPath()),
                        f.getName(), m, 0);
                io.essl.augment.FloatImage v = crop.apply(io.essl.augment.FloatImage.of(r.image()), rnd);
                if (rnd.nextBoolean()) v = io.essl.augment.Flip.horizontal(v);
                m++;
            }
            double checking = m / ((System.nanoTime() - t0) / 1e9);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("what", "decode");
            json.put("files", files.size());
            json.put("skipped", files.size() - encoded.size());
            json.put("size", size);
            json.put("threads", 1);
            json.put("ours_images_per_s", ours);
            json.put("ours_reduced_fraction", (double) reduced / n);
            json.put("imageio_images_per_s", checking);
            json.put("jpeg_decoder", io.essl.data.TurboDecoder.jpegDecoder());
            System.out.printf("ours (%s, DCT-scaled where the crop allows: %.0f %% of images; "
                    + "RandomResizedCrop %d, flip; one core): %.1f images/s%n", io.essl.data.TurboDecoder.jpegDecoder(),
                    100.0 * reduced / n, size, ours);
            System.out.printf("ImageIO + TwelveMonkeys, whole image, then the same crop: %.1f images/s%n", checking);
            if (!peerOptions.noPeer) {
                Map<String, Object> peer = peerOptions.run("decode", "--dir", images.getPath(), "--size", "" + size,
                        "--seconds", "" + seconds);
                PeerOptions.compare(json, ours, peer);
            }
            System.out.println(Report.line(json));
            return Main.OK;
        }

        /**
         * Ours as training runs it, for {@code seconds}: file read, crop box drawn from the size, decode at the DCT
         * scale the box allows (TurboDecoder: the SIMD libturbojpeg or OpenCV), only the box converted and
         * resampled, mirrored by the crop when flipped. Returns {images, reduced decodes}.
         */
        private static long[] ours(List<File> files, List<io.essl.data.ImageRecord> encoded, io.essl.augment.RandomResizedCrop crop,
                                   java.util.SplittableRandom rnd, double seconds) throws java.io.IOException {
            long n = 0, reduced = 0, end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                io.essl.data.ImageRecord e = encoded.get((int) (n % encoded.size()));
                File f = files.get((int) e.id());
                io.essl.data.ImageRecord r = io.essl.data.ImageRecord.encoded(e.id(), 0, 3, e.height(), e.width(),
                        java.nio.file.Files.readAllBytes(f.toPath()));
                io.essl.augment.RandomResizedCrop.Box box = crop.sample(r.height(), r.width(), rnd);
                int reduction = crop.reductionFor(box);
                if (reduction > 1) reduced++;
                io.essl.data.ImageRecord px = r.decode(reduction);
                // the flip drawn after the box, as training draws it, and written by the crop as training does
                crop.apply(px, box.in(r.height(), r.width(), px.height(), px.width()), rnd.nextBoolean());
                n++;
            }
            return new long[]{n, reduced};
        }

        /** ImageNet-like JPEGs: 500 x 375, smooth colour fields with texture, quality 0.9. */
        static File generate(File out, int count) throws java.io.IOException {
            java.util.Random rnd = new java.util.Random(1);
            for (int i = 0; i < count; i++) {
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(500, 375,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                double fx = rnd.nextDouble() * 0.05, fy = rnd.nextDouble() * 0.05, ph = rnd.nextDouble() * 6;
                for (int y = 0; y < 375; y++) {
                    for (int x = 0; x < 500; x++) {
                        int r = (int) (127 + 100 * Math.sin(fx * x + ph) + rnd.nextInt(24));
                        int g = (int) (127 + 100 * Math.cos(fy * y + ph) + rnd.nextInt(24));
                        int b = (int) (127 + 60 * Math.sin(fx * x + fy * y) + rnd.nextInt(24));
                        img.setRGB(x, y, (Math.min(255, Math.max(0, r)) << 16) | (Math.min(255, Math.max(0, g)) << 8)
                                | Math.min(255, Math.max(0, b)));
                    }
                }
                javax.imageio.ImageWriter w = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
                javax.imageio.ImageWriteParam p = w.getDefaultWriteParam();
                p.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(0.9f);
                try (var os = javax.imageio.ImageIO.createImageOutputStream(new File(out, String.format("%04d.jpg", i)))) {
                    w.setOutput(os);
                    w.write(null, new javax.imageio.IIOImage(img, null, null), p);
                }
                w.dispose();
            }
            return out;
        }
    }
}
