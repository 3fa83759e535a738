package io.essl.model;

import io.essl.config.EsslConfig;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.StackVertex;
import org.deeplearning4j.nn.conf.graph.UnstackVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;
import java.util.List;

/**
 * The one definition of the E-SimCLR network, used by training, probing and tests alike.
 * <pre>
 * views [2N + G*N rows] -> backbone -> "encoder" (pooled features)
 *   rows 0..2N      -> projector -> "contrastive" (NT-Xent)
 *   rows 2N..       -> group head (Dense+LayerNorm+ReLU x2) -> "group" (lambda x cross-entropy)
 * </pre>
 * With lambda = 0 the group branch is absent and the graph is plain SimCLR. The backbone sees all rows in one
 * pass, so BatchNorm statistics are shared between the contrastive and the group views (docs/architecture.md).
 */
public final class EsslGraph {
    public static final String INPUT = "views";
    public static final String ENCODER = "encoder";
    public static final String CONTRASTIVE = "contrastive";
    public static final String GROUP = "group";

    private EsslGraph() {
    }

    /** Input image geometry. */
    public record Shape(int channels, int height, int width) {
    }

    public static ComputationGraphConfiguration pretraining(EsslConfig.Model m, Shape in, int groupSize,
                                                            IUpdater updater, double weightDecay, long seed,
                                                            DataType dataType) {
        ComputationGraphConfiguration.GraphBuilder b = base(updater, weightDecay, seed, dataType)
                .addInputs(INPUT).setInputTypes(InputType.convolutional(in.height(), in.width(), in.channels()));
        int features = backbone(b, m, in, INPUT);
        boolean withGroup = m.lambda() > 0;
        String projectorIn = ENCODER;
        if (withGroup) {
            if (groupSize % 2 != 0) throw new IllegalArgumentException("group size must be even, got " + groupSize);
            // Rows come in chunks of 2N: chunk 0 is the contrastive pair, chunks 1..G/2 the group views.
            int chunks = 1 + groupSize / 2;
            List<String> groupChunks = new ArrayList<>();
            b.addVertex("rows_contrastive", new UnstackVertex(0, chunks), ENCODER);
            for (int k = 1; k < chunks; k++) {
                b.addVertex("rows_group_" + k, new UnstackVertex(k, chunks), ENCODER);
                groupChunks.add("rows_group_" + k);
            }
            b.addVertex("rows_group", new StackVertex(), groupChunks.toArray(String[]::new));
            projectorIn = "rows_contrastive";
            b.addLayer("group_fc1", dense(features, m.rotationHidden()), "rows_group");
            b.addLayer("group_fc2", dense(m.rotationHidden(), m.rotationHidden()), "group_fc1");
            b.addLayer(GROUP, new OutputLayer.Builder(new GroupCrossEntropy(m.lambda(), 2.0 / groupSize))
                    .nIn(m.rotationHidden()).nOut(groupSize).activation(Activation.IDENTITY).build(), "group_fc2");
        }
        b.addLayer("proj_fc1", new DenseLayer.Builder().nIn(features).nOut(m.projectorHidden()).hasBias(false)
                .activation(Activation.IDENTITY).build(), projectorIn);
        b.addLayer("proj_bn1", new BatchNormalization.Builder().build(), "proj_fc1");
        b.addLayer("proj_relu1", new ActivationLayer(Activation.RELU), "proj_bn1");
        b.addLayer(CONTRASTIVE, new OutputLayer.Builder(new NtXentLoss(m.temperature()))
                .nIn(m.projectorHidden()).nOut(m.projectorOut()).activation(Activation.IDENTITY).build(), "proj_relu1");
        return withGroup ? b.setOutputs(CONTRASTIVE, GROUP).build() : b.setOutputs(CONTRASTIVE).build();
    }

    /** The backbone alone, output "encoder": for feature extraction. */
    public static ComputationGraphConfiguration encoderOnly(EsslConfig.Model m, Shape in, long seed, DataType dataType) {
        ComputationGraphConfiguration.GraphBuilder b = base(new NoOp(), 0, seed, dataType)
                .addInputs(INPUT).setInputTypes(InputType.convolutional(in.height(), in.width(), in.channels()));
        backbone(b, m, in, INPUT);
        return b.setOutputs(ENCODER).build();
    }

    /** Copies the backbone's parameters (BatchNorm running statistics included) into an encoder-only graph. */
    public static ComputationGraph extractEncoder(ComputationGraph full, EsslConfig.Model m, Shape in) {
        ComputationGraph enc = new ComputationGraph(encoderOnly(m, in, 0, full.getConfiguration().getDataType()));
        enc.init();
        for (org.deeplearning4j.nn.api.Layer l : enc.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (l.numParams() > 0) l.setParams(full.getLayer(name).params().dup());
        }
        return enc;
    }

    public static int featureSize(EsslConfig.Model m) {
        return m.width() << (m.blocksPerStage().length - 1);
    }

    private static ComputationGraphConfiguration.GraphBuilder base(IUpdater updater, double weightDecay, long seed,
                                                                   DataType dataType) {
        NeuralNetConfiguration.Builder nb = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(dataType).updater(updater).weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED).inferenceWorkspaceMode(WorkspaceMode.ENABLED);
        if (weightDecay > 0) nb.weightDecay(weightDecay, true);
        return nb.graphBuilder();
    }

    /** Small ResNet: 3x3 stem, then per stage {@code blocks} BasicBlocks at width*2^s (stride 2 from stage 2). */
    private static int backbone(ComputationGraphConfiguration.GraphBuilder b, EsslConfig.Model m, Shape in, String input) {
        int width = m.width();
        String x = convBn(b, "stem", input, in.channels(), width, 3, 1);
        b.addLayer("stem_relu", new ActivationLayer(Activation.RELU), x);
        x = "stem_relu";
        int channels = width;
        int[] blocks = m.blocksPerStage();
        for (int s = 0; s < blocks.length; s++) {
            int out = width << s;
            for (int k = 0; k < blocks[s]; k++) {
                int stride = (s > 0 && k == 0) ? 2 : 1;
                String p = "s" + (s + 1) + "b" + (k + 1);
                String c1 = convBn(b, p + "_a", x, channels, out, 3, stride);
                b.addLayer(p + "_a_relu", new ActivationLayer(Activation.RELU), c1);
                String c2 = convBn(b, p + "_b", p + "_a_relu", out, out, 3, 1);
                String shortcut = (stride != 1 || channels != out) ? convBn(b, p + "_down", x, channels, out, 1, stride) : x;
                b.addVertex(p + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), c2, shortcut);
                b.addLayer(p + "_relu", new ActivationLayer(Activation.RELU), p + "_add");
                x = p + "_relu";
                channels = out;
            }
        }
        b.addLayer(ENCODER, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
        return channels;
    }

    private static String convBn(ComputationGraphConfiguration.GraphBuilder b, String name, String input, int nIn,
                                 int nOut, int kernel, int stride) {
        b.addLayer(name + "_conv", new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nIn(nIn).nOut(nOut)
                .hasBias(false).activation(Activation.IDENTITY).build(), input);
        b.addLayer(name + "_bn", new BatchNormalization.Builder().nOut(nOut).build(), name + "_conv");
        return name + "_bn";
    }

    private static DenseLayer dense(int nIn, int nOut) {
        return new DenseLayer.Builder().nIn(nIn).nOut(nOut).hasLayerNorm(true).activation(Activation.RELU).build();
    }
}
