package io.essl.model;

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

    /** Checks every parameter, or up to {@code perTensor} evenly spaced entries of each parameter tensor (0 = all). */
    static Result run(ComputationGraph g, INDArray[] inputs, INDArray[] labels, double eps, double maxRel, double minAbs,
                      int perTensor) {
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
        int tensorStart = 0;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (i > 0 && !name.equals(names.get(i - 1))) tensorStart = i;
            if (name.endsWith("_mean") || name.endsWith("_var") || name.endsWith("_log10stdev")) continue;
            if (perTensor > 0) {
                int size = 0;
                while (tensorStart + size < names.size() && names.get(tensorStart + size).equals(name)) size++;
                int stride = Math.max(1, size / perTensor);
                if ((i - tensorStart) % stride != 0) continue;
            }
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

    /** The training-mode loss (BatchNorm on batch statistics), forward pass only. */
    private static double score(ComputationGraph g, INDArray[] inputs, INDArray[] labels) {
        return g.score(new org.nd4j.linalg.dataset.MultiDataSet(inputs, labels), true);
    }

    /** "layer_param" for every index of the flattened parameter vector. */
    private static List<String> flatNames(ComputationGraph g) {
        List<String> out = new ArrayList<>();
        GraphVertex[] vertices = g.getVertices();
        for (int idx : g.topologicalSortOrder()) {
            GraphVertex v = vertices[idx];
            for (Map.Entry<String, INDArray> e : v.paramTable(false).entrySet()) {
                for (long k = 0; k < e.getValue().length(); k++) out.add(v.getVertexName() + "_" + e.getKey());
            }
        }
        return out;
    }
}
