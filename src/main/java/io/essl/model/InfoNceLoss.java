package io.essl.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The reference E-SimCLR loss: symmetrised InfoNCE with cross-view negatives. Rows 0..N-1 are view 1 (u1), rows
 * N..2N-1 view 2 (u2). With S = u1 u2^T / T, row i of view 1 has the loss CE(S[i, :], i) and row j of view 2 has
 * CE(S[:, j], j), so the mean over the 2N rows is exactly 0.5 L(z1, z2) + 0.5 L(z2, z1) of the reference, each
 * row with N-1 negatives (the other images of the other view).
 * With A = softmax_rows(S) - I and B = softmax_rows(S^T) - I: dL/dS = A + B^T, dL/du1 = (A + B^T) u2 / T and
 * dL/du2 = (A + B^T)^T u1 / T.
 */
public class InfoNceLoss extends ContrastiveLoss {

    @JsonCreator
    public InfoNceLoss(@JsonProperty("temperature") double temperature) {
        super(temperature);
    }

    @Override
    protected Pair<INDArray, INDArray> onUnitVectors(INDArray u, boolean withGradient) {
        long n = u.size(0) / 2;
        INDArray u1 = u.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
        INDArray u2 = u.get(NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all());
        INDArray s = u1.mmul(u2.transpose()).divi(temperature);
        INDArray eye = Nd4j.eye(n).castTo(s.dataType());
        Pair<INDArray, INDArray> rows1 = crossEntropyOnDiagonal(s, eye);
        Pair<INDArray, INDArray> rows2 = crossEntropyOnDiagonal(s.transpose().dup(), eye);
        INDArray losses = Nd4j.concat(0, rows1.getFirst(), rows2.getFirst());
        if (!withGradient) {
            return new Pair<>(losses, null);
        }
        INDArray dS = rows1.getSecond().addi(rows2.getSecond().transpose());
        return new Pair<>(losses, Nd4j.concat(0, dS.mmul(u2), dS.transpose().mmul(u1)).divi(temperature));
    }

    /** Per-row CE(logits[i, :], i) as [n, 1], and softmax_rows(logits) - I. */
    private static Pair<INDArray, INDArray> crossEntropyOnDiagonal(INDArray logits, INDArray eye) {
        long n = logits.size(0);
        INDArray rowMax = logits.max(1).reshape(n, 1);
        INDArray exp = Transforms.exp(logits.subColumnVector(rowMax), false);
        INDArray sumExp = exp.sum(1).reshape(n, 1);
        INDArray lse = Transforms.log(sumExp, true).addi(rowMax);
        INDArray positive = logits.mul(eye).sum(1).reshape(n, 1);
        return new Pair<>(lse.subi(positive), exp.diviColumnVector(sumExp).subi(eye));
    }

    @Override
    public String name() {
        return "InfoNCE(T=" + temperature + ", symmetrised)";
    }
}
