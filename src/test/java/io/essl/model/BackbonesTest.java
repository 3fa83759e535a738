package io.essl.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BackbonesTest {

    static ComputationGraph build(Backbones.Spec spec, int size) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(size, size, spec.channels()));
        Backbones.add(b, spec, "in");
        ComputationGraph g = new ComputationGraph(b.setOutputs(Backbones.OUTPUT).build());
        g.init();
        return g;
    }

    @Test
    void parameterCountsEqualTorchvisions() {
        // torchvision resnet50 without fc: 25,557,032 - 2,049,000; resnet18 without fc with a 3x3 stem.
        assertEquals(23_508_032L, EsslGraph.trainableParameters(build(new Backbones.Spec("resnet50", 1, 3, true), 32)));
        assertEquals(11_168_832L, EsslGraph.trainableParameters(build(new Backbones.Spec("resnet18-small", 1, 3, false), 32)));
    }

    @Test
    void spatialSizesFollowTorchvision() {
        // ResNet-50 at 224: stem /2, max-pool /2, then /2 at stages 2-4 -> 7x7 before pooling; 2048 features.
        ComputationGraph r50 = build(new Backbones.Spec("resnet50", 0.125, 3, true), 224);
        var acts = r50.feedForward(Nd4j.rand(2, 3, 224, 224), false);
        assertArrayEquals(new long[]{2, 8, 56, 56}, acts.get("stem_pool").shape());
        assertArrayEquals(new long[]{2, 256, 7, 7}, acts.get("s4b3_relu").shape());
        assertArrayEquals(new long[]{2, 256}, acts.get(Backbones.OUTPUT).shape());
        // CIFAR variant at 32: no downsampling in the stem, 4x4 before pooling; at 16 px 2x2.
        ComputationGraph r18 = build(new Backbones.Spec("resnet18-small", 0.125, 1, false), 32);
        assertArrayEquals(new long[]{1, 64, 4, 4}, r18.feedForward(Nd4j.rand(1, 1, 32, 32), false).get("s4b2_relu").shape());
        assertArrayEquals(new long[]{1, 64, 2, 2}, r18.feedForward(Nd4j.rand(1, 1, 16, 16), false).get("s4b2_relu").shape());
    }

    @Test
    void zeroInitResidualStartsEveryResidualBranchAtZero() {
        ComputationGraph g = build(new Backbones.Spec("resnet50", 0.125, 3, true), 32);
        for (int s = 1; s <= 4; s++) {
            INDArray gamma = g.getLayer("s" + s + "b1_c_bn").getParam("gamma");
            assertEquals(0.0, gamma.norm1Number().doubleValue(), 0.0);
            INDArray other = g.getLayer("s" + s + "b1_b_bn").getParam("gamma");
            assertEquals(other.length(), other.sumNumber().doubleValue(), 1e-6, "other BatchNorms start at 1");
        }
    }

    /**
     * The paper's photonics encoder: 7x7 convolutions 1-64-256-256 (no bias, BatchNorm), fully connected 256-1024-1024
     * (with bias): 49 x (64 + 64 x 256 + 256 x 256) + 2 x (64 + 256 + 256) + (256 x 1024 + 1024) + (1024 x 1024 + 1024).
     */
    @Test
    void theConv7EncoderIsThePapersAndPoolsThirtyTwoPixelsToOne() {
        long expected = 49L * (64 + 64 * 256 + 256 * 256) + 2 * (64 + 256 + 256) + (256 * 1024 + 1024) + (1024 * 1024 + 1024);
        assertEquals(expected, EsslGraph.trainableParameters(build(new Backbones.Spec("conv7", 1, 1, false), 32)));
        ComputationGraph g = build(new Backbones.Spec("conv7", 0.125, 1, false), 32);
        var acts = g.feedForward(Nd4j.rand(2, 1, 32, 32), false);
        assertArrayEquals(new long[]{2, 8, 16, 16}, acts.get("c1_pool").shape());
        assertArrayEquals(new long[]{2, 32, 4, 4}, acts.get("c2_pool").shape());
        assertArrayEquals(new long[]{2, 32}, acts.get("c3_pool").shape());
        assertArrayEquals(new long[]{2, 128}, acts.get(Backbones.OUTPUT).shape());
        assertEquals(128, new Backbones.Spec("conv7", 0.125, 1, false).features());
        // the last pool is a global max-pool: the same as a max-pool of 4 on the 4 x 4 map
        INDArray c3 = acts.get("c3_relu");
        assertEquals(c3.max(2, 3).getDouble(1, 5), acts.get("c3_pool").getDouble(1, 5), 0);
    }
}
