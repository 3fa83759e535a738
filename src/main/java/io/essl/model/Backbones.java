package io.essl.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * The two ResNets of the spec, layer for layer as torchvision builds them (explicit padding, no bias in
 * convolutions, BatchNorm after each, stride on the 3x3 convolution of a bottleneck, 1x1 convolution + BN on the
 * shortcut when the shape changes), ending in global average pooling named {@link #OUTPUT}.
 * <ul>
 * <li>{@code resnet18-small}: the CIFAR variant (3x3 stem with stride 1, no max-pool), BasicBlocks [2, 2, 2, 2].</li>
 * <li>{@code resnet50}: the ImageNet variant (7x7 stem with stride 2, 3x3 max-pool), Bottlenecks [3, 4, 6, 3].</li>
 * <li>{@code conv7}: the paper's photonics encoder for 32 x 32 unit cells: three 7x7 convolutions (64, 256, 256
 * channels) each with BatchNorm, ReLU and a max-pool of 2, 4 and 4 (32 -> 16 -> 4 -> 1 pixels), then two fully
 * connected layers with ReLU (256 -> 1024 -> 1024), the last of them named {@link #OUTPUT}.</li>
 * </ul>
 * {@code width} multiplies every channel count (1.0 = the paper's 64 stem channels).
 */
public final class Backbones {
    public static final String OUTPUT = "pool";
    public static final String RESNET18_SMALL = "resnet18-small";
    public static final String RESNET50 = "resnet50";
    public static final String CONV7 = "conv7";

    private Backbones() {
    }

    /** Which network, how wide, how many input channels, and whether each residual branch's last BN starts at 0. */
    public record Spec(String name, double width, int channels, boolean zeroInitResidual) {
        public Spec {
            if (!name.equals(RESNET18_SMALL) && !name.equals(RESNET50) && !name.equals(CONV7)) {
                throw new IllegalArgumentException("unknown backbone " + name + " (resnet18-small, resnet50 or conv7)");
            }
            if (base(width) < 1) throw new IllegalArgumentException("width " + width + " leaves no channels");
        }

        /** Channels of the pooled features. */
        public int features() {
            if (name.equals(CONV7)) return base(width) * 16;
            return base(width) * 8 * (name.equals(RESNET50) ? 4 : 1);
        }

        /** Stem channels at this width (64 at width 1.0). */
        public static int base(double width) {
            return (int) Math.round(64 * width);
        }
    }

    /** Adds the backbone reading {@code input} to {@code b}; returns the pooled feature size. */
    public static int add(ComputationGraphConfiguration.GraphBuilder b, Spec spec, String input) {
        if (spec.name().equals(CONV7)) return conv7(b, spec, input);
        int w = Spec.base(spec.width());
        boolean bottleneck = spec.name().equals(RESNET50);
        String x;
        if (bottleneck) {
            x = relu(b, "stem", convBn(b, "stem", input, spec.channels(), w, 7, 2, false));
            b.addLayer("stem_pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                    .padding(1, 1).build(), x);
            x = "stem_pool";
        } else {
            x = relu(b, "stem", convBn(b, "stem", input, spec.channels(), w, 3, 1, false));
        }
        int[] blocks = bottleneck ? new int[]{3, 4, 6, 3} : new int[]{2, 2, 2, 2};
        int in = w;
        for (int s = 0; s < blocks.length; s++) {
            int planes = w << s;
            int out = bottleneck ? 4 * planes : planes;
            for (int k = 0; k < blocks[s]; k++) {
                int stride = (s > 0 && k == 0) ? 2 : 1;
                String p = "s" + (s + 1) + "b" + (k + 1);
                boolean zero = spec.zeroInitResidual();
                String branch;
                if (bottleneck) {
                    String a = relu(b, p + "_a", convBn(b, p + "_a", x, in, planes, 1, 1, false));
                    String c = relu(b, p + "_b", convBn(b, p + "_b", a, planes, planes, 3, stride, false));
                    branch = convBn(b, p + "_c", c, planes, out, 1, 1, zero);
                } else {
                    String a = relu(b, p + "_a", convBn(b, p + "_a", x, in, planes, 3, stride, false));
                    branch = convBn(b, p + "_b", a, planes, out, 3, 1, zero);
                }
                String shortcut = (stride != 1 || in != out) ? convBn(b, p + "_down", x, in, out, 1, stride, false) : x;
                b.addVertex(p + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), branch, shortcut);
                x = relu(b, p, p + "_add");
                in = out;
            }
        }
        b.addLayer(OUTPUT, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
        return in;
    }

    /**
     * The photonics encoder. Its input must be 32 x 32 (the pools take it to 16 x 16, 4 x 4, then 1 x 1).
     */
    private static int conv7(ComputationGraphConfiguration.GraphBuilder b, Spec spec, String input) {
        int w = Spec.base(spec.width());
        int[] channels = {w, 4 * w, 4 * w};
        int[] pools = {2, 4, 4};
        String x = input;
        int in = spec.channels();
        for (int i = 0; i < 3; i++) {
            String p = "c" + (i + 1);
            x = relu(b, p, convBn(b, p, x, in, channels[i], 7, 1, false));
            // the last pool (4 on the 4 x 4 map) is a global max-pool: the same numbers, and its output is already
            // a vector, so no preprocessor sits before fc1 (SharedBackbone drives the layers without the graph's)
            b.addLayer(p + "_pool", i < 2 ? new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(pools[i], pools[i])
                    .stride(pools[i], pools[i]).build() : new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), x);
            x = p + "_pool";
            in = channels[i];
        }
        int features = spec.features();
        b.addLayer("fc1", new DenseLayer.Builder().nIn(in).nOut(features).activation(Activation.RELU).build(), x);
        b.addLayer(OUTPUT, new DenseLayer.Builder().nIn(features).nOut(features).activation(Activation.RELU).build(), "fc1");
        return features;
    }

    private static String convBn(ComputationGraphConfiguration.GraphBuilder b, String name, String input, int nIn,
                                 int nOut, int kernel, int stride, boolean zeroGamma) {
        b.addLayer(name + "_conv", new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                .padding(kernel / 2, kernel / 2).nIn(nIn).nOut(nOut).hasBias(false).weightInit(TorchInit.CONV)
                .activation(Activation.IDENTITY).build(), input);
        b.addLayer(name + "_bn", BatchNormLayer.of(nOut, zeroGamma ? 0 : 1), name + "_conv");
        return name + "_bn";
    }

    private static String relu(ComputationGraphConfiguration.GraphBuilder b, String name, String input) {
        b.addLayer(name + "_relu", new ReluLayer(), input);
        return name + "_relu";
    }
}
