package io.essl.augment;

import io.essl.data.ImageRecord;
import io.essl.model.BatchLayout;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fine-tuning batch: each image as a random-resized crop with a random horizontal flip (SimCLR's fine-tuning
 * augmentation, nothing else), fresh every epoch and seeded by (seed, epoch, image id), with its one-hot class.
 */
public final class LabelledBatch implements BatchMaker {
    /** A view index of its own, apart from the pre-training views and the paper probe's. */
    private static final int VIEW = 200;
    private final long seed;
    private final RandomResizedCrop crop;
    private final int classes;
    private final double[] mean, std;

    public LabelledBatch(long seed, int size, double[] cropScale, double[] cropRatio, int classes, double[] mean, double[] std) {
        this.seed = seed;
        this.crop = new RandomResizedCrop(size, cropScale, cropRatio);
        this.classes = classes;
        this.mean = mean;
        this.std = std;
    }

    @Override
    public MultiDataSet build(List<ImageRecord> images, int epoch) {
        List<FloatImage> views = new ArrayList<>(images.size());
        for (ImageRecord r : images) {
            if (r.label() < 0 || r.label() >= classes) {
                throw new IllegalArgumentException("fine-tuning needs labels in [0, " + classes + "), image " + r.id() + " has " + r.label());
            }
            views.add(view(r, epoch));
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(Normalisation.batch(views, mean, std),
                BatchLayout.oneHot(images.size(), classes, i -> images.get(i).label()));
    }

    /** The image's training view in this epoch. */
    public FloatImage view(ImageRecord r, int epoch) {
        SplittableRandom rnd = Seeds.forView(seed, epoch, r.id(), VIEW);
        FloatImage img = crop.apply(FloatImage.of(r), rnd);
        return rnd.nextBoolean() ? Flip.horizontal(img) : img;
    }

    /** Its first labels are the classes. */
    @Override
    public boolean positioned() {
        return false;
    }
}
