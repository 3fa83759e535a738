package io.essl.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A loss on the cosine similarities of 2N embedding rows, rows i and i+N being the two views of one image.
 * Subclasses give the per-row losses and dL/du for the unit vectors u = z/|z|; the projection back to z,
 * dL/dz = (I - u u^T) dL/du / |z| row-wise, is here. Labels are ignored. The gradients are written by hand
 * (DL4J M2's SameDiff output layers give wrong gradients) and gradient-checked in double precision.
 */
public abstract class ContrastiveLoss extends LabelFreeLoss {
    @JsonProperty
    protected final double temperature;

    protected ContrastiveLoss(double temperature) {
        if (!(temperature >= 0.01)) {
            throw new IllegalArgumentException("contrastive temperature must be >= 0.01, got " + temperature);
        }
        this.temperature = temperature;
    }

    public double temperature() {
        return temperature;
    }

    /** Per-row losses [2N, 1] and, when asked, dL/du [2N, d] of their sum. */
    protected abstract Pair<INDArray, INDArray> onUnitVectors(INDArray u, boolean withGradient);

    @Override
    protected Pair<INDArray, INDArray> compute(INDArray z, boolean withGradient) {
        long rows = z.size(0);
        if (rows % 2 != 0 || rows < 4) {
            throw new IllegalArgumentException(name() + " needs 2N rows with N >= 2 (two views per image), got " + rows);
        }
        INDArray norm = Transforms.max(z.norm2(1), 1e-12).reshape(rows, 1);
        INDArray u = z.divColumnVector(norm);
        Pair<INDArray, INDArray> r = onUnitVectors(u, withGradient);
        if (!withGradient) return r;
        INDArray dLdu = r.getSecond();
        INDArray radial = u.mul(dLdu).sum(1).reshape(rows, 1);
        return new Pair<>(r.getFirst(), dLdu.subi(u.mulColumnVector(radial)).diviColumnVector(norm));
    }

}
