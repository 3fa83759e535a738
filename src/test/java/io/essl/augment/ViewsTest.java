package io.essl.augment;

import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

public class ViewsTest {
    public static final EsslConfig.Augment AUG = new EsslConfig.Augment(0, 0, "bilinear", new double[]{0.2, 1.0},
            new double[]{0.75, 4.0 / 3}, 0.5, new double[]{0.4, 0.4, 0.4, 0.1}, 0.8, 0.2, new double[]{0.1, 2.0}, 0.1,
            new double[]{0, 0, 0}, new double[]{0, 0, 0}, Solarize.THRESHOLD, new double[]{0.2, 1.0}, java.util.List.of());

    public static ImageRecord image(long id, int size) {
        byte[] px = new byte[size * size];
        SplittableRandom r = new SplittableRandom(id);
        for (int i = 0; i < px.length; i++) px[i] = (byte) r.nextInt(256);
        return new ImageRecord(id, (int) (id % 10), 1, size, size, px);
    }

    static ViewFactory views(long seed) {
        return new ViewFactory(seed, 12, 6, AUG, new double[]{0.5}, new double[]{0.25}, new FourFoldRotation());
    }

    @Test
    void batchHasTheDocumentedLayoutShapesAndGroupLabels() {
        int n = 5;
        List<ImageRecord> imgs = new ArrayList<>();
        for (int i = 0; i < n; i++) imgs.add(image(i, 12));
        MultiDataSet b = new BatchBuilder(views(1), true).build(imgs, 0);
        assertArrayEquals(new long[]{2L * n, 1, 12, 12}, b.getFeatures(0).shape());
        assertArrayEquals(new long[]{4L * n, 1, 6, 6}, b.getFeatures(1).shape());
        assertArrayEquals(new long[]{2L * n, 1}, b.getLabels(0).shape());
        INDArray g = b.getLabels(1);
        assertArrayEquals(new long[]{4L * n, 4}, g.shape());
        for (int row = 0; row < 4 * n; row++) {
            for (int k = 0; k < 4; k++) assertEquals(k == row % 4 ? 1.0 : 0.0, g.getDouble(row, k), "row " + row);
        }
        MultiDataSet plain = new BatchBuilder(views(1), false).build(imgs, 0);
        assertArrayEquals(new long[]{2L * n, 1, 12, 12}, plain.getFeatures(0).shape());
        assertEquals(1, plain.getLabels().length);
    }

    @Test
    void theFourGroupViewsAreExactRotationsOfOneCrop() {
        int n = 3;
        List<ImageRecord> imgs = List.of(image(10, 12), image(11, 12), image(12, 12));
        INDArray f = new BatchBuilder(views(7), true).build(imgs, 2).getFeatures(1);
        for (int i = 0; i < n; i++) {
            INDArray upright = f.get(org.nd4j.linalg.indexing.NDArrayIndex.point(4L * i)).reshape(6, 6);
            INDArray expected = upright;
            for (int k = 1; k < 4; k++) {
                expected = rot90ccw(expected);
                INDArray got = f.get(org.nd4j.linalg.indexing.NDArrayIndex.point(4L * i + k)).reshape(6, 6);
                assertEquals(expected, got, "image " + i + " rotation " + k);
            }
            assertNotEquals(upright, rot90ccw(upright), "a random image is not rotation invariant");
        }
    }

    /** Counter-clockwise rotation, written independently of FourFoldRotation: out[y][x] = in[x][w-1-y]. */
    static INDArray rot90ccw(INDArray a) {
        int h = (int) a.size(0), w = (int) a.size(1);
        INDArray out = a.like();
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) out.putScalar(y, x, a.getDouble(x, w - 1 - y));
        return out;
    }

    @Test
    void viewsDependOnlyOnSeedEpochImageAndView() {
        ImageRecord r = image(42, 12);
        ViewFactory v = views(3);
        assertArrayEquals(v.view(r, 1, 1).data(), views(3).view(r, 1, 1).data(), "same inputs, same view");
        assertFalse(java.util.Arrays.equals(v.view(r, 1, 1).data(), v.view(r, 1, 2).data()), "views 1 and 2 differ");
        assertFalse(java.util.Arrays.equals(v.view(r, 1, 1).data(), v.view(r, 2, 1).data()), "epochs differ");
        assertFalse(java.util.Arrays.equals(v.view(r, 1, 1).data(), views(4).view(r, 1, 1).data()), "seeds differ");
    }

    @Test
    void fullScaleSquareCropIsTheIdentityAndFlipIsAMirror() {
        ImageRecord r = image(5, 9);
        FloatImage src = FloatImage.of(r);
        FloatImage same = new RandomResizedCrop(9, new double[]{1, 1}, new double[]{1, 1}).apply(src, new SplittableRandom(1));
        assertArrayEquals(src.data(), same.data(), 1e-6f);
        FloatImage flipped = Flip.horizontal(src);
        for (int y = 0; y < 9; y++) for (int x = 0; x < 9; x++) assertEquals(src.get(0, y, 8 - x), flipped.get(0, y, x));
    }

    @Test
    void cropBoxesRespectScaleAndRatioRanges() {
        RandomResizedCrop c = new RandomResizedCrop(32, new double[]{0.2, 0.6}, new double[]{0.75, 4.0 / 3});
        SplittableRandom rnd = new SplittableRandom(9);
        for (int i = 0; i < 500; i++) {
            RandomResizedCrop.Box b = c.sample(100, 120, rnd);
            double area = (double) b.height() * b.width() / (100 * 120);
            double ratio = (double) b.width() / b.height();
            assertTrue(area > 0.18 && area < 0.62, "area " + area);
            assertTrue(ratio > 0.7 && ratio < 1.4, "ratio " + ratio);
            assertTrue(b.top() >= 0 && b.left() >= 0 && b.top() + b.height() <= 100 && b.left() + b.width() <= 120);
        }
    }

    @Test
    void bilinearResizeOfAHalfBoxMatchesTheDefinition() {
        // 2x upscaling of a 2x2 box: output pixel centres fall at source positions -0.25, 0.25, 0.75, 1.25.
        float[] d = {0, 1, 0, 0, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        FloatImage src = new FloatImage(1, 4, 4, d);
        FloatImage out = RandomResizedCrop.resize(src, new RandomResizedCrop.Box(0, 0, 2, 2), 4);
        assertEquals(0f, out.get(0, 0, 0), 1e-6f);             // clamped to the corner
        assertEquals(0.25f * 1, out.get(0, 0, 1), 1e-6f);      // between 0 and 1 on the top row
        // (0.25, 0.25): rows 0 and 1 mixed 3:1, columns 0 and 1 mixed 3:1.
        assertEquals(0.75f * (0.75f * 0 + 0.25f * 1) + 0.25f * (0.75f * 2 + 0.25f * 3), out.get(0, 1, 1), 1e-6f);
        assertEquals(0.75f * (0.75f * 2 + 0.25f * 3), out.get(0, 3, 3), 1e-6f);
    }
}
