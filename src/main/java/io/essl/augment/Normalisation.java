package io.essl.augment;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/** Images in [0, 1] to one network input: (x - mean[c]) / std[c] per channel, stacked as [rows, C, H, W]. */
public final class Normalisation {
    private Normalisation() {
    }

    public static INDArray batch(List<FloatImage> batch, double[] mean, double[] std) {
        FloatImage first = batch.get(0);
        int c = first.channels(), h = first.height(), w = first.width(), plane = h * w;
        float[] data = new float[batch.size() * c * plane];
        for (int i = 0; i < batch.size(); i++) {
            float[] img = batch.get(i).data();
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < plane; k++) {
                    data[(i * c + ch) * plane + k] = (float) ((img[ch * plane + k] - mean[ch]) / std[ch]);
                }
            }
        }
        return Nd4j.create(data, new long[]{batch.size(), c, h, w}, 'c');
    }
}
