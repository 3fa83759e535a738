package io.essl.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Random;

/**
 * The frozen encoder as a network of DL4J's own classes, for a service that has DL4J but not this project on its
 * classpath. Our faster layers only change how DL4J's layers run, not what they compute: {@link BatchNormLayer}
 * becomes DL4J's BatchNormalization with the same settings (running std kept as log10, so its parameters copy as
 * they are), {@link ReluLayer} an ActivationLayer with ReLU, and {@link TorchInit} (used only to initialise) DL4J's
 * Xavier. Every parameter is copied by vertex and name, and the result is compared with ours on a probe batch
 * before anyone gets it.
 */
public final class EncoderExport {
    /** Rows of the probe batch the exported graph must agree on. */
    public static final int PROBE_ROWS = 4;
    /** Largest |ours - exported| allowed, relative to the features' scale (max(1, max |ours|)). */
    public static final double TOLERANCE = 1e-4;

    private EncoderExport() {
    }

    /** The exported graph and how far it was from ours on the probe batch. */
    public record Checked(ComputationGraph graph, double maxAbsDiff, double scale) {
    }

    /** Ours (as {@link EsslGraph#extractEncoder} gives it) rebuilt from DL4J's classes; IllegalStateException if it differs. */
    public static Checked of(ComputationGraph ours, EsslGraph.Shape shape) {
        ComputationGraphConfiguration conf = plainConfiguration(ours.getConfiguration(), shape);
        // A cloned DL4J layer could still hold one of our classes in a field not mapped above (a regulariser, say).
        if (conf.toJson().contains("io.essl.")) throw new IllegalStateException("the exported configuration names our classes");
        ComputationGraph plain = new ComputationGraph(conf);
        plain.init();
        copyParameters(ours, plain);
        return check(ours, plain, shape);
    }

    static ComputationGraphConfiguration plainConfiguration(ComputationGraphConfiguration c, EsslGraph.Shape shape) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .dataType(c.getDataType()).updater(new NoOp()).weightInit(new WeightInitXavier())
                .trainingWorkspaceMode(WorkspaceMode.ENABLED).inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder().addInputs(c.getNetworkInputs());
        for (Map.Entry<String, GraphVertex> e : c.getVertices().entrySet()) {
            String name = e.getKey();
            String[] inputs = c.getVertexInputs().get(name).toArray(String[]::new);
            if (e.getValue() instanceof LayerVertex v) {
                InputPreProcessor pre = v.getPreProcessor();
                if (pre != null) dl4jOwn(name, pre);
                b.addLayer(name, plain(name, v.getLayerConf().getLayer()), pre, inputs);
            } else {
                b.addVertex(name, dl4jOwn(name, e.getValue()).clone(), inputs);
            }
        }
        return b.setInputTypes(InputType.convolutional(shape.height(), shape.width(), shape.channels()))
                .setOutputs(c.getNetworkOutputs().toArray(String[]::new)).build();
    }

    private static Layer plain(String name, Layer l) {
        Layer p;
        if (l instanceof BatchNormLayer bn) {
            // DL4J's BatchNorm applies no activation; identity says so (the default in the JSON would read sigmoid).
            p = new BatchNormalization.Builder().activation(Activation.IDENTITY).nIn(bn.getNIn()).nOut(bn.getNOut())
                    .eps(bn.getEps()).decay(bn.getDecay()).gamma(bn.getGamma()).beta(bn.getBeta()).lockGammaBeta(bn.isLockGammaBeta())
                    .useLogStd(bn.isUseLogStd()).minibatch(bn.isMinibatch()).dataFormat(bn.getCnn2DFormat()).build();
        } else if (l instanceof ReluLayer r) {
            p = new ActivationLayer.Builder().activation(r.getActivationFn()).build();
        } else {
            p = dl4jOwn(name, l).clone();
        }
        // The initialisation never runs (the parameters are copied), but its class is named in the JSON.
        if (p instanceof BaseLayer base && !isDl4j(base.getWeightInitFn())) base.setWeightInitFn(new WeightInitXavier());
        return p;
    }

    private static <T> T dl4jOwn(String vertex, T part) {
        if (!isDl4j(part)) {
            throw new IllegalArgumentException("vertex " + vertex + ": no DL4J equivalent of " + part.getClass().getName());
        }
        return part;
    }

    private static boolean isDl4j(Object o) {
        return o == null || o.getClass().getName().startsWith("org.deeplearning4j.");
    }

    /** Vertex by vertex, parameter by name (BatchNorm: gamma, beta, mean, log10stdev): the same keys on both sides. */
    private static void copyParameters(ComputationGraph from, ComputationGraph to) {
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex v : from.getVertices()) {
            Map<String, INDArray> src = v.paramTable(false);
            Map<String, INDArray> dst = to.getVertex(v.getVertexName()).paramTable(false);
            if (!src.keySet().equals(dst.keySet())) {
                throw new IllegalStateException("vertex " + v.getVertexName() + ": parameters " + src.keySet()
                        + " cannot go into DL4J's " + dst.keySet());
            }
            src.forEach((k, a) -> dst.get(k).assign(a));
        }
    }

    /** Both graphs in evaluation mode on a seeded probe batch; loud when they differ by more than {@link #TOLERANCE}. */
    static Checked check(ComputationGraph ours, ComputationGraph plain, EsslGraph.Shape shape) {
        Random r = new Random(1);
        float[] x = new float[PROBE_ROWS * shape.channels() * shape.height() * shape.width()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        INDArray in = Nd4j.create(x, new long[]{PROBE_ROWS, shape.channels(), shape.height(), shape.width()})
                .castTo(ours.getConfiguration().getDataType());
        INDArray a = ours.output(false, in)[0], b = plain.output(false, in)[0];
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalStateException("exported encoder gives shape " + java.util.Arrays.toString(b.shape())
                    + ", ours " + java.util.Arrays.toString(a.shape()));
        }
        double diff = a.sub(b).amaxNumber().doubleValue();
        double scale = Math.max(1, a.amaxNumber().doubleValue());
        if (!(diff <= TOLERANCE * scale)) { // NaN fails too
            throw new IllegalStateException("exported encoder differs from ours on the probe batch: max |diff| "
                    + diff + " > " + TOLERANCE + " x " + scale);
        }
        return new Checked(plain, diff, scale);
    }

    /** NAME.zip → NAME.json: where the sidecar of an exported encoder goes. */
    public static String sidecarPath(String zipPath) {
        if (!zipPath.endsWith(".zip")) throw new IllegalArgumentException("not a .zip path: " + zipPath);
        return zipPath.substring(0, zipPath.length() - 4) + ".json";
    }

    /**
     * DL4J's own zip (configuration and parameters, no updater: ModelSerializer or ComputationGraph.load reads it)
     * at {@code zipPath} and {@code sidecar} as JSON beside it; each written under a temporary name, then renamed.
     */
    public static void write(ComputationGraph plain, Map<String, Object> sidecar, String zipPath, Configuration hadoop)
            throws IOException {
        String jsonPath = sidecarPath(zipPath);
        File zip = Files.createTempFile("essl-encoder", ".zip").toFile();
        File json = Files.createTempFile("essl-encoder", ".json").toFile();
        try {
            ModelSerializer.writeModel(plain, zip, false);
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json, sidecar);
            ModelFile.publish(zip, zipPath, hadoop);
            ModelFile.publish(json, jsonPath, hadoop);
        } finally {
            Files.deleteIfExists(zip.toPath());
            Files.deleteIfExists(json.toPath());
        }
    }
}
