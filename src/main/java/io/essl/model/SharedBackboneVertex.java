package io.essl.model;

import io.essl.kernels.ConvForwardReuse;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The running form of {@link SharedBackbone}. It holds one instance of the backbone graph per input, all built on
 * this vertex's slice of the network's parameter array, so they share every weight. Each instance keeps its own
 * activations and writes its own parameter gradient; the vertex's gradient is their sum, as autograd would give
 * for a module called twice. BatchNorm's running statistics are updated by each pass (as in the reference, which
 * calls its backbone once per view).
 */
final class SharedBackboneVertex extends BaseGraphVertex {
    private final ComputationGraph[] passes;
    private final INDArray params;
    private final Map<String, INDArray> paramTable;
    private final Map<String, Layer> layerOfParam = new LinkedHashMap<>();
    private final long[] rows;
    private INDArray gradientView;

    SharedBackboneVertex(ComputationGraph graph, String name, int idx, INDArray paramsView, boolean initialize,
                         DataType dataType, ComputationGraphConfiguration backbone, int inputs) {
        super(graph, name, idx, null, null, dataType);
        this.params = paramsView.reshape(1, paramsView.length());
        if (initialize) {
            ComputationGraph fresh = new ComputationGraph(backbone.clone());
            fresh.init();
            params.assign(fresh.params());
        }
        passes = new ComputationGraph[inputs];
        for (int i = 0; i < inputs; i++) {
            passes[i] = new ComputationGraph(backbone.clone());
            passes[i].init(params, false);
            passes[i].initGradientsView();
            ConvForwardReuse.install(passes[i]);
        }
        rows = new long[inputs];
        paramTable = flatOrder(passes[0]);
    }

    /** "layer_param" to its view, in the order of the flattened parameter array (the graph's topological order). */
    private Map<String, INDArray> flatOrder(ComputationGraph g) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        GraphVertex[] vertices = g.getVertices();
        for (int v : g.topologicalSortOrder()) {
            if (!vertices[v].hasLayer()) continue;
            Layer l = vertices[v].getLayer();
            for (Map.Entry<String, INDArray> e : l.paramTable().entrySet()) {
                String key = vertices[v].getVertexName() + "_" + e.getKey();
                out.put(key, e.getValue());
                layerOfParam.put(key, l);
            }
        }
        return out;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray[] outs = new INDArray[passes.length];
        for (int i = 0; i < passes.length; i++) {
            rows[i] = inputs[i].size(0);
            outs[i] = forward(passes[i], inputs[i], training, workspaceMgr);
        }
        return outs.length == 1 ? outs[0] : workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, Nd4j.concat(0, outs));
    }

    /**
     * Runs one backbone instance's vertices in topological order with the outer graph's workspace manager, so
     * its activations live in the outer graph's workspaces exactly as if its layers were the outer graph's own
     * (a nested graph's own forward pass would open workspaces of the same names and fail).
     */
    private static INDArray forward(ComputationGraph g, INDArray input, boolean training, LayerWorkspaceMgr mgr) {
        GraphVertex[] vertices = g.getVertices();
        INDArray[] acts = new INDArray[vertices.length];
        INDArray out = null;
        for (int idx : g.topologicalSortOrder()) {
            GraphVertex v = vertices[idx];
            if (v.isInputVertex()) {
                acts[idx] = input;
                continue;
            }
            VertexIndices[] in = v.getInputVertices();
            for (int j = 0; j < in.length; j++) v.setInput(j, acts[in[j].getVertexIndex()], mgr);
            long t0 = StepProfile.start();
            acts[idx] = v.doForward(training, mgr);
            StepProfile.stop("forward", v, t0);
            if (v.isOutputVertex()) out = acts[idx];
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        long offset = 0;
        for (int i = 0; i < passes.length; i++) {
            INDArray eps = epsilon.get(NDArrayIndex.interval(offset, offset + rows[i]), NDArrayIndex.all());
            offset += rows[i];
            backward(passes[i], workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, eps), workspaceMgr);
            INDArray g = passes[i].getFlattenedGradients().reshape(gradientView.shape());
            if (i == 0) gradientView.assign(g);
            else gradientView.addi(g);
            passes[i].clearLayersStates();
        }
        // The gradient is in this vertex's slice of the flattened gradient, which is what the updater reads. No
        // per-variable entries: DL4J would look their names up as layer names ("backbone_stem_conv" is none).
        // The inputs are the network's images: no gradient flows to them.
        return new Pair<>(new DefaultGradient(gradientView), new INDArray[passes.length]);
    }

    /** Backpropagation through one instance in reverse topological order; parameter gradients land in its views. */
    private static void backward(ComputationGraph g, INDArray outputEpsilon, LayerWorkspaceMgr mgr) {
        GraphVertex[] vertices = g.getVertices();
        INDArray[] eps = new INDArray[vertices.length];
        int[] order = g.topologicalSortOrder();
        for (int k = order.length - 1; k >= 0; k--) {
            GraphVertex v = vertices[order[k]];
            if (v.isInputVertex()) continue;
            v.setEpsilon(v.isOutputVertex() ? outputEpsilon : eps[order[k]]);
            long t0 = StepProfile.start();
            INDArray[] inputEps = v.doBackward(false, mgr).getSecond();
            StepProfile.stop("backward", v, t0);
            VertexIndices[] in = v.getInputVertices();
            for (int j = 0; j < in.length; j++) {
                int src = in[j].getVertexIndex();
                if (vertices[src].isInputVertex()) continue;
                eps[src] = eps[src] == null ? inputEps[j] : eps[src].addi(inputEps[j]);
            }
        }
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray view) {
        gradientView = view.reshape(1, view.length());
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        return new Pair<>(null, currentMaskState);
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public INDArray params() {
        return params;
    }

    @Override
    public INDArray getGradientsViewArray() {
        return gradientView;
    }

    @Override
    public Map<String, INDArray> paramTable(boolean backpropOnly) {
        return paramTable;
    }

    @Override
    public boolean updaterDivideByMinibatch(String param) {
        return layerOfParam.get(param).updaterDivideByMinibatch(key(param));
    }

    private static String key(String param) {
        return param.substring(param.lastIndexOf('_') + 1);
    }

    @Override
    public TrainingConfig getConfig() {
        return config;
    }

    /** Updater and regularisation of each parameter are those of the backbone layer it belongs to. */
    private final TrainingConfig config = new TrainingConfig() {
        @Override
        public String getLayerName() {
            return vertexName;
        }

        @Override
        public List<Regularization> getRegularizationByParam(String param) {
            // DL4J never regularises BatchNorm's scale and shift; the reference's SGD decays them like biases.
            String key = key(param);
            if (conf(param) instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization bn
                    && (key.equals("gamma") || key.equals("beta"))) {
                return bn.getRegularizationBias();
            }
            return conf(param).getRegularizationByParam(key);
        }

        @Override
        public boolean isPretrainParam(String param) {
            return false;
        }

        @Override
        public IUpdater getUpdaterByParam(String param) {
            return conf(param).getUpdaterByParam(key(param));
        }

        @Override
        public GradientNormalization getGradientNormalization() {
            return GradientNormalization.None;
        }

        @Override
        public double getGradientNormalizationThreshold() {
            return 0;
        }

        @Override
        public void setDataType(DataType dataType) {
        }

        private org.deeplearning4j.nn.conf.layers.Layer conf(String param) {
            return layerOfParam.get(param).conf().getLayer();
        }
    };

    @Override
    public String toString() {
        return "SharedBackboneVertex(" + vertexName + ", inputs=" + passes.length + ")";
    }
}
