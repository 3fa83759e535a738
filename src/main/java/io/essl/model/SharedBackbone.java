package io.essl.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Configuration of the one backbone that serves every input of the E-SSL graph: views 1 and 2 at the crop size
 * and view 3 at its own, smaller size (96 vs 224 px, 16 vs 32 px). A ComputationGraph cannot share weights between
 * layer vertices and cannot stack inputs of different sizes, so this vertex owns the backbone's parameters, runs
 * the backbone on each input separately and outputs the pooled features of all inputs stacked by rows
 * (input 0's rows first). The backbone itself is an ordinary DL4J graph ({@code backbone}, serialised as JSON),
 * which is also what the probe extracts.
 */
public class SharedBackbone extends GraphVertex {
    @JsonProperty
    private final String backbone;
    @JsonProperty
    private final int inputs;
    @JsonProperty
    private final int features;
    private transient ComputationGraphConfiguration parsed;

    @JsonCreator
    public SharedBackbone(@JsonProperty("backbone") String backbone, @JsonProperty("inputs") int inputs,
                          @JsonProperty("features") int features) {
        this.backbone = backbone;
        this.inputs = inputs;
        this.features = features;
    }

    public SharedBackbone(ComputationGraphConfiguration backbone, int inputs, int features) {
        this(backbone.toJson(), inputs, features);
    }

    /** The backbone as a stand-alone graph configuration (a fresh copy). */
    public ComputationGraphConfiguration backbone() {
        if (parsed == null) parsed = ComputationGraphConfiguration.fromJson(backbone);
        return parsed.clone();
    }

    @Override
    public GraphVertex clone() {
        return new SharedBackbone(backbone, inputs, features);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SharedBackbone s && s.inputs == inputs && s.features == features && s.backbone.equals(backbone);
    }

    @Override
    public int hashCode() {
        return backbone.hashCode() * 31 + inputs;
    }

    @Override
    public long numParams(boolean backprop) {
        long n = 0;
        for (GraphVertex v : backbone().getVertices().values()) n += v.numParams(backprop);
        return n;
    }

    @Override
    public int minVertexInputs() {
        return inputs;
    }

    @Override
    public int maxVertexInputs() {
        return inputs;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        ComputationGraphConfiguration c = backbone();
        c.setDataType(networkDatatype);
        return new SharedBackboneVertex(graph, name, idx, paramsView, initializeParams, networkDatatype, c, inputs);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return InputType.feedForward(features);
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        throw new UnsupportedOperationException("no memory report for the shared backbone");
    }
}
