package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resolved configuration as the JSON that {@code src/main/python/torch_parity.py} trains from: one place that
 * says which part of a recipe the PyTorch side reproduces, and refuses (exit 2, before Spark) what it does not.
 */
final class TorchRecipe {
    private TorchRecipe() {
    }

    /** What the PyTorch script writes: the small-image E-SimCLR recipe on IDX images, Adam or SGD. */
    static void check(EsslConfig c) {
        need(c.data().format().equals("idx") && !c.data().toRgb(), "data.format", "idx with one channel");
        need(c.model().backbone().equals("resnet18-small"), "model.backbone", "resnet18-small");
        need(c.model().method().equals("simclr"), "model.method", "simclr (its script trains E-SimCLR only)");
        need(c.model().loss().equals("infonce"), "model.loss", "infonce");
        need(c.model().rotationBottleneck() == 0, "model.rotation-bottleneck", "0");
        need(c.augment().symmetries().isEmpty(), "augment.symmetries", "[] (the PyTorch script has no cell symmetries)");
        need(List.of("adam", "sgd").contains(c.train().optimizer()), "train.optimizer", "adam or sgd");
        need(c.train().workers() > 0, "train.workers", "set (the global batch must be known)");
        need(c.augment().interpolation().equals("bilinear"), "augment.interpolation", "bilinear");
        for (int v = 0; v < 3; v++) {
            need(c.augment().blurProbability()[v] == 0, "augment.blur-probability", "0 for every view");
            need(c.augment().solarizeProbability()[v] == 0, "augment.solarize-probability", "0 for every view");
        }
    }

    private static void need(boolean ok, String key, String what) {
        if (!ok) throw new ConfigError("bad value for key essl." + key + ": bench parity's PyTorch side needs " + what);
    }

    static Map<String, Object> of(EsslConfig c) {
        EsslConfig.Data d = c.data();
        EsslConfig.Augment a = c.augment();
        EsslConfig.Model m = c.model();
        EsslConfig.Train t = c.train();
        int batch = t.workers() * t.batchSize();
        int source = 28; // IDX images of Fashion-MNIST / MNIST
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("dir", d.dir());
        data.put("train_images", d.trainImages());
        data.put("train_labels", d.trainLabels());
        data.put("test_images", d.testImages());
        data.put("test_labels", d.testLabels());
        data.put("validation", d.validation());
        data.put("pretrain_limit", d.pretrainLimit());
        data.put("probe_train_limit", c.probe().trainLimit());
        data.put("probe_test_limit", c.probe().testLimit());
        data.put("mean", d.mean());
        data.put("std", d.std());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("width_channels", io.essl.model.Backbones.Spec.base(m.width()));
        model.put("projector", m.projector());
        model.put("projector_last_bn_affine", m.projectorLastBnAffine());
        model.put("rotation_head", m.rotationHead());
        model.put("lambda", m.lambda());
        model.put("temperature", m.temperature());
        Map<String, Object> train = new LinkedHashMap<>();
        train.put("epochs", t.epochs());
        train.put("batch", batch);
        train.put("optimizer", t.optimizer());
        train.put("lr", t.baseLr() * batch / 256.0); // as Optimisers: base-lr x global batch / 256
        train.put("lr_floor", t.lrFloor());
        train.put("weight_decay", t.weightDecay());
        train.put("momentum", t.momentum());
        train.put("warmup_epochs", t.warmupEpochs());
        train.put("max_steps", t.maxSteps());
        Map<String, Object> augment = new LinkedHashMap<>();
        augment.put("view_size", a.viewSize(source));
        augment.put("view3_size", a.view3Size(source));
        augment.put("crop_scale", a.cropScale());
        augment.put("view3_crop_scale", a.view3CropScale());
        augment.put("crop_ratio", a.cropRatio());
        augment.put("flip_probability", a.flipProbability());
        augment.put("color_jitter", a.colorJitter());
        augment.put("color_jitter_probability", a.colorJitterProbability());
        augment.put("grayscale_probability", a.grayscaleProbability());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("seed", c.seed());
        r.put("data", data);
        r.put("model", model);
        r.put("train", train);
        r.put("augment", augment);
        return r;
    }
}
