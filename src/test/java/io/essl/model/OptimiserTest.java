package io.essl.model;

import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.optim.LarsAdaptation;
import io.essl.optim.Optimisers;
import io.essl.optim.WarmupCosineSchedule;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One optimiser step of the whole E-SSL graph, against the reference's update computed by hand per tensor. */
class OptimiserTest {

    @AfterAll
    static void restoreDefaults() {
        EsslGraphGradientTest.restoreDefaults();
    }

    record Tensor(String vertex, String key, INDArray before, INDArray gradient) {
    }

    /** Parameters and (minibatch-averaged) gradients per tensor, then one fit; returns the tensors before the step. */
    static List<Tensor> stepOnce(ComputationGraph g, MultiDataSet batch) {
        g.setInputs(batch.getFeatures());
        g.setLabels(batch.getLabels());
        g.computeGradientAndScore();
        INDArray grad = g.gradient().gradient().dup().divi(batch.getLabels(0).size(0));
        List<Tensor> out = new ArrayList<>();
        long offset = 0;
        for (int idx : g.topologicalSortOrder()) {
            GraphVertex v = g.getVertices()[idx];
            for (Map.Entry<String, INDArray> e : v.paramTable(false).entrySet()) {
                long n = e.getValue().length();
                String key = e.getKey().substring(e.getKey().lastIndexOf('_') + 1);
                out.add(new Tensor(v.getVertexName(), e.getKey(), e.getValue().dup(),
                        grad.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + n))
                                .reshape(e.getValue().ordering(), e.getValue().shape())));
                offset += n;
                if (key.equals("mean") || key.equals("var") || key.equals("log10stdev")) out.remove(out.size() - 1);
            }
        }
        g.fit(batch);
        return out;
    }

    static ComputationGraph graph(String... sets) {
        EsslConfig c = ConfigLoader.load(null, List.of(sets));
        Optimisers.Optimisation opt = Optimisers.of(c.train(), 256, 0, 1_000_000_000); // constant LR over two steps
        ComputationGraph g = EsslGraphGradientTest.graph(EsslGraphGradientTest.tinyModel(0.4, "infonce"));
        ComputationGraph withOpt = new ComputationGraph(EsslGraph.pretraining(EsslGraphGradientTest.tinyModel(0.4, "infonce"),
                EsslGraphGradientTest.SHAPE, 4, opt, 12345, DataType.DOUBLE));
        withOpt.init(g.params().dup(), false);
        return withOpt;
    }

    static INDArray after(ComputationGraph g, Tensor t) {
        return g.getVertex(t.vertex()).paramTable(false).get(t.key());
    }

    @Test
    void larsScalesWeightsByTheTrustRatioAndLeavesBiasesAndNormsPlain() {
        double lr = 0.3, wd = 1e-2, eta = 0.02;
        ComputationGraph g = graph("train.optimizer=lars", "train.base-lr=" + lr, "train.weight-decay=" + wd,
                "train.lars-eta=" + eta, "train.momentum=0.9");
        List<Tensor> tensors = stepOnce(g, new MultiDataSet(EsslGraphGradientTest.batch(3, 9), EsslGraphGradientTest.labels(3)));
        int weights = 0, others = 0;
        for (Tensor t : tensors) {
            INDArray expectedStep;
            if (t.key().equals("W") || t.key().endsWith("_W")) {
                // dp = g + wd w; dp *= eta |w| / |dp|; the momentum buffer starts at 0, so v = dp.
                INDArray dp = t.gradient().add(t.before().mul(wd));
                expectedStep = dp.mul(eta * t.before().norm2Number().doubleValue() / dp.norm2Number().doubleValue());
                weights++;
            } else {
                expectedStep = t.gradient();
                others++;
            }
            INDArray expected = t.before().sub(expectedStep.mul(lr));
            double err = after(g, t).sub(expected).norm2Number().doubleValue();
            assertTrue(err < 1e-9 * Math.max(1, expected.norm2Number().doubleValue()), t.vertex() + " " + t.key() + ": " + err);
        }
        assertTrue(weights > 20 && others > 40, weights + " weights, " + others + " others");
    }

    @Test
    void sgdDecaysEveryBackboneParameterAndMomentumCarriesOver() {
        double lr = 0.1, wd = 1e-2, m = 0.9;
        ComputationGraph g = graph("train.optimizer=sgd", "train.base-lr=" + lr, "train.weight-decay=" + wd,
                "train.momentum=" + m);
        MultiDataSet batch = new MultiDataSet(EsslGraphGradientTest.batch(3, 10), EsslGraphGradientTest.labels(3));
        List<Tensor> first = stepOnce(g, batch);
        List<Tensor> second = stepOnce(g, batch);
        for (int i = 0; i < second.size(); i++) {
            Tensor t1 = first.get(i), t2 = second.get(i);
            if (!t1.vertex().equals(EsslGraph.BACKBONE)) continue;
            // PyTorch SGD: d = g + wd w; v = m v + d; w -= lr v.
            INDArray v1 = t1.gradient().add(t1.before().mul(wd));
            INDArray v2 = v1.mul(m).add(t2.gradient().add(t2.before().mul(wd)));
            INDArray expected = t2.before().sub(v2.mul(lr));
            double err = after(g, t2).sub(expected).norm2Number().doubleValue();
            assertTrue(err < 1e-9 * Math.max(1, expected.norm2Number().doubleValue()), t2.key() + ": " + err);
        }
    }

    @Test
    void larsAdaptationAloneMatchesHandNumbers() {
        INDArray w = Nd4j.create(new double[]{3, 4});          // |w| = 5
        INDArray g = Nd4j.create(new double[]{0.5, -1.0});
        new LarsAdaptation(0.1, 0.001).apply(w, g, 1.0, 0, 0);
        // dp = g + 0.1 w = (0.8, -0.6), |dp| = 1; scale = 0.001 * 5 / 1.
        assertEquals(0.8 * 0.005, g.getDouble(0), 1e-12);
        assertEquals(-0.6 * 0.005, g.getDouble(1), 1e-12);
    }

    @Test
    @SuppressWarnings("deprecation")
    void modelFilesNamingTheOptimisersOldClassesStillRead() throws Exception {
        // the JSON of files written before the optimisers moved to io.essl.optim (the fixture covers the schedule)
        var mapper = org.deeplearning4j.nn.conf.NeuralNetConfiguration.mapper();
        Object sgd = mapper.readValue("{\"@class\": \"io.essl.train.MomentumSgd\", \"learningRate\": 0.1, \"momentum\": 0.9}",
                org.nd4j.linalg.learning.config.IUpdater.class);
        assertEquals(new io.essl.optim.MomentumSgd(0.1, null, 0.9), sgd);
        Object lars = mapper.readValue("{\"@class\": \"io.essl.train.LarsAdaptation\", \"weightDecay\": 1e-6, \"eta\": 0.001}",
                org.nd4j.linalg.learning.regularization.Regularization.class);
        assertEquals(new LarsAdaptation(1e-6, 0.001), lars);
        Object schedule = mapper.readValue("{\"@class\": \"io.essl.model.WarmupCosineSchedule\", \"base\": 1.0, "
                + "\"finalValue\": 0.001, \"warmupSteps\": 10, \"totalSteps\": 110}", org.nd4j.linalg.schedule.ISchedule.class);
        assertEquals(new WarmupCosineSchedule(1.0, 0.001, 10, 110).valueAt(50, 0),
                ((org.nd4j.linalg.schedule.ISchedule) schedule).valueAt(50, 0), 0);
    }

    @Test
    void warmupThenCosineToTheFloor() {
        WarmupCosineSchedule s = new WarmupCosineSchedule(1.0, 0.001, 10, 110);
        assertEquals(0.1, s.valueAt(0, 0), 1e-12);
        assertEquals(1.0, s.valueAt(9, 0), 1e-12);
        assertEquals(1.0, s.valueAt(10, 0), 1e-12);
        assertEquals(0.001 + 0.5 * 0.999, s.valueAt(60, 0), 1e-12);
        assertEquals(0.001, s.valueAt(110, 0), 1e-12);
    }
}
