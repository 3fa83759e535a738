package io.essl.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Barlow Twins' redundancy reduction on the embeddings of 2N rows (rows 0..N-1 view 1, N..2N-1 view 2). Each view is
 * normalised per dimension over its N rows (the reference's BatchNorm1d without affine: biased variance, eps 1e-5),
 * C = zn1^T zn2 / N, and L = sum_i (1 - C_ii)^2 + offDiagonal * sum_{i != j} C_ij^2 (one number per batch: on Spark
 * C is built from one worker's batch, where the reference all-reduces it over its GPUs).
 * <p>DL4J averages per-row scores and divides the gradient by the rows, so every row reports L and the gradient is
 * that of 2N x L. With G = dL/dC (G_ii = -2 (1 - C_ii), G_ij = 2 offDiagonal C_ij): dL/dzn1 = zn2 G^T / N and
 * dL/dzn2 = zn1 G / N, then back through the normalisation dx = (N dxn - sum dxn - xn sum(dxn xn)) / (N sigma).
 */
public class BarlowTwinsLoss extends LabelFreeLoss {
    static final double EPS = 1e-5;
    @JsonProperty
    private final double offDiagonal;

    @JsonCreator
    public BarlowTwinsLoss(@JsonProperty("offDiagonal") double offDiagonal) {
        if (!(offDiagonal >= 0)) throw new IllegalArgumentException("Barlow Twins off-diagonal weight must be >= 0, got " + offDiagonal);
        this.offDiagonal = offDiagonal;
    }

    @Override
    protected Pair<INDArray, INDArray> compute(INDArray z, boolean withGradient) {
        long rows = z.size(0);
        if (rows % 2 != 0 || rows < 4) {
            throw new IllegalArgumentException("Barlow Twins needs 2N rows with N >= 2 (two views per image), got " + rows);
        }
        long n = rows / 2;
        INDArray z1 = z.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()), z2 = z.get(NDArrayIndex.interval(n, rows), NDArrayIndex.all());
        INDArray[] a = normalise(z1), b = normalise(z2); // {xn, sigma}
        INDArray c = a[0].transpose().mmul(b[0]).divi(n);
        INDArray diag = Nd4j.diag(c).reshape(-1);
        INDArray onDiag = diag.rsub(1.0);
        double offSquares = c.mul(c).sumNumber().doubleValue() - diag.mul(diag).sumNumber().doubleValue();
        double loss = onDiag.mul(onDiag).sumNumber().doubleValue() + offDiagonal * offSquares;
        INDArray perRow = Nd4j.valueArrayOf(new long[]{rows, 1}, loss, z.dataType());
        if (!withGradient) return new Pair<>(perRow, null);
        INDArray g = c.mul(2 * offDiagonal);
        INDArray gDiag = onDiag.mul(-2.0).subi(diag.mul(2 * offDiagonal)); // replace the off-diagonal rule on the diagonal
        g.addi(Nd4j.diag(gDiag));
        INDArray dn1 = b[0].mmul(g.transpose()).divi(n), dn2 = a[0].mmul(g).divi(n);
        INDArray grad = Nd4j.concat(0, backNormalise(dn1, a), backNormalise(dn2, b)).muli(rows);
        return new Pair<>(perRow, grad);
    }

    /** Per-column normalisation over the rows: {(x - mean) / sigma, sigma [1, d]}. */
    private static INDArray[] normalise(INDArray x) {
        INDArray centred = x.subRowVector(x.mean(0));
        INDArray sigma = Transforms.sqrt(centred.mul(centred).mean(0).addi(EPS), false).reshape(1, x.size(1));
        return new INDArray[]{centred.divRowVector(sigma), sigma};
    }

    private static INDArray backNormalise(INDArray dxn, INDArray[] forward) {
        INDArray xn = forward[0];
        long n = xn.size(0);
        INDArray sum = dxn.sum(0).reshape(1, xn.size(1)), dot = dxn.mul(xn).sum(0).reshape(1, xn.size(1));
        return dxn.mul(n).subiRowVector(sum).subi(xn.mulRowVector(dot)).diviRowVector(forward[1].mul(n));
    }

    public double offDiagonal() {
        return offDiagonal;
    }


    @Override
    public String name() {
        return "Barlow Twins (off-diagonal " + offDiagonal + ")";
    }
}
