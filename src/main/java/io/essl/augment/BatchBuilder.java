package io.essl.augment;

import io.essl.data.ImageRecord;
import io.essl.model.BatchLayout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Turns N images into one training batch of the E-SSL graph, laid out as {@link BatchLayout} says: views 1 and 2
 * of every image, (with the group head) view 3 under every group element, (with the online monitor) the classes.
 */
public final class BatchBuilder implements BatchMaker {
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

    @Override
    public MultiDataSet build(List<ImageRecord> images, int epoch) {
        int n = images.size();
        TransformationGroup group = views.group();
        int k = withGroup ? views.groupRowsPerImage() : 0;
        FloatImage[] v1 = new FloatImage[n], v2 = new FloatImage[n], v3 = new FloatImage[n * k];
        int[] elements = new int[n * k];
        for (int i = 0; i < n; i++) {
            FloatImage[] v = withGroup
                    ? views.views(images.get(i), epoch, ViewFactory.VIEW1, ViewFactory.VIEW2, ViewFactory.VIEW3)
                    : views.views(images.get(i), epoch, ViewFactory.VIEW1, ViewFactory.VIEW2);
            v1[i] = v[0];
            v2[i] = v[1];
            if (withGroup) {
                int[] shown = views.groupElements(images.get(i).id(), epoch);
                for (int e = 0; e < k; e++) {
                    elements[k * i + e] = shown[e];
                    v3[k * i + e] = group.apply(shown[e], v[2]);
                }
            }
        }
        FloatImage[] pairs = new FloatImage[2 * n];
        System.arraycopy(v1, 0, pairs, 0, n);
        System.arraycopy(v2, 0, pairs, n, n);
        return BatchLayout.of(stack(pairs), withGroup ? stack(v3) : null, withGroup ? group.size() : 0,
                withGroup ? elements : null, monitorClasses > 0 ? classes(images) : null);
    }

    /** One-hot class labels of the images (view 1's rows, in order). */
    private INDArray classes(List<ImageRecord> images) {
        for (ImageRecord r : images) {
            if (r.label() < 0 || r.label() >= monitorClasses) {
                throw new IllegalArgumentException("model.online-monitor needs labels in [0, " + monitorClasses
                        + "), image " + r.id() + " has " + r.label());
            }
        }
        return BatchLayout.oneHot(images.size(), monitorClasses, i -> images.get(i).label());
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
