package io.essl.model;

import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Both backbones rebuilt from DL4J's classes give our features. BatchNorm's running statistics, scale and shift are
 * drawn at random first: a fresh network's (mean 0, std 1, scale 1, shift 0) would hide a parameter put in the
 * wrong place or read as variance instead of log10 std.
 */
class EncoderExportTest {
    static ComputationGraph encoder(String backbone, double width, EsslGraph.Shape shape) {
        EsslConfig.Model m = ConfigLoader.load(null, List.of("model.backbone=" + backbone, "model.width=" + width)).model();
        ComputationGraph g = EsslGraph.randomEncoder(m, shape, 5);
        Nd4j.getRandom().setSeed(11);
        for (var v : g.getVertices()) {
            for (Map.Entry<String, INDArray> p : v.paramTable(false).entrySet()) {
                INDArray a = p.getValue();
                switch (p.getKey()) {
                    case "mean", "beta" -> a.assign(Nd4j.randn(a.dataType(), a.shape()).muli(0.3));
                    case "log10stdev" -> a.assign(Nd4j.rand(a.dataType(), a.shape()).muli(0.8).subi(0.4));
                    case "gamma" -> a.assign(Nd4j.rand(a.dataType(), a.shape()).addi(0.5));
                    default -> { }
                }
            }
        }
        return g;
    }

    static void assertPlain(ComputationGraph g) {
        String json = g.getConfiguration().toJson();
        assertFalse(json.contains("io.essl"), "no class of ours in the configuration");
        assertTrue(json.contains("org.deeplearning4j.nn.conf.layers.BatchNormalization"), "DL4J's BatchNorm");
        assertTrue(json.contains("org.deeplearning4j.nn.conf.layers.ActivationLayer"), "DL4J's ReLU layer");
    }

    @Test
    void resnet18SmallExportsWithTheSameFeatures() {
        EsslGraph.Shape shape = new EsslGraph.Shape(3, 16, 16);
        ComputationGraph ours = encoder(Backbones.RESNET18_SMALL, 0.125, shape);
        assertTrue(ours.getConfiguration().toJson().contains("io.essl"), "ours names our layers (else this test says nothing)");
        EncoderExport.Checked c = exported(ours, shape);
        assertEquals(ours.numParams(), c.graph().numParams());
        assertTrue(c.scale() > 0, "features not all zero");
    }

    /**
     * The export of {@code ours}: DL4J's own layers only, every parameter copied in the same order, and features
     * within the export's tolerance of ours.
     */
    private static EncoderExport.Checked exported(ComputationGraph ours, EsslGraph.Shape shape) {
        EncoderExport.Checked c = EncoderExport.of(ours, shape);
        assertPlain(c.graph());
        assertEquals(ours.params(), c.graph().params(), "every parameter copied, same order");
        assertTrue(c.maxAbsDiff() <= EncoderExport.TOLERANCE * c.scale(), c.maxAbsDiff() + " vs scale " + c.scale());
        return c;
    }

    @Test
    void resnet50ExportsWithTheSameFeatures() {
        EsslGraph.Shape shape = new EsslGraph.Shape(3, 32, 32);
        ComputationGraph ours = encoder(Backbones.RESNET50, 0.0625, shape);
        EncoderExport.Checked c = exported(ours, shape);
        assertTrue(c.graph().getConfiguration().toJson().contains("SubsamplingLayer"), "the stem's max-pool");
        assertEquals(128, c.graph().output(false, Nd4j.rand(2, 3, 32, 32))[0].columns());
    }

    @Test
    void conv7ExportsWithTheSameFeatures() {
        EsslGraph.Shape shape = new EsslGraph.Shape(1, 32, 32);
        ComputationGraph ours = encoder(Backbones.CONV7, 0.125, shape);
        EncoderExport.Checked c = exported(ours, shape);
        assertTrue(c.graph().getConfiguration().toJson().contains("DenseLayer"), "the fully connected layers");
        assertEquals(128, c.graph().output(false, Nd4j.rand(2, 1, 32, 32))[0].columns());
    }

    @Test
    void theCheckFailsLoudlyWhenTheExportDiffers() {
        EsslGraph.Shape shape = new EsslGraph.Shape(1, 12, 12);
        ComputationGraph ours = encoder(Backbones.RESNET18_SMALL, 0.125, shape);
        ComputationGraph plain = EncoderExport.of(ours, shape).graph();
        // The running std of one BatchNorm in the last block a little off (log10 std + 0.05: 12 % wider).
        plain.getVertex("s4b2_b_bn").paramTable(false).get("log10stdev").addi(0.05);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EncoderExport.check(ours, plain, shape));
        assertTrue(e.getMessage().contains("differs from ours"), e.getMessage());
    }
}
