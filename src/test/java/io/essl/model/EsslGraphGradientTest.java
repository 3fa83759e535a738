package io.essl.model;

import io.essl.config.EsslConfig;
import io.essl.train.Optimisers;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole two-input, two-output graph (shared ResNet-18 backbone on 6 px views and 4 px view 3, projector with
 * the contrastive loss, rotation head with lambda x CE) in double precision.
 */
class EsslGraphGradientTest {

    private static final String HELPERS = "org.eclipse.deeplearning4j.helpers.disable";
    private static final String HELPERS_BEFORE = System.getProperty(HELPERS, "true");
    static final EsslGraph.Shape SHAPE = new EsslGraph.Shape(1, 6, 6, 4);

    @org.junit.jupiter.api.AfterAll
    static void restoreDefaults() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        System.setProperty(HELPERS, HELPERS_BEFORE);
    }

    static EsslConfig.Model tinyModel(double lambda, String loss) {
        return new EsslConfig.Model("resnet18-small", 1.0 / 32, true, new int[]{6, 4}, false, new int[]{5}, 3, loss,
                0.5, lambda);
    }

    static ComputationGraph graph(EsslConfig.Model m) {
        // oneDNN has no double-precision kernels: check DL4J's own implementation of every layer.
        System.setProperty(HELPERS, "true");
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Optimisers.Optimisation none = new Optimisers.Optimisation(new NoOp(), List.of(), List.of(), null, 0);
        ComputationGraph g = new ComputationGraph(EsslGraph.pretraining(m, SHAPE, 4, none, 12345, DataType.DOUBLE));
        g.init();
        // Zero-initialised residual scales would hide the residual branches' gradients: randomise them.
        g.params().addi(Nd4j.rand(DataType.DOUBLE, g.params().shape()).subi(0.5).muli(0.2));
        return g;
    }

    static INDArray[] batch(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray views = Nd4j.rand(DataType.DOUBLE, 2L * n, 1, 6, 6).subi(0.5);
        INDArray group = Nd4j.rand(DataType.DOUBLE, 4L * n, 1, 4, 4).subi(0.5);
        return new INDArray[]{views, group};
    }

    static INDArray[] labels(int n) {
        INDArray groupLabels = Nd4j.zeros(DataType.DOUBLE, 4L * n, 4);
        for (int i = 0; i < 4 * n; i++) groupLabels.putScalar(i, i % 4, 1.0);
        return new INDArray[]{Nd4j.zeros(DataType.DOUBLE, 2L * n, 1), groupLabels};
    }

    @Test
    void fullGraphWithInfoNcePassesGradientCheck() {
        ComputationGraph g = graph(tinyModel(0.7, "infonce"));
        assertPasses(GraphGradientCheck.run(g, batch(3, 1), labels(3), 1e-6, 1e-3, 1e-8, 6));
    }

    @Test
    void fullGraphWithNtXentPassesGradientCheck() {
        ComputationGraph g = graph(tinyModel(0.7, "ntxent"));
        assertPasses(GraphGradientCheck.run(g, batch(3, 2), labels(3), 1e-6, 1e-3, 1e-8, 6));
    }

    @Test
    void lambdaZeroIsPlainSimclrAndPassesGradientCheck() {
        ComputationGraph g = graph(tinyModel(0, "infonce"));
        assertEquals(1, g.getNumOutputArrays(), "lambda = 0 must drop the group branch");
        assertEquals(1, g.getNumInputArrays(), "lambda = 0 must drop the view-3 input");
        assertPasses(GraphGradientCheck.run(g, new INDArray[]{batch(3, 3)[0]},
                new INDArray[]{labels(3)[0]}, 1e-6, 1e-3, 1e-8, 6));
    }

    private static void assertPasses(GraphGradientCheck.Result r) {
        System.out.printf("gradient check: %d parameters, max relative error %.2e%n", r.checked(), r.maxRelError());
        assertTrue(r.checked() > 300, "too few parameters checked: " + r.checked());
        assertTrue(r.failures().isEmpty(), r.failures().size() + " of " + r.checked() + " parameters failed, first: "
                + r.failures().subList(0, Math.min(5, r.failures().size())));
    }

    @Test
    void reportedScoreIsContrastivePlusLambdaTimesMeanCrossEntropy() {
        int n = 2;
        double lambda = 0.7;
        ComputationGraph g = graph(tinyModel(lambda, "infonce"));
        INDArray[] x = batch(n, 4);
        INDArray[] y = labels(n);
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        // The contrastive embeddings and group logits, by hand from the layers' outputs.
        var acts = g.feedForward(x, true);
        INDArray z = acts.get("proj_bn2");
        INDArray logits = acts.get(EsslGraph.GROUP);
        double contrastive = new InfoNceLoss(0.5).computeScore(null, z, new ActivationIdentity(), null, true);
        double ce = 0;
        for (int i = 0; i < 4 * n; i++) {
            INDArray row = logits.getRow(i);
            double max = row.maxNumber().doubleValue();
            double lse = Math.log(Transforms.exp(row.sub(max)).sumNumber().doubleValue()) + max;
            ce += lse - row.getDouble(i % 4);
        }
        assertEquals(contrastive + lambda * ce / (4 * n), g.score(), 1e-6);
    }
}
