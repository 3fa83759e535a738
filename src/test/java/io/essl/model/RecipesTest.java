package io.essl.model;

import io.essl.augment.FourFoldRotation;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.optim.Optimisers;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every recipe in conf/ loads and builds its network; the paper's recipes build the paper's numbers. */
class RecipesTest {

    static ComputationGraph build(EsslConfig c, int channels, int size) {
        EsslGraph.Shape shape = new EsslGraph.Shape(channels, c.augment().viewSize(size), c.augment().viewSize(size),
                c.augment().view3Size(size));
        Optimisers.Optimisation opt = Optimisers.of(c.train(), c.train().workers() * c.train().batchSize(), 10, 100);
        ComputationGraph g = new ComputationGraph(EsslGraph.pretraining(c.model(), shape, new FourFoldRotation().size(),
                opt, c.seed(), DataType.FLOAT));
        g.init();
        return g;
    }

    @Test
    void everyRecipeLoadsAndBuilds() {
        File[] recipes = new File("conf").listFiles((d, n) -> n.endsWith(".conf"));
        assertTrue(recipes != null && recipes.length >= 5, "recipes in conf/");
        for (File f : recipes) {
            EsslConfig c = ConfigLoader.load(f, List.of());
            if (c.model().backbone().equals("resnet50")) continue; // built below, once
            ComputationGraph g = build(c, 1, 28);
            assertEquals(c.model().lambda() > 0 ? 2 : 1, g.getNumOutputArrays(), f.getName());
        }
    }

    @Test
    void imagenetRecipeIsThePapersNetworkAndOptimiser() {
        EsslConfig c = ConfigLoader.load(new File("conf/imagenet-esimclr.conf"), List.of());
        assertEquals("lars", c.train().optimizer());
        assertEquals(4096, c.train().workers() * c.train().batchSize());
        assertEquals(4.8, c.train().baseLr() * 4096 / 256, 1e-12);
        ComputationGraph g = build(c, 3, 224);
        assertEquals(23_508_032L, EsslGraph.trainableParameters(g.getVertex(EsslGraph.BACKBONE)));
        // Projector: 2048*2048 + 2048*2048 + 2048*128 weights, BN scale+shift 2x2048 + 2x2048 + 2x128.
        long projector = 2048L * 2048 * 2 + 2048L * 128 + 2 * (2048 + 2048 + 128);
        assertEquals(projector, parameters(g, "proj_"));
        assertEquals(224, c.augment().viewSize(400));
        assertEquals(96, c.augment().view3Size(400));
        assertEquals(0.2, ((InfoNceLoss) ((org.deeplearning4j.nn.conf.layers.LossLayer) g.getLayer(EsslGraph.CONTRASTIVE)
                .conf().getLayer()).getLossFn()).temperature());
    }

    /** Trainable parameters of the vertices whose names start with prefix. */
    private static long parameters(ComputationGraph g, String prefix) {
        long sum = 0;
        for (var v : g.getVertices()) if (v.getVertexName().startsWith(prefix)) sum += EsslGraph.trainableParameters(v);
        return sum;
    }

    @Test
    void imagenetSimSiamRecipeIsSimSiamsNetworkAndOptimiser() {
        EsslConfig c = ConfigLoader.load(new File("conf/imagenet-esimsiam.conf"), List.of());
        assertEquals("E-SimSiam", SslMethod.displayName(c.model()));
        assertEquals(0.08, c.model().lambda());
        assertEquals("sgd", c.train().optimizer());
        assertEquals(512, c.train().workers() * c.train().batchSize());
        assertEquals(0.1, c.train().baseLr() * 512 / 256, 1e-12);
        assertEquals(1e-4, c.train().weightDecay());
        ComputationGraph g = build(c, 3, 224);
        assertEquals(23_508_032L, EsslGraph.trainableParameters(g.getVertex(EsslGraph.BACKBONE)));
        // 2048-2048-2048-2048 without biases, BN scale+shift on the first two, none on the last (no affine)
        assertEquals(3 * 2048L * 2048 + 2 * 2 * 2048, parameters(g, "proj_"));
        // 2048-512 (no bias), BN 512, 512-2048 with bias: the reference's bottleneck predictor
        assertEquals(2048L * 512 + 2 * 512 + 512L * 2048 + 2048, parameters(g, "pred_"));
        assertEquals(0.0, ConfigLoader.load(new File("conf/imagenet-simsiam.conf"), List.of()).model().lambda());
    }

    @Test
    void imagenetBarlowTwinsRecipeIsBarlowTwinsNetworkAndOptimiser() {
        EsslConfig c = ConfigLoader.load(new File("conf/imagenet-ebarlowtwins.conf"), List.of());
        assertEquals("E-Barlow Twins", SslMethod.displayName(c.model()));
        assertEquals(8.0, c.model().lambda());
        assertEquals(0.0051, c.model().barlowOffDiagonal());
        assertEquals("lars", c.train().optimizer());
        assertEquals(2048, c.train().workers() * c.train().batchSize());
        assertEquals(1.6, c.train().baseLr() * 2048 / 256, 1e-12);
        ComputationGraph g = build(c, 3, 224);
        assertEquals(23_508_032L, EsslGraph.trainableParameters(g.getVertex(EsslGraph.BACKBONE)));
        // 2048-8192-8192-8192 without biases; BN scale+shift after the first two, the last Linear plain
        assertEquals(2048L * 8192 + 2 * 8192L * 8192 + 2 * 2 * 8192, parameters(g, "proj_"));
        assertEquals(0.0, ConfigLoader.load(new File("conf/imagenet-barlowtwins.conf"), List.of()).model().lambda());
    }

    @Test
    void simclrRecipesAreTheirESimclrRecipeWithoutTheRotationBranch() {
        EsslConfig e = ConfigLoader.load(new File("conf/small-esimclr.conf"), List.of());
        EsslConfig s = ConfigLoader.load(new File("conf/small-simclr.conf"), List.of());
        assertEquals(0.4, e.model().lambda());
        assertEquals(0.0, s.model().lambda());
        assertEquals(0.06, e.train().baseLr());
        assertEquals(0.03, s.train().baseLr());
        assertEquals(0.0, ConfigLoader.load(new File("conf/imagenet-simclr.conf"), List.of()).model().lambda());
    }
}
