package io.essl.augment;

import io.essl.data.ImageRecord;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.List;

/**
 * Turns N images into one training batch of the E-SSL graph. Features: "views" [2N, C, S, S] with view 1 of images
 * 0..N-1 then view 2 of images 0..N-1, and (only when lambda > 0) "group_views" [G*N, C, S3, S3] where row G*i + g
 * is view 3 of image i under group element g. Labels: a dummy [2N, 1] for the contrastive output and one-hot
 * [G*N, G] group labels, and (only with the online monitor) the images' one-hot classes [N, K] for view 1's rows.
 * Both views of an image are always in the same batch, so a pair is never split across workers.
 */
public final class BatchBuilder implements Serializable {
    private final ViewFactory views;
    private final boolean withGroup;
    /** Classes of the online monitor's labels; 0 = no monitor. */
    private final int monitorClasses;

    public BatchBuilder(ViewFactory views, boolean withGroup) {
        this(views, withGroup, 0);
    }

    public BatchBuilder(ViewFactory views, boolean withGroup, int monitorClasses) {
        this.views = views;
        this.withGroup = withGroup;
        this.monitorClasses = monitorClasses;
    }

    public MultiDataSet build(List<ImageRecord> images, int epoch) {
        int n = images.size();
        int g = views.group().size();
        FloatImage[] v1 = new FloatImage[n], v2 = new FloatImage[n], v3 = new FloatImage[withGroup ? n * g : 0];
        for (int i = 0; i < n; i++) {
            FloatImage[] v = withGroup
                    ? views.views(images.get(i), epoch, ViewFactory.VIEW1, ViewFactory.VIEW2, ViewFactory.VIEW3)
                    : views.views(images.get(i), epoch, ViewFactory.VIEW1, ViewFactory.VIEW2);
            v1[i] = v[0];
            v2[i] = v[1];
            if (withGroup) {
                for (int e = 0; e < g; e++) v3[g * i + e] = views.group().apply(e, v[2]);
            }
        }
        FloatImage[] pairs = new FloatImage[2 * n];
        System.arraycopy(v1, 0, pairs, 0, n);
        System.arraycopy(v2, 0, pairs, n, n);
        java.util.List<INDArray> features = new java.util.ArrayList<>(java.util.List.of(stack(pairs)));
        java.util.List<INDArray> labels = new java.util.ArrayList<>(java.util.List.of(Nd4j.zeros(2L * n, 1)));
        if (withGroup) {
            float[] groupLabels = new float[n * g * g];
            for (int row = 0; row < n * g; row++) groupLabels[row * g + row % g] = 1f;
            features.add(stack(v3));
            labels.add(Nd4j.create(groupLabels, new long[]{(long) n * g, g}, 'c'));
        }
        if (monitorClasses > 0) labels.add(classes(images));
        return new org.nd4j.linalg.dataset.MultiDataSet(features.toArray(INDArray[]::new), labels.toArray(INDArray[]::new));
    }

    /** One-hot class labels of the images (view 1's rows, in order). */
    private INDArray classes(List<ImageRecord> images) {
        float[] onehot = new float[images.size() * monitorClasses];
        for (int i = 0; i < images.size(); i++) {
            int label = images.get(i).label();
            if (label < 0 || label >= monitorClasses) {
                throw new IllegalArgumentException("model.online-monitor needs labels in [0, " + monitorClasses
                        + "), image " + images.get(i).id() + " has " + label);
            }
            onehot[i * monitorClasses + label] = 1f;
        }
        return Nd4j.create(onehot, new long[]{images.size(), monitorClasses}, 'c');
    }

    /** Normalised images as one [rows, C, H, W] array. */
    private INDArray stack(FloatImage[] imgs) {
        FloatImage f = imgs[0];
        int px = f.channels() * f.height() * f.width();
        float[] data = new float[imgs.length * px];
        for (int i = 0; i < imgs.length; i++) views.normalise(imgs[i], data, i * px);
        return Nd4j.create(data, new long[]{imgs.length, f.channels(), f.height(), f.width()}, 'c');
    }
}
