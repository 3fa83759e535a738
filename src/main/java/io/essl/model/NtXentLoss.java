package io.essl.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * SimCLR's NT-Xent: for row i, the logits are cos(z_i, z_j)/T over all j != i (2N-2 negatives from both views
 * and one positive, the other view of the same image); the loss of a row is the cross-entropy of picking its
 * partner. With S = u u^T / T (diagonal masked) and G = softmax(S) - onehot(partner), dL/du = (G + G^T) u / T.
 */
public class NtXentLoss extends ContrastiveLoss {
    private static final double MASK = 1e9;

    @JsonCreator
    public NtXentLoss(@JsonProperty("temperature") double temperature) {
        super(temperature);
    }

    @Override
    protected Pair<INDArray, INDArray> onUnitVectors(INDArray u, boolean withGradient) {
        long rows = u.size(0);
        long n = rows / 2;
        INDArray s = u.mmul(u.transpose()).divi(temperature);
        s.subi(Nd4j.eye(rows).castTo(s.dataType()).muli(MASK));
        INDArray partner = Nd4j.zeros(s.dataType(), rows, rows);
        for (long i = 0; i < rows; i++) {
            partner.putScalar(i, (i + n) % rows, 1.0);
        }
        INDArray rowMax = s.max(1).reshape(rows, 1);
        INDArray exp = Transforms.exp(s.subColumnVector(rowMax), false);
        INDArray sumExp = exp.sum(1).reshape(rows, 1);
        INDArray lse = Transforms.log(sumExp, true).addi(rowMax);
        INDArray losses = lse.sub(s.mul(partner).sum(1).reshape(rows, 1));
        if (!withGradient) {
            return new Pair<>(losses, null);
        }
        INDArray g = exp.divColumnVector(sumExp).subi(partner);
        return new Pair<>(losses, g.add(g.transpose()).mmul(u).divi(temperature));
    }

    @Override
    public String name() {
        return "NT-Xent(T=" + temperature + ")";
    }
}
