package io.essl.kernels;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The backward pass reuses the forward convolution (same gradients, one convolution fewer) and nothing else does. */
class ConvForwardReuseTest {
    private static final String HELPERS = "org.eclipse.deeplearning4j.helpers.disable";
    private static final String HELPERS_BEFORE = System.getProperty(HELPERS, "true");

    @AfterAll
    static void restore() {
        System.setProperty(HELPERS, HELPERS_BEFORE);
    }

    private static ComputationGraph graph(boolean reuse) {
        System.setProperty(HELPERS, "false"); // DL4J's oneDNN helpers, as in training
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED).graphBuilder().addInputs("in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(6).padding(1, 1).activation(Activation.IDENTITY).build(), "in")
                .addLayer("r1", new ActivationLayer(Activation.TANH), "c1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(4).padding(1, 1).activation(Activation.IDENTITY).build(), "r1")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build(), "c2")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 3)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        if (reuse) ConvForwardReuse.install(g);
        return g;
    }

    private static ConvForwardReuse helper(ComputationGraph g, String layer) throws ReflectiveOperationException {
        Field f = org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class.getDeclaredField("helper");
        f.setAccessible(true);
        return assertInstanceOf(ConvForwardReuse.class, f.get(g.getLayer(layer)));
    }

    @Test
    void backwardReusesTheForwardConvolutionWithIdenticalGradients() throws Exception {
        ComputationGraph plain = graph(false);
        ComputationGraph reusing = graph(true);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 8, 8);
        INDArray y = Nd4j.rand(DataType.FLOAT, 4, 4, 8, 8);
        for (int step = 0; step < 3; step++) {
            plain.setInputs(x);
            plain.setLabels(y);
            plain.computeGradientAndScore();
            reusing.setInputs(x);
            reusing.setLabels(y);
            reusing.computeGradientAndScore();
            assertEquals(plain.gradient().gradient(), reusing.gradient().gradient(), "step " + step);
            plain.fit(new INDArray[]{x}, new INDArray[]{y});
            reusing.fit(new INDArray[]{x}, new INDArray[]{y});
            assertEquals(plain.params(), reusing.params(), "step " + step);
        }
        // Each computeGradientAndScore and each fit reused both layers' outputs once.
        assertEquals(6, helper(reusing, "c1").reuses);
        assertEquals(6, helper(reusing, "c2").reuses);
    }

    @Test
    void anotherForwardPassConvolvesAgain() throws Exception {
        ComputationGraph g = graph(true);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
        INDArray before = g.outputSingle(x).dup();
        g.getLayer("c1").setParam("W", g.getLayer("c1").getParam("W").mul(2));
        INDArray after = g.outputSingle(x);
        assertNotEquals(before, after);
        ComputationGraph plain = graph(false);
        plain.setParams(g.params());
        assertEquals(plain.outputSingle(x), after);
        assertEquals(0, helper(g, "c1").reuses);
    }
}
