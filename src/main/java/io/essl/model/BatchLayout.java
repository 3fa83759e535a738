package io.essl.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one description of a training batch of the E-SSL graph (a DL4J MultiDataSet), for N images:
 * <ul>
 * <li>features 0, {@link EsslGraph#INPUT}: [2N, C, S, S], view 1 of images 0..N-1, then view 2 of the same images
 * (row i and row i + N are one image's two views);</li>
 * <li>features 1, {@link EsslGraph#GROUP_INPUT} (only with the group head): [k*N, C, S3, S3], rows k*i .. k*i + k - 1
 * are view 3 of image i under k group elements: all G in order (k = G, row G*i + g under element g), or k of them
 * ({@code model.group-samples});</li>
 * <li>labels 0, the invariance output's, which the losses ignore: [2N, 1] zeros as built, [2N, 2] once stamped
 * with the batch's position in the run (global iteration, epoch) on every row, which {@code train.StepListener}
 * puts on the network before the updater reads its schedule (an unstamped batch leaves the network's counts);</li>
 * <li>labels 1 (only with the group head): one-hot [k*N, G], each row its element (r % G when k = G);</li>
 * <li>last labels (only with the online monitor): one-hot [N, K] classes of the images, for view 1's rows.</li>
 * </ul>
 * Both views of an image are always in one batch, so a pair is never split across workers. Built by
 * {@code augment.BatchBuilder}, faked by the benchmarks, read by the graph and the step listener: all through here.
 */
public final class BatchLayout {
    /** Columns of labels 0. */
    private static final int ITERATION = 0, EPOCH = 1, POSITION_COLUMNS = 2;

    private BatchLayout() {
    }

    /**
     * Assembles a batch: {@code groupViews} null without the group head (then {@code groupSize} is unused),
     * {@code classes} null without the monitor. It has no position until {@link #stamp}.
     */
    public static MultiDataSet of(INDArray views, INDArray groupViews, int groupSize, INDArray classes) {
        int[] all = groupViews == null ? null : java.util.stream.IntStream.range(0, (int) groupViews.size(0))
                .map(r -> r % groupSize).toArray();
        return of(views, groupViews, groupSize, all, classes);
    }

    /** As above, view 3's row r under group element {@code elements[r]} (k rows per image, any k >= 1). */
    public static MultiDataSet of(INDArray views, INDArray groupViews, int groupSize, int[] elements, INDArray classes) {
        long rows = views.size(0);
        if (rows % 2 != 0) throw new IllegalArgumentException("views need 2N rows (two per image), got " + rows);
        long n = rows / 2;
        java.util.List<INDArray> features = new java.util.ArrayList<>(java.util.List.of(views));
        java.util.List<INDArray> labels = new java.util.ArrayList<>(java.util.List.of(Nd4j.zeros(rows, 1)));
        if (groupViews != null) {
            if (groupViews.size(0) % n != 0 || elements.length != groupViews.size(0)) {
                throw new IllegalArgumentException("group views need k*N rows (N = " + n + ") and one element each, got "
                        + groupViews.size(0) + " rows and " + elements.length + " elements");
            }
            features.add(groupViews);
            labels.add(oneHot(elements.length, groupSize, r -> elements[r]));
        }
        if (classes != null) {
            if (classes.size(0) != n) throw new IllegalArgumentException("class labels need N = " + n + " rows, got " + classes.size(0));
            labels.add(classes);
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(features.toArray(INDArray[]::new), labels.toArray(INDArray[]::new));
    }

    /** One-hot [rows, k] with row r's 1 in column {@code label(r)} (in [0, k)). */
    public static INDArray oneHot(int rows, int k, java.util.function.IntUnaryOperator label) {
        float[] onehot = new float[rows * k];
        for (int row = 0; row < rows; row++) onehot[row * k + label.applyAsInt(row)] = 1f;
        return Nd4j.create(onehot, new long[]{rows, k}, 'c');
    }

    /** Labels 0 of a batch of {@code rows} view rows at this position of the run. */
    public static INDArray position(long rows, int iteration, int epoch) {
        INDArray labels = Nd4j.zeros(rows, POSITION_COLUMNS);
        labels.getColumn(ITERATION).assign(iteration);
        labels.getColumn(EPOCH).assign(epoch);
        return labels;
    }

    /** Stamps a built batch with its position in the run (floats hold iterations exactly up to 2^24). */
    public static void stamp(MultiDataSet batch, int iteration, int epoch) {
        batch.setLabels(0, position(batch.getLabels(0).rows(), iteration, epoch));
    }

    /** {iteration, epoch} of labels 0 as the graph's first output holds them, or null when they are not a position. */
    public static int[] readPosition(INDArray labels0) {
        if (labels0 == null || labels0.columns() != POSITION_COLUMNS) return null;
        return new int[]{labels0.getInt(0, ITERATION), labels0.getInt(0, EPOCH)};
    }
}
