package io.essl.model;

import io.essl.config.EsslConfig;
import io.essl.optim.Optimisers;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.StackVertex;
import org.deeplearning4j.nn.conf.graph.UnstackVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.ArrayList;
import java.util.List;

/**
 * The one definition of the E-SSL network, used by training, probing and tests alike.
 * <pre>
 * "views" [2N rows, crop size] ---+
 * "group_views" [k*N rows, view-3 size] --> "backbone" (one ResNet, shared weights) -> features [2N + k*N rows]
 *   rows 0..2N  -> the SSL method's parts ({@link SslMethod}: projector, predictor) -> "contrastive", the
 *                  invariance loss (SimCLR's InfoNCE/NT-Xent, SimSiam's negative cosine, Barlow Twins')
 *   rows 2N..   -> group head (Linear + LayerNorm + ReLU ..., [bottleneck Linear + LayerNorm], Linear -> G)
 *                  -> "group" (lambda x cross-entropy)
 * </pre>
 * With lambda = 0 the group input and branch are absent and the graph is the plain method (SimCLR, ...).
 * The batches it takes are laid out as {@link BatchLayout} says.
 */
public final class EsslGraph {
    public static final String INPUT = "views";
    public static final String GROUP_INPUT = "group_views";
    public static final String BACKBONE = "backbone";
    public static final String CONTRASTIVE = "contrastive";
    public static final String GROUP = "group";
    /** The online linear monitor's output (model.online-monitor), after the group output when both are there. */
    public static final String MONITOR = "monitor";
    /** Fine-tuning's linear softmax head on the backbone's features. */
    public static final String CLASSIFIER = "classifier";
    /** Regression fine-tuning's linear head (photonics). */
    public static final String REGRESSOR = "regressor";
    /** A layer with the optimiser's learning rate (for logging it). */
    public static final String FIRST_PROJECTOR_LAYER = "proj_fc1";

    private EsslGraph() {
    }

    /** Geometry of views 1 and 2 (= the encoder's input for probing), and the side of the square view 3. */
    public record Shape(int channels, int height, int width, int view3Size) {
        public Shape(int channels, int height, int width) {
            this(channels, height, width, Math.max(1, Math.min(height, width) / 2));
        }
    }

    public static Backbones.Spec backboneSpec(EsslConfig.Model m, int channels) {
        return new Backbones.Spec(m.backbone(), m.width(), channels, m.zeroInitResidual());
    }

    public static ComputationGraphConfiguration pretraining(EsslConfig.Model m, Shape in, int groupSize,
                                                            Optimisers.Optimisation opt, long seed, DataType dataType) {
        return pretraining(m, in, groupSize, 0, opt, seed, dataType);
    }

    /** With {@code classes} > 0 (and model.online-monitor) the online linear monitor over that many classes. */
    public static ComputationGraphConfiguration pretraining(EsslConfig.Model m, Shape in, int groupSize, int classes,
                                                            Optimisers.Optimisation opt, long seed, DataType dataType) {
        boolean withGroup = m.lambda() > 0;
        Backbones.Spec spec = backboneSpec(m, in.channels());
        ComputationGraphConfiguration backbone = backbone(spec, in, opt, seed + 1, dataType);
        ComputationGraphConfiguration.GraphBuilder b = base(opt, seed, dataType).addInputs(INPUT);
        List<InputType> types = new ArrayList<>(List.of(InputType.convolutional(in.height(), in.width(), in.channels())));
        int features = spec.features();
        String projectorIn = BACKBONE;
        if (withGroup) {
            b.addInputs(GROUP_INPUT);
            types.add(InputType.convolutional(in.view3Size(), in.view3Size(), in.channels()));
            b.addVertex(BACKBONE, new SharedBackbone(backbone, 2, features), INPUT, GROUP_INPUT);
            // Feature rows come in chunks of N: chunks 0 and 1 the two views, then the k view-3 rows per image
            // (k = G, or model.group-samples), which works for any G and k, odd ones too.
            int k = m.groupSamples() > 0 ? m.groupSamples() : groupSize;
            int chunks = 2 + k;
            String[] chunk = new String[chunks];
            for (int c = 0; c < chunks; c++) {
                chunk[c] = "rows_" + c;
                b.addVertex(chunk[c], new UnstackVertex(c, chunks), BACKBONE);
            }
            b.addVertex("rows_contrastive", new StackVertex(), chunk[0], chunk[1]);
            b.addVertex("rows_group", new StackVertex(), java.util.Arrays.copyOfRange(chunk, 2, chunks));
            projectorIn = "rows_contrastive";
            groupHead(b, m, features, groupSize, k, "rows_group");
        } else {
            b.addVertex(BACKBONE, new SharedBackbone(backbone, 1, features), INPUT);
        }
        SslMethod.of(m).addInvariance(b, m, features, projectorIn);
        List<String> outputs = new ArrayList<>(withGroup ? List.of(CONTRASTIVE, GROUP) : List.of(CONTRASTIVE));
        if (m.onlineMonitor() && classes > 0) {
            monitor(b, features, classes, projectorIn);
            outputs.add(MONITOR);
        }
        b.setInputTypes(types.toArray(InputType[]::new));
        return b.setOutputs(outputs.toArray(String[]::new)).build();
    }

    /** A loss layer on its input as it is (the methods' invariance outputs). */
    static LossLayer lossLayer(ILossFunction loss) {
        return new LossLayer.Builder(loss).activation(Activation.IDENTITY).build();
    }

    public static ILossFunction contrastiveLoss(EsslConfig.Model m) {
        return m.loss().equals("ntxent") ? new NtXentLoss(m.temperature()) : new InfoNceLoss(m.temperature());
    }

    /** The backbone alone, output {@link Backbones#OUTPUT}: what the probe extracts features with. */
    public static ComputationGraphConfiguration encoderOnly(EsslConfig.Model m, Shape in, long seed, DataType dataType) {
        Optimisers.Optimisation none = new Optimisers.Optimisation(new NoOp(), List.of(), List.of(), null, 0);
        return backbone(backboneSpec(m, in.channels()), in, none, seed, dataType);
    }

    /** A freshly initialised encoder, as pre-training starts from (the random-encoder baseline). */
    public static ComputationGraph randomEncoder(EsslConfig.Model m, Shape in, long seed) {
        ComputationGraph enc = new ComputationGraph(encoderOnly(m, in, seed + 1, DataType.FLOAT));
        enc.init();
        return enc;
    }

    /**
     * The backbone plus a linear softmax classifier over {@code classes}, all of it trained (fine-tuning). The
     * backbone's vertices are named as in {@link #encoderOnly}, so an encoder's parameters copy over by name
     * ({@link #copyParameters}); the backbone is initialised with {@code seed + 1}, as {@link #randomEncoder}.
     */
    public static ComputationGraphConfiguration classifier(EsslConfig.Model m, Shape in, int classes,
                                                           Optimisers.Optimisation opt, long seed) {
        return withHead(m, in, opt, seed, CLASSIFIER, new OutputLayer.Builder(org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT)
                .nIn(backboneSpec(m, in.channels()).features()).nOut(classes).activation(Activation.SOFTMAX).build());
    }

    /**
     * The backbone plus a linear regression head of {@code outputs} values (output {@link #REGRESSOR}), trained with
     * the L1 ({@code l1}) or squared ({@code mse}) error, all of it trained; the backbone named and initialised as
     * {@link #classifier}'s (photonics: the DOS of a unit cell).
     */
    public static ComputationGraphConfiguration regressor(EsslConfig.Model m, Shape in, int outputs, String loss,
                                                          Optimisers.Optimisation opt, long seed) {
        var lossFunction = switch (loss) {
            case "l1" -> org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.L1;
            case "mse" -> org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MSE;
            default -> throw new IllegalArgumentException("regression loss " + loss + " (l1 or mse)");
        };
        return withHead(m, in, opt, seed, REGRESSOR, new OutputLayer.Builder(lossFunction)
                .nIn(backboneSpec(m, in.channels()).features()).nOut(outputs).activation(Activation.IDENTITY).build());
    }

    /** The backbone (initialised with {@code seed + 1}, as {@link #randomEncoder}) and one output layer on its features. */
    private static ComputationGraphConfiguration withHead(EsslConfig.Model m, Shape in, Optimisers.Optimisation opt, long seed,
                                                          String name, OutputLayer head) {
        ComputationGraphConfiguration.GraphBuilder b = base(opt, seed + 1, DataType.FLOAT).addInputs(INPUT)
                .setInputTypes(InputType.convolutional(in.height(), in.width(), in.channels()));
        Backbones.add(b, backboneSpec(m, in.channels()), INPUT);
        b.addLayer(name, head, Backbones.OUTPUT);
        return b.setOutputs(name).build();
    }

    /** Every parameter of {@code from} (BatchNorm running statistics too) into the same-named one of {@code to}. */
    public static void copyParameters(ComputationGraph from, ComputationGraph to) {
        var target = to.paramTable();
        for (var e : from.paramTable().entrySet()) {
            org.nd4j.linalg.api.ndarray.INDArray t = target.get(e.getKey());
            if (t == null || !java.util.Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " does not fit the target network");
            }
            t.assign(e.getValue());
        }
    }

    /**
     * The trained backbone as an encoder of the configured architecture; IllegalArgumentException when the graph
     * has no backbone or its parameters do not fit that architecture (a model of another network).
     */
    public static ComputationGraph extractEncoder(ComputationGraph full, EsslConfig.Model m, Shape in) {
        if (full.getConfiguration().getVertices().get(BACKBONE) == null) {
            throw new IllegalArgumentException("the model has no '" + BACKBONE + "' vertex: not an E-SSL network");
        }
        ComputationGraph enc = new ComputationGraph(encoderOnly(m, in, 0, full.getConfiguration().getDataType()));
        enc.init();
        long have = full.getVertex(BACKBONE).params().length();
        if (have != enc.numParams()) {
            throw new IllegalArgumentException("the model's backbone has " + have + " parameters but model.backbone = "
                    + m.backbone() + " at width " + m.width() + " has " + enc.numParams());
        }
        enc.setParams(full.getVertex(BACKBONE).params());
        return enc;
    }

    /** Trainable parameters as torchvision counts them: weights, biases, norm scales and shifts, no running statistics. */
    public static long trainableParameters(ComputationGraph g) {
        long n = 0;
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex v : g.getVertices()) n += trainableParameters(v);
        return n;
    }

    /** The same count for one vertex of a graph. */
    public static long trainableParameters(org.deeplearning4j.nn.graph.vertex.GraphVertex v) {
        long n = 0;
        for (var e : v.paramTable(false).entrySet()) {
            String k = e.getKey();
            if (!(k.endsWith("mean") || k.endsWith("var") || k.endsWith("log10stdev"))) n += e.getValue().length();
        }
        return n;
    }

    private static ComputationGraphConfiguration backbone(Backbones.Spec spec, Shape in, Optimisers.Optimisation opt,
                                                          long seed, DataType dataType) {
        ComputationGraphConfiguration.GraphBuilder b = base(opt, seed, dataType)
                .addInputs(INPUT).setInputTypes(InputType.convolutional(in.height(), in.width(), in.channels()));
        Backbones.add(b, spec, INPUT);
        return b.setOutputs(Backbones.OUTPUT).build();
    }

    private static ComputationGraphConfiguration.GraphBuilder base(Optimisers.Optimisation opt, long seed, DataType dataType) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(dataType).updater(opt.updater()).weightInit(TorchInit.LINEAR)
                .regularization(opt.weights()).regularizationBias(opt.others())
                .convolutionMode(ConvolutionMode.Truncate)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED).inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder();
    }

    /**
     * Linear (no bias) + BN per entry of model.projector, ReLU between them; returns the last layer's name. Without
     * {@code lastBn} the last entry is a plain Linear (Barlow Twins, whose loss normalises per view itself).
     */
    static String projector(ComputationGraphConfiguration.GraphBuilder b, EsslConfig.Model m, int in, String x, boolean lastBn) {
        int[] dims = m.projector();
        for (int i = 0; i < dims.length; i++) {
            boolean last = i == dims.length - 1;
            String p = "proj_" + (i + 1);
            b.addLayer("proj_fc" + (i + 1), LinearLayer.of(in, dims[i], Activation.IDENTITY, false), x);
            if (last && !lastBn) return "proj_fc" + (i + 1);
            boolean affine = !last || m.projectorLastBnAffine();
            b.addLayer("proj_bn" + (i + 1), affine ? BatchNormLayer.of(dims[i], 1) : BatchNormLayer.fixed(dims[i]),
                    "proj_fc" + (i + 1));
            x = "proj_bn" + (i + 1);
            if (!last) {
                b.addLayer(p + "_relu", new ReluLayer(), x);
                x = p + "_relu";
            }
            in = dims[i];
        }
        return x;
    }

    /**
     * The online linear monitor: view 1's rows of the two views' features (the first half of {@code rows}), a
     * stop-gradient (the labels must not train the backbone), then Linear -> classes with softmax cross-entropy.
     * Its N rows against the first output's 2N: gradient scale 2, as for the group head (GroupCrossEntropy).
     */
    private static void monitor(ComputationGraphConfiguration.GraphBuilder b, int in, int classes, String rows) {
        b.addVertex("monitor_rows", new UnstackVertex(0, 2), rows);
        b.addLayer("monitor_stop_gradient", new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder()
                .activation(new StopGradient()).build(), "monitor_rows");
        b.addLayer(MONITOR, new OutputLayer.Builder(new GroupCrossEntropy(1.0, 2.0))
                .nIn(in).nOut(classes).activation(Activation.IDENTITY).build(), "monitor_stop_gradient");
    }

    /** Linear + LayerNorm + ReLU per entry of model.rotation-head, an optional Linear + LayerNorm bottleneck, Linear -> G. */
    private static void groupHead(ComputationGraphConfiguration.GraphBuilder b, EsslConfig.Model m, int in, int groupSize,
                                  int rowsPerImage, String x) {
        int[] hidden = m.rotationHead();
        for (int i = 0; i < hidden.length; i++) {
            b.addLayer("group_fc" + (i + 1), NormedDenseLayer.of(in, hidden[i], Activation.RELU), x);
            x = "group_fc" + (i + 1);
            in = hidden[i];
        }
        if (m.rotationBottleneck() > 0) {
            b.addLayer("group_bottleneck", NormedDenseLayer.of(in, m.rotationBottleneck(), Activation.IDENTITY), x);
            x = "group_bottleneck";
            in = m.rotationBottleneck();
        }
        // DL4J divides the graph's gradient by the first output's rows (2N), each output's score by its own rows
        // (k*N): scaling this output's gradient by 2N / (k*N) = 2/k makes score and gradient agree (tested).
        b.addLayer(GROUP, new OutputLayer.Builder(new GroupCrossEntropy(m.lambda(), 2.0 / rowsPerImage))
                .nIn(in).nOut(groupSize).activation(Activation.IDENTITY).build(), x);
    }
}
