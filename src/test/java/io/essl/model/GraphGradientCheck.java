package io.essl.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Central-difference gradient check of a whole ComputationGraph in double precision. DL4J's own
 * GradientCheckUtil names parameters in a different order than the flattened vector for graphs like ours, so it
 * cannot skip BatchNorm's running statistics (state, not trained parameters); this check maps every index to its
 * layer and parameter through the topological order that the flattened vector uses.
 */
final class GraphGradientCheck {
    record Failure(String param, long index, double analytic, double numeric) {
    }

    record Result(int checked, List<Failure> failures, double maxRelError) {
    }

    static Result run(ComputationGraph g, INDArray[] inputs, INDArray[] labels, double eps, double maxRel, double minAbs) {
        g.setInputs(inputs);
        g.setLabels(labels);
        g.computeGradientAndScore();
        int batch = (int) labels[0].size(0); // DL4J divides the gradient by the first label array's rows
        INDArray analytic = g.gradient().gradient().dup().divi(batch);
        INDArray params = g.params();
        List<String> names = flatNames(g);
        if (names.size() != params.length()) throw new IllegalStateException(names.size() + " != " + params.length());
        List<Failure> failures = new ArrayList<>();
        int checked = 0;
        double maxSeen = 0;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.endsWith("_mean") || name.endsWith("_var") || name.endsWith("_log10stdev")) continue;
            double keep = params.getDouble(i);
            params.putScalar(i, keep + eps);
            double up = score(g, inputs, labels);
            params.putScalar(i, keep - eps);
            double down = score(g, inputs, labels);
            params.putScalar(i, keep);
            double numeric = (up - down) / (2 * eps);
            double a = analytic.getDouble(i);
            double abs = Math.abs(a - numeric);
            double rel = abs / Math.max(Math.abs(a) + Math.abs(numeric), 1e-30);
            checked++;
            if (Math.abs(a) + Math.abs(numeric) > 1e-6) maxSeen = Math.max(maxSeen, rel);
            if (abs > minAbs && rel > maxRel) failures.add(new Failure(name, i, a, numeric));
        }
        return new Result(checked, failures, maxSeen);
    }

    private static double score(ComputationGraph g, INDArray[] inputs, INDArray[] labels) {
        g.setInputs(inputs);
        g.setLabels(labels);
        g.computeGradientAndScore();
        return g.score();
    }

    /** "layer_param" for every index of the flattened parameter vector. */
    private static List<String> flatNames(ComputationGraph g) {
        List<String> out = new ArrayList<>();
        GraphVertex[] vertices = g.getVertices();
        for (int idx : g.topologicalSortOrder()) {
            GraphVertex v = vertices[idx];
            if (!v.hasLayer()) continue;
            Layer l = v.getLayer();
            for (Map.Entry<String, INDArray> e : l.paramTable().entrySet()) {
                for (long k = 0; k < e.getValue().length(); k++) out.add(v.getVertexName() + "_" + e.getKey());
            }
        }
        return out;
    }
}
