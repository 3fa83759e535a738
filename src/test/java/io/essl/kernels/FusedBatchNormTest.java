package io.essl.kernels;

import io.essl.model.BatchNormLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * FusedBatchNorm against DL4J's own BatchNorm implementation (no helper), which DL4J gradient-checks: outputs,
 * every gradient (the layer's input gradient reaches the weights before it) and the running-statistics updates,
 * in training and inference, convolutional and dense. The reference runs in double; FusedBatchNorm in double
 * (to rounding) and in float (to float precision). The whole E-SSL graph's gradient check (EsslGraphGradientTest)
 * runs through FusedBatchNorm too.
 */
class FusedBatchNormTest {
    private static final String HELPERS = "org.eclipse.deeplearning4j.helpers.disable";
    private static final String HELPERS_BEFORE = System.getProperty(HELPERS, "true");

    @AfterAll
    static void restore() {
        System.setProperty(HELPERS, HELPERS_BEFORE);
    }

    private static ComputationGraph graph(boolean conv, DataType type, boolean fused) {
        System.setProperty(HELPERS, "true"); // DL4J's own implementation unless BatchNormLayer installs FusedBatchNorm
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .updater(new Sgd(0.1));
        ComputationGraphConfiguration.GraphBuilder g = b.graphBuilder().addInputs("in");
        if (conv) {
            g.addLayer("w", new ConvolutionLayer.Builder(3, 3).nOut(5).padding(1, 1).activation(Activation.TANH).build(), "in")
                    .addLayer("bn", fused ? BatchNormLayer.of(5, 1) : new BatchNormalization.Builder().build(), "w")
                    .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build(), "bn")
                    .setInputTypes(InputType.convolutional(6, 7, 3));
        } else {
            g.addLayer("w", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "in")
                    .addLayer("bn", fused ? BatchNormLayer.of(5, 1) : new BatchNormalization.Builder().build(), "w")
                    .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build(), "bn")
                    .setInputTypes(InputType.feedForward(4));
        }
        ComputationGraph net = new ComputationGraph(g.setOutputs("out").build());
        net.init();
        // Gamma and beta away from 1 and 0, and a running mean/std away from the start, so each one matters.
        Nd4j.getRandom().setSeed(3);
        net.getLayer("bn").setParam("gamma", Nd4j.rand(type, 1, 5).addi(0.5));
        net.getLayer("bn").setParam("beta", Nd4j.rand(type, 1, 5).subi(0.5));
        net.getLayer("bn").setParam("mean", Nd4j.rand(type, 1, 5));
        net.getLayer("bn").setParam("log10stdev", Nd4j.rand(type, 1, 5).subi(0.5));
        return net;
    }

    private static BatchNormalizationHelper helper(ComputationGraph net) throws ReflectiveOperationException {
        Field f = org.deeplearning4j.nn.layers.normalization.BatchNormalization.class.getDeclaredField("helper");
        f.setAccessible(true);
        return (BatchNormalizationHelper) f.get(net.getLayer("bn"));
    }

    @ParameterizedTest
    @CsvSource({"true, DOUBLE, 1e-12", "false, DOUBLE, 1e-12", "true, FLOAT, 1e-4", "false, FLOAT, 1e-4"})
    void matchesDl4jsOwnBatchNorm(boolean conv, DataType type, double tolerance) throws Exception {
        ComputationGraph reference = graph(conv, DataType.DOUBLE, false);
        ComputationGraph fused = graph(conv, type, true);
        fused.setParams(reference.params().castTo(type));
        assertNull(helper(reference));
        assertInstanceOf(FusedBatchNorm.class, helper(fused));

        Nd4j.getRandom().setSeed(11);
        INDArray x = conv ? Nd4j.rand(DataType.DOUBLE, 8, 3, 6, 7).muli(3).addi(2) : Nd4j.rand(DataType.DOUBLE, 8, 4).muli(3).addi(2);
        INDArray y = conv ? Nd4j.rand(DataType.DOUBLE, 8, 5, 6, 7) : Nd4j.rand(DataType.DOUBLE, 8, 5);
        INDArray xt = x.castTo(type);
        INDArray yt = y.castTo(type);

        // Training-mode forward: batch statistics.
        assertClose(reference.feedForward(new INDArray[]{x}, true).get("bn"),
                fused.feedForward(new INDArray[]{xt}, true).get("bn"), tolerance, "training output");
        // Every gradient: weights before the layer, gamma, beta, and the running mean / log10 std updates.
        reference.setInputs(x);
        reference.setLabels(y);
        reference.computeGradientAndScore();
        fused.setInputs(xt);
        fused.setLabels(yt);
        fused.computeGradientAndScore();
        // Relative to the largest gradient: the conv bias's gradient is zero but for rounding (BatchNorm follows).
        double gradientScale = reference.gradient().gradient().amaxNumber().doubleValue();
        for (String p : reference.gradient().gradientForVariable().keySet()) {
            assertClose(reference.gradient().getGradientFor(p), fused.gradient().getGradientFor(p),
                    tolerance * gradientScale, p);
        }
        assertEquals(reference.score(), fused.score(), tolerance * Math.abs(reference.score()));
        // A whole step, then inference with the updated running statistics.
        reference.fit(new INDArray[]{x}, new INDArray[]{y});
        fused.fit(new INDArray[]{xt}, new INDArray[]{yt});
        assertClose(reference.params(), fused.params(), tolerance, "parameters after a step");
        assertClose(reference.outputSingle(x), fused.outputSingle(xt), tolerance, "inference output");
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual.castTo(expected.dataType())).amaxNumber().doubleValue();
        assertEquals(0, diff, tolerance * scale, what + ": max difference " + diff);
    }
}
