package io.essl.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * LinearLayer trains exactly like DL4J's DenseLayer (identical gradients and parameters, step after step) while its
 * backward pass reuses the forward product; other forward passes multiply again.
 */
class LinearLayerTest {

    private static ComputationGraph graph(Activation activation, boolean bias, boolean layerNorm, boolean ours) {
        Layer hidden = ours
                ? LinearLayer.init(layerNorm ? new NormedDenseLayer() : new LinearLayer(), 6, 8, activation, bias, layerNorm)
                : new DenseLayer.Builder().nIn(6).nOut(8).activation(activation).hasBias(bias).hasLayerNorm(layerNorm).build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Sgd(0.05)).trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED).graphBuilder().addInputs("in")
                .addLayer("h", hidden, "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(8).nOut(3)
                        .activation(Activation.IDENTITY).build(), "h")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @ParameterizedTest
    @CsvSource({"IDENTITY, false, false", "RELU, true, true", "IDENTITY, true, true", "TANH, true, false"})
    void trainsExactlyLikeDl4jsDenseLayer(Activation activation, boolean bias, boolean layerNorm) {
        ComputationGraph plain = graph(activation, bias, layerNorm, false);
        ComputationGraph ours = graph(activation, bias, layerNorm, true);
        ours.setParams(plain.params());
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.randn(DataType.FLOAT, 10, 6);
        INDArray y = Nd4j.randn(DataType.FLOAT, 10, 3);
        for (int step = 0; step < 3; step++) {
            plain.fit(new INDArray[]{x}, new INDArray[]{y});
            ours.fit(new INDArray[]{x}, new INDArray[]{y});
            assertEquals(plain.params(), ours.params(), "step " + step);
            assertEquals(plain.score(), ours.score(), 0.0);
        }
        LinearLayer.Running h = assertInstanceOf(LinearLayer.Running.class, ours.getLayer("h"));
        // Only identity and ReLU can be differentiated from the kept output.
        assertEquals(activation == Activation.TANH ? 0 : 3, h.reuses);

        INDArray before = ours.outputSingle(x).dup();
        ours.getLayer("h").setParam("W", ours.getLayer("h").getParam("W").add(Nd4j.randn(DataType.FLOAT, 6, 8)));
        plain.setParams(ours.params());
        assertNotEquals(before, ours.outputSingle(x));
        assertEquals(plain.outputSingle(x), ours.outputSingle(x));
        assertEquals(activation == Activation.TANH ? 0 : 3, h.reuses);
    }
}
