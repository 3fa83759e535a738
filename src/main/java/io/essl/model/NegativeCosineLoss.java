package io.essl.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * SimSiam's symmetric negative cosine. The input is [p | z] by columns (predictions and projections, 2N rows, rows
 * i and i+N the two views of one image); row i's loss is -cos(p_i, z_j) with j its other view, so the mean over the
 * 2N rows is 0.5 D(p1, z2) + 0.5 D(p2, z1) of the reference. The gradient is exact for both halves (so that it can
 * be checked by finite differences); in the network the z half comes through {@link StopGradient}, which drops it,
 * as the reference detaches z. d(-cos(p, z))/dp = -(z^ - cos p^) / |p|, and the same with p and z swapped.
 */
public class NegativeCosineLoss extends LabelFreeLoss {

    @Override
    protected Pair<INDArray, INDArray> compute(INDArray pz, boolean withGradient) {
        long rows = pz.size(0), d = pz.size(1) / 2;
        if (rows % 2 != 0 || rows < 2 || pz.size(1) % 2 != 0) {
            throw new IllegalArgumentException("negative cosine needs [p | z] with 2N rows, got " + rows + " x " + pz.size(1));
        }
        long n = rows / 2;
        INDArray p = pz.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).dup();
        // z of the other view: rows N..2N-1 first, then 0..N-1
        INDArray z = Nd4j.concat(0, pz.get(NDArrayIndex.interval(n, rows), NDArrayIndex.interval(d, 2 * d)),
                pz.get(NDArrayIndex.interval(0, n), NDArrayIndex.interval(d, 2 * d)));
        INDArray pn = Transforms.max(p.norm2(1), 1e-12).reshape(rows, 1), zn = Transforms.max(z.norm2(1), 1e-12).reshape(rows, 1);
        INDArray ph = p.divColumnVector(pn), zh = z.divColumnVector(zn);
        INDArray cos = ph.mul(zh).sum(1).reshape(rows, 1);
        if (!withGradient) return new Pair<>(cos.neg(), null);
        INDArray dp = zh.sub(ph.mulColumnVector(cos)).diviColumnVector(pn).negi();
        INDArray dzPartner = ph.sub(zh.mulColumnVector(cos)).diviColumnVector(zn).negi(); // d loss_i / d z_partner(i)
        INDArray dz = Nd4j.concat(0, dzPartner.get(NDArrayIndex.interval(n, rows), NDArrayIndex.all()),
                dzPartner.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()));
        return new Pair<>(cos.neg(), Nd4j.concat(1, dp, dz));
    }


    @Override
    public String name() {
        return "negative cosine (symmetrised, SimSiam)";
    }
}
