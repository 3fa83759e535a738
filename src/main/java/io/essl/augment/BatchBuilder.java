package io.essl.augment;

import io.essl.data.ImageRecord;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.List;

/**
 * Turns N images into one training batch of the E-SSL graph. Features: one array of rows
 * [view 1 of images 0..N-1 | view 2 of images 0..N-1 | group views], where the group views are, for each image
 * i and group element g, row 2N + G*i + g. Labels: a dummy [2N, 1] for the contrastive output and one-hot
 * [G*N, G] group labels (only when lambda > 0; otherwise the batch is the 2N contrastive rows alone).
 * Both views of an image are always in the same batch, so a pair is never split across workers.
 */
public final class BatchBuilder implements Serializable {
    private final ViewFactory views;
    private final boolean withGroup;

    public BatchBuilder(ViewFactory views, boolean withGroup) {
        this.views = views;
        this.withGroup = withGroup;
    }

    public int rowsPerImage() {
        return 2 + (withGroup ? views.group().size() : 0);
    }

    public MultiDataSet build(List<ImageRecord> images, int epoch) {
        int n = images.size();
        ImageRecord first = images.get(0);
        int c = first.channels(), h = first.height(), w = first.width(), px = c * h * w;
        int g = views.group().size();
        int rows = n * rowsPerImage();
        float[] feat = new float[rows * px];
        float[] groupLabels = withGroup ? new float[n * g * g] : null;
        for (int i = 0; i < n; i++) {
            ImageRecord r = images.get(i);
            views.normalise(views.view(r, epoch, ViewFactory.VIEW1), feat, i * px);
            views.normalise(views.view(r, epoch, ViewFactory.VIEW2), feat, (n + i) * px);
            if (withGroup) {
                FloatImage v3 = views.view(r, epoch, ViewFactory.VIEW3);
                for (int e = 0; e < g; e++) {
                    int row = 2 * n + g * i + e;
                    views.normalise(views.group().apply(e, v3), feat, row * px);
                    groupLabels[(g * i + e) * g + e] = 1f;
                }
            }
        }
        INDArray features = Nd4j.create(feat, new long[]{rows, c, h, w}, 'c');
        INDArray dummy = Nd4j.zeros(2L * n, 1);
        if (!withGroup) {
            return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{features}, new INDArray[]{dummy});
        }
        INDArray onehot = Nd4j.create(groupLabels, new long[]{(long) n * g, g}, 'c');
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{features}, new INDArray[]{dummy, onehot});
    }
}
