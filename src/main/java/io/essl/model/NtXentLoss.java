package io.essl.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * NT-Xent (SimCLR's normalised temperature-scaled cross-entropy) over 2N embedding rows: rows i and i+N are
 * the two views of one image. For row i, the logits are cos(z_i, z_j)/T over all j != i (2N-2 negatives and
 * one positive); the loss of a row is the cross-entropy of picking its partner. Labels are ignored.
 * <p>
 * The gradient is written by hand (DL4J M2's SameDiff output layers give wrong gradients): with
 * u = z/|z|, S = u u^T / T (diagonal masked) and G = softmax(S) - onehot(partner),
 * dL/du = (G + G^T) u / T and dL/dz = (I - u u^T) dL/du / |z| row-wise. Gradient-checked in double precision.
 */
public class NtXentLoss extends PerRowLoss {
    private static final double MASK = 1e9;

    @JsonProperty
    private final double temperature;

    @JsonCreator
    public NtXentLoss(@JsonProperty("temperature") double temperature) {
        if (!(temperature >= 0.01)) {
            throw new IllegalArgumentException("NT-Xent temperature must be >= 0.01, got " + temperature);
        }
        this.temperature = temperature;
    }

    public double temperature() {
        return temperature;
    }

    /** Per-row losses [2N, 1] and, on request, dL/dz [2N, d] of their sum. */
    private Pair<INDArray, INDArray> compute(INDArray z, boolean withGradient) {
        long rows = z.size(0);
        if (rows % 2 != 0 || rows < 4) {
            throw new IllegalArgumentException("NT-Xent needs 2N rows with N >= 2 (two views per image), got " + rows);
        }
        long n = rows / 2;
        INDArray norm = Transforms.max(z.norm2(1), 1e-12).reshape(rows, 1);
        INDArray u = z.divColumnVector(norm);
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
        INDArray positive = s.mul(partner).sum(1).reshape(rows, 1);
        INDArray losses = lse.sub(positive);
        if (!withGradient) {
            return new Pair<>(losses, null);
        }
        INDArray g = exp.divColumnVector(sumExp).subi(partner);
        INDArray dLdu = g.add(g.transpose()).mmul(u).divi(temperature);
        INDArray radial = u.mul(dLdu).sum(1).reshape(rows, 1);
        INDArray dLdz = dLdu.sub(u.mulColumnVector(radial)).diviColumnVector(norm);
        return new Pair<>(losses, dLdz);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        checkNoMask(mask);
        return compute(activationFn.getActivation(preOutput.dup(), true), false).getFirst();
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        checkNoMask(mask);
        INDArray dLdz = compute(activationFn.getActivation(preOutput.dup(), true), true).getSecond();
        return activationFn.backprop(preOutput.dup(), dLdz).getFirst();
    }

    private static void checkNoMask(INDArray mask) {
        if (mask != null) throw new UnsupportedOperationException("NT-Xent does not support masks");
    }

    @Override
    public String name() {
        return "NtXent(T=" + temperature + ")";
    }

}
