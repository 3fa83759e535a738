package io.essl.model;

import io.essl.config.EsslConfig;
import io.essl.optim.Optimisers;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        return tinyModel(lambda, loss, "simclr");
    }

    static EsslConfig.Model tinyModel(double lambda, String loss, String method) {
        return new EsslConfig.Model("resnet18-small", 1.0 / 32, true, new int[]{6, 4}, false, new int[]{5}, 3, loss,
                0.5, lambda, method, new int[]{3}, 0.0051, false, "rot4", 0, 0);
    }

    static ComputationGraph graph(EsslConfig.Model m) {
        return graph(m, 4);
    }

    /** The E-SSL graph with a group head over {@code groupSize} elements. */
    static ComputationGraph graph(EsslConfig.Model m, int groupSize) {
        // oneDNN has no double-precision kernels: check DL4J's own implementation of every layer.
        System.setProperty(HELPERS, "true");
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Optimisers.Optimisation none = new Optimisers.Optimisation(new NoOp(), List.of(), List.of(), null, 0);
        ComputationGraph g = new ComputationGraph(EsslGraph.pretraining(m, SHAPE, groupSize, none, 12345, DataType.DOUBLE));
        g.init();
        // Zero-initialised residual scales would hide the residual branches' gradients: randomise them.
        g.params().addi(Nd4j.rand(DataType.DOUBLE, g.params().shape()).subi(0.5).muli(0.2));
        return g;
    }

    static INDArray[] batch(int n, long seed) {
        return batch(n, 4, seed);
    }

    /** Views 1 and 2 of n images and {@code rowsPerImage} view-3 rows of each. */
    static INDArray[] batch(int n, int rowsPerImage, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray views = Nd4j.rand(DataType.DOUBLE, 2L * n, 1, 6, 6).subi(0.5);
        INDArray group = Nd4j.rand(DataType.DOUBLE, (long) rowsPerImage * n, 1, 4, 4).subi(0.5);
        return new INDArray[]{views, group};
    }

    static INDArray[] labels(int n) {
        return labels(n, 4, 4);
    }

    /** Row r of view 3 labelled element (r * 7) % groupSize: every element, in an order unlike the rows'. */
    static INDArray[] labels(int n, int groupSize, int rowsPerImage) {
        INDArray groupLabels = Nd4j.zeros(DataType.DOUBLE, (long) rowsPerImage * n, groupSize);
        for (int i = 0; i < rowsPerImage * n; i++) groupLabels.putScalar(i, (i * 7) % groupSize, 1.0);
        return new INDArray[]{Nd4j.zeros(DataType.DOUBLE, 2L * n, 1), groupLabels};
    }

    static EsslConfig.Model withGroup(EsslConfig.Model p, String group, int groupSize, int samples) {
        return new EsslConfig.Model(p.backbone(), p.width(), p.zeroInitResidual(), p.projector(), p.projectorLastBnAffine(),
                p.rotationHead(), p.rotationBottleneck(), p.loss(), p.temperature(), p.lambda(), p.method(), p.predictor(),
                p.barlowOffDiagonal(), p.onlineMonitor(), group, groupSize, samples);
    }

    /** Any group size, odd ones too, and k view-3 rows per image out of G (model.group-samples). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"2, 0", "3, 0", "24, 0", "24, 3"})
    void fullGraphPassesGradientCheckForAnyGroupSizeAndSamples(int groupSize, int samples) {
        ComputationGraph g = graph(withGroup(tinyModel(0.7, "infonce"), "jigsaw", 0, samples), groupSize);
        int k = samples > 0 ? samples : groupSize;
        assertEquals(groupSize, g.getLayer(EsslGraph.GROUP).getParam("b").length());
        // the backbone and heads are checked at 4 entries a tensor by the tests below; here what depends on G and k
        // (the group head, the row split) at 2 keeps the four cases to a third of the time
        assertPasses(GraphGradientCheck.run(g, batch(3, k, 7), labels(3, groupSize, k), 1e-6, 1e-3, 1e-8, 2), 140);
    }

    @Test
    void fullGraphWithInfoNcePassesGradientCheck() {
        ComputationGraph g = graph(tinyModel(0.7, "infonce"));
        assertPasses(GraphGradientCheck.run(g, batch(3, 1), labels(3), 1e-6, 1e-3, 1e-8, 4));
    }

    @Test
    void fullGraphWithNtXentPassesGradientCheck() {
        ComputationGraph g = graph(tinyModel(0.7, "ntxent"));
        assertPasses(GraphGradientCheck.run(g, batch(3, 2), labels(3), 1e-6, 1e-3, 1e-8, 4));
    }

    @Test
    void lambdaZeroIsPlainSimclrAndPassesGradientCheck() {
        ComputationGraph g = graph(tinyModel(0, "infonce"));
        assertEquals(1, g.getNumOutputArrays(), "lambda = 0 must drop the group branch");
        assertEquals(1, g.getNumInputArrays(), "lambda = 0 must drop the view-3 input");
        assertPasses(GraphGradientCheck.run(g, new INDArray[]{batch(3, 3)[0]},
                new INDArray[]{labels(3)[0]}, 1e-6, 1e-3, 1e-8, 4));
    }

    @Test
    void fullGraphWithBarlowTwinsPassesGradientCheck() {
        ComputationGraph g = graph(tinyModel(0.7, "infonce", "barlow-twins"));
        assertFalse(g.getConfiguration().getVertices().containsKey("proj_bn2"), "Barlow Twins' last projector layer is a plain Linear");
        assertPasses(GraphGradientCheck.run(g, batch(3, 5), labels(3), 1e-6, 1e-3, 1e-8, 4));
    }

    /**
     * SimSiam's score depends on the target projection too, so finite differences see the path the stop-gradient
     * cuts: the check runs on the same graph with the stop-gradient made an identity (every other part, the
     * predictor, the merge and the loss included, is the one trained), and the next test shows what the cut does.
     */
    @Test
    void fullGraphWithSimSiamPassesGradientCheckWithTheTargetBranchOpen() {
        ComputationGraph g = open(graph(tinyModel(0.7, "infonce", "simsiam")));
        assertPasses(GraphGradientCheck.run(g, batch(3, 6), labels(3), 1e-6, 1e-3, 1e-8, 4));
    }

    @Test
    void simSiamsStopGradientRemovesExactlyTheTargetBranch() {
        ComputationGraph stopped = graph(tinyModel(0.7, "infonce", "simsiam"));
        ComputationGraph open = open(stopped.clone());
        INDArray[] x = batch(3, 7);
        INDArray[] y = labels(3);
        var gs = gradients(stopped, x, y);
        var go = gradients(open, x, y);
        assertEquals(stopped.score(), open.score(), 1e-12, "the forward pass is the same");
        // the predictor lies only on the prediction branch: identical gradients
        INDArray ps = gs.getGradientFor("pred_fc1_W"), po = go.getGradientFor("pred_fc1_W");
        assertTrue(ps.norm2Number().doubleValue() > 1e-6, "the prediction branch trains the predictor");
        assertEquals(0, ps.sub(po).norm2Number().doubleValue(), 1e-12);
        // the projector gets only the prediction branch's gradient when stopped: non-zero, and not the open graph's
        INDArray js = gs.getGradientFor("proj_fc1_W"), jo = go.getGradientFor("proj_fc1_W");
        assertTrue(js.norm2Number().doubleValue() > 1e-6, "the projector still learns through the prediction branch");
        assertTrue(js.sub(jo).norm2Number().doubleValue() > 1e-3 * jo.norm2Number().doubleValue(), "the target branch is cut");
        // and the stop-gradient vertex itself passes nothing back
        INDArray eps = Nd4j.rand(DataType.DOUBLE, 4, 5);
        assertEquals(0, new StopGradient().backprop(eps.dup(), eps).getFirst().norm2Number().doubleValue(), 0);
        assertEquals(eps, new StopGradient().getActivation(eps.dup(), true));
    }

    @Test
    void theOnlineMonitorLearnsWithoutChangingAnyOtherGradient() {
        EsslConfig.Model plain = tinyModel(0.7, "infonce"), monitored = new EsslConfig.Model(plain.backbone(), plain.width(),
                plain.zeroInitResidual(), plain.projector(), plain.projectorLastBnAffine(), plain.rotationHead(),
                plain.rotationBottleneck(), plain.loss(), plain.temperature(), plain.lambda(), plain.method(), plain.predictor(),
                plain.barlowOffDiagonal(), true, plain.group(), plain.groupSize(), plain.groupSamples());
        ComputationGraph without = graph(plain);
        Optimisers.Optimisation none = new Optimisers.Optimisation(new NoOp(), List.of(), List.of(), null, 0);
        ComputationGraph with = new ComputationGraph(EsslGraph.pretraining(monitored, SHAPE, 4, 3, none, 12345, DataType.DOUBLE));
        with.init();
        assertEquals(List.of(EsslGraph.CONTRASTIVE, EsslGraph.GROUP, EsslGraph.MONITOR), with.getConfiguration().getNetworkOutputs());
        for (var e : without.paramTable().entrySet()) with.paramTable().get(e.getKey()).assign(e.getValue());
        int n = 3;
        INDArray[] x = batch(n, 8), y = labels(n);
        INDArray classes = Nd4j.zeros(DataType.DOUBLE, n, 3);
        for (int i = 0; i < n; i++) classes.putScalar(i, i % 3, 1.0);
        var g0 = gradients(without, x, y);
        var g1 = gradients(with, x, new INDArray[]{y[0], y[1], classes});
        int compared = 0;
        for (var v : without.getVertices()) {
            if (v.numParams() == 0) continue;
            INDArray a = v.getGradientsViewArray(), b = with.getVertex(v.getVertexName()).getGradientsViewArray();
            assertTrue(a.norm2Number().doubleValue() > 0, v.getVertexName() + " has a gradient");
            assertEquals(0, a.sub(b).norm2Number().doubleValue(), 1e-12, "the labels reached " + v.getVertexName());
            compared++;
        }
        assertTrue(compared > 5, "backbone, projector and group head compared: " + compared);
        assertTrue(g1.getGradientFor("monitor_W").norm2Number().doubleValue() > 1e-6, "the monitor itself learns");
        assertTrue(with.score() > without.score(), "the score includes the monitor's cross-entropy");
    }

    /** The graph with its stop-gradient replaced by the identity (the same parameters). */
    private static ComputationGraph open(ComputationGraph g) {
        var conf = g.getConfiguration().clone();
        var v = (org.deeplearning4j.nn.conf.graph.LayerVertex) conf.getVertices().get("target_stop_gradient");
        ((org.deeplearning4j.nn.conf.layers.ActivationLayer) v.getLayerConf().getLayer())
                .setActivationFn(new org.nd4j.linalg.activations.impl.ActivationIdentity());
        ComputationGraph o = new ComputationGraph(conf);
        o.init(g.params().dup(), true);
        return o;
    }

    private static org.deeplearning4j.nn.gradient.Gradient gradients(ComputationGraph g, INDArray[] x, INDArray[] y) {
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        return g.gradient();
    }

    private static void assertPasses(GraphGradientCheck.Result r) {
        assertPasses(r, 220); // 4 entries in each of 60-75 tensors (no group head at lambda 0), fewer in small ones
    }

    /** {@code atLeast}: more entries than this must have been checked (every tensor sampled). */
    private static void assertPasses(GraphGradientCheck.Result r, int atLeast) {
        System.out.printf("gradient check: %d parameters, max relative error %.2e%n", r.checked(), r.maxRelError());
        assertTrue(r.checked() > atLeast, "too few parameters checked: " + r.checked());
        assertTrue(r.failures().isEmpty(), r.failures().size() + " of " + r.checked() + " parameters failed, first: "
                + r.failures().subList(0, Math.min(5, r.failures().size())));
    }

    /** The loss is exactly invariance + lambda x mean CE over the group rows, for any G and k rows per image. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"4, 4", "2, 2", "3, 3", "24, 24", "24, 5"})
    void reportedScoreIsContrastivePlusLambdaTimesMeanCrossEntropy(int groupSize, int rowsPerImage) {
        int n = 2;
        double lambda = 0.7;
        ComputationGraph g = graph(withGroup(tinyModel(lambda, "infonce"), "jigsaw", 0,
                rowsPerImage == groupSize ? 0 : rowsPerImage), groupSize);
        INDArray[] x = batch(n, rowsPerImage, 4);
        INDArray[] y = labels(n, groupSize, rowsPerImage);
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        // The contrastive embeddings and group logits, by hand from the layers' outputs.
        var acts = g.feedForward(x, true);
        INDArray z = acts.get("proj_bn2");
        INDArray logits = acts.get(EsslGraph.GROUP);
        double contrastive = new InfoNceLoss(0.5).computeScore(null, z, new ActivationIdentity(), null, true);
        double ce = 0;
        int rows = rowsPerImage * n;
        assertEquals(rows, logits.rows());
        for (int i = 0; i < rows; i++) {
            INDArray row = logits.getRow(i);
            double max = row.maxNumber().doubleValue();
            double lse = Math.log(Transforms.exp(row.sub(max)).sumNumber().doubleValue()) + max;
            ce += lse - row.getDouble(y[1].getRow(i).argMax().getInt(0));
        }
        assertEquals(contrastive + lambda * ce / rows, g.score(), 1e-6);
    }
}
