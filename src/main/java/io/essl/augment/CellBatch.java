package io.essl.augment;

import io.essl.data.ImageRecord;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A photonics regression batch: each unit cell under a random cell symmetry ({@link CellSymmetry}, those of
 * augment.symmetries; the DOS is invariant under all of them), drawn by (seed, epoch, id), normalised, with its
 * target (the DOS less the empty lattice's) from a broadcast map by cell id. A small labelled set may be repeated
 * within an epoch: a copy's id is {@link #copy}, the same cell and target, a draw of its own.
 */
public final class CellBatch implements BatchMaker {
    /** A view index of its own, apart from the pre-training, probe and fine-tuning views. */
    private static final int VIEW = 201;
    private static final int COPY_SHIFT = 40;
    private final long seed;
    private final boolean dihedral, translate;
    private final double[] mean, std;
    private final Broadcast<Map<Long, float[]>> targets;

    public CellBatch(long seed, List<String> symmetries, double[] mean, double[] std, Broadcast<Map<Long, float[]>> targets) {
        this.seed = seed;
        this.dihedral = symmetries.contains(CellSymmetry.DIHEDRAL);
        this.translate = symmetries.contains(CellSymmetry.TRANSLATE_HALF);
        this.mean = mean;
        this.std = std;
        this.targets = targets;
    }

    /** The id of copy {@code c} (0 = the cell itself) of cell {@code id}. */
    public static long copy(long id, int c) {
        if (id < 0 || id >= 1L << COPY_SHIFT) throw new IllegalArgumentException("cell id " + id + " out of range");
        return ((long) c << COPY_SHIFT) | id;
    }

    /** The cell a (possibly repeated) id names. */
    public static long cell(long id) {
        return id & ((1L << COPY_SHIFT) - 1);
    }

    @Override
    public MultiDataSet build(List<ImageRecord> images, int epoch) {
        Map<Long, float[]> t = targets.value();
        int outputs = t.values().iterator().next().length;
        List<FloatImage> views = new ArrayList<>(images.size());
        float[] y = new float[images.size() * outputs];
        for (int i = 0; i < images.size(); i++) {
            ImageRecord r = images.get(i);
            float[] target = t.get(cell(r.id()));
            if (target == null) throw new IllegalArgumentException("no target for cell " + cell(r.id()));
            System.arraycopy(target, 0, y, i * outputs, outputs);
            views.add(view(r, epoch));
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(Normalisation.batch(views, mean, std),
                Nd4j.create(y, new long[]{images.size(), outputs}, 'c'));
    }

    /** The cell's training view in this epoch. */
    public FloatImage view(ImageRecord r, int epoch) {
        SplittableRandom rnd = Seeds.forView(seed, epoch, r.id(), VIEW);
        return CellSymmetry.random(FloatImage.of(r), dihedral, translate, rnd);
    }

    /** Its labels are the targets. */
    @Override
    public boolean positioned() {
        return false;
    }
}
