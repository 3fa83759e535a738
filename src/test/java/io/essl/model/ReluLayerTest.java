package io.essl.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** ReluLayer gives DL4J's ReLU ActivationLayer's outputs, gradients and parameters, step after step. */
class ReluLayerTest {

    private static ComputationGraph graph(DataType type, boolean ours) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).dataType(type)
                .updater(new Sgd(0.1)).trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED).graphBuilder().addInputs("in")
                .addLayer("c", new ConvolutionLayer.Builder(3, 3).nOut(5).padding(1, 1).activation(Activation.IDENTITY).build(), "in")
                .addLayer("r", ours ? new ReluLayer() : new ActivationLayer(Activation.RELU), "c")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build(), "r")
                .setOutputs("out").setInputTypes(InputType.convolutional(7, 6, 2)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void matchesDl4jsReluLayer(DataType type) {
        ComputationGraph plain = graph(type, false);
        ComputationGraph ours = graph(type, true);
        assertInstanceOf(ReluLayer.Running.class, ours.getLayer("r"));
        ours.setParams(plain.params());
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.randn(type, 3, 2, 7, 6);
        INDArray y = Nd4j.randn(type, 3, 5, 7, 6);
        assertEquals(plain.feedForward(x, true).get("r"), ours.feedForward(x, true).get("r"));
        for (int step = 0; step < 3; step++) {
            plain.fit(new INDArray[]{x}, new INDArray[]{y});
            ours.fit(new INDArray[]{x}, new INDArray[]{y});
            assertEquals(plain.params(), ours.params(), "step " + step);
        }
        assertEquals(plain.outputSingle(x), ours.outputSingle(x));
        // The layer's JSON keeps its class.
        assertInstanceOf(ReluLayer.class, ComputationGraphConfiguration.fromJson(ours.getConfiguration().toJson())
                .getVertices().get("r") instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                ? lv.getLayerConf().getLayer() : null);
    }
}
