package io.essl.model;

import io.essl.config.EsslConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole two-output graph (backbone, projector + NT-Xent, group head + lambda x CE) in double precision. */
class EsslGraphGradientTest {

    private static final String HELPERS = "org.eclipse.deeplearning4j.helpers.disable";
    private static final String HELPERS_BEFORE = System.getProperty(HELPERS, "true");

    @org.junit.jupiter.api.AfterAll
    static void restoreDefaults() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        System.setProperty(HELPERS, HELPERS_BEFORE);
    }

    static EsslConfig.Model tinyModel(double lambda) {
        return new EsslConfig.Model("small-resnet", 2, new int[]{1, 1}, 6, 4, 5, 0.5, lambda);
    }

    static ComputationGraph graph(double lambda) {
        // oneDNN has no double-precision kernels: check DL4J's own implementation of every layer.
        System.setProperty(HELPERS, "true");
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(2024);
        ComputationGraph g = new ComputationGraph(EsslGraph.pretraining(tinyModel(lambda), new EsslGraph.Shape(1, 6, 6),
                4, new NoOp(), 0, 12345, DataType.DOUBLE));
        g.init();
        return g;
    }

    @Test
    void twoOutputGraphPassesGradientCheck() {
        int n = 3;
        ComputationGraph g = graph(0.7);
        INDArray features = Nd4j.rand(DataType.DOUBLE, 6L * n, 1, 6, 6).subi(0.5);
        INDArray dummy = Nd4j.zeros(DataType.DOUBLE, 2L * n, 1);
        INDArray groupLabels = Nd4j.zeros(DataType.DOUBLE, 4L * n, 4);
        for (int i = 0; i < 4 * n; i++) groupLabels.putScalar(i, i % 4, 1.0);
        assertPasses(GraphGradientCheck.run(g, new INDArray[]{features}, new INDArray[]{dummy, groupLabels}, 1e-6, 1e-3, 1e-8));
    }

    @Test
    void lambdaZeroIsPlainSimclrAndPassesGradientCheck() {
        int n = 3;
        ComputationGraph g = graph(0);
        assertEquals(1, g.getNumOutputArrays(), "lambda = 0 must drop the group branch");
        INDArray features = Nd4j.rand(DataType.DOUBLE, 2L * n, 1, 6, 6).subi(0.5);
        assertPasses(GraphGradientCheck.run(g, new INDArray[]{features},
                new INDArray[]{Nd4j.zeros(DataType.DOUBLE, 2L * n, 1)}, 1e-6, 1e-3, 1e-8));
    }

    private static void assertPasses(GraphGradientCheck.Result r) {
        System.out.printf("gradient check: %d parameters, max relative error %.2e%n", r.checked(), r.maxRelError());
        assertTrue(r.checked() > 100, "too few parameters checked: " + r.checked());
        assertTrue(r.failures().isEmpty(), r.failures().size() + " of " + r.checked() + " parameters failed, first: "
                + r.failures().subList(0, Math.min(5, r.failures().size())));
    }

    @Test
    void reportedScoreIsContrastivePlusLambdaTimesMeanCrossEntropy() {
        int n = 2;
        double lambda = 0.7;
        ComputationGraph g = graph(lambda);
        INDArray features = Nd4j.rand(DataType.DOUBLE, 6L * n, 1, 6, 6);
        INDArray dummy = Nd4j.zeros(DataType.DOUBLE, 2L * n, 1);
        INDArray groupLabels = Nd4j.zeros(DataType.DOUBLE, 4L * n, 4);
        for (int i = 0; i < 4 * n; i++) groupLabels.putScalar(i, i % 4, 1.0);
        g.setInputs(features);
        g.setLabels(dummy, groupLabels);
        g.computeGradientAndScore();
        INDArray[] out = g.output(true, false, features);
        double contrastive = new NtXentLoss(0.5).computeScore(dummy, out[0], new org.nd4j.linalg.activations.impl.ActivationIdentity(), null, true);
        double ce = 0;
        for (int i = 0; i < 4 * n; i++) {
            INDArray row = out[1].getRow(i);
            double max = row.maxNumber().doubleValue();
            double lse = Math.log(org.nd4j.linalg.ops.transforms.Transforms.exp(row.sub(max)).sumNumber().doubleValue()) + max;
            ce += lse - row.getDouble(i % 4);
        }
        assertEquals(contrastive + lambda * ce / (4 * n), g.score(), 1e-6);
    }
}
