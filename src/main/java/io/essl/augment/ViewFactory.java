package io.essl.augment;

import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The three views of E-SSL for one image, each by the spec's pipeline: RandomResizedCrop (views 1 and 2 at
 * {@code size} with the crop scale, view 3 at {@code size3} with its own scale), horizontal flip, colour jitter
 * with probability p, random grayscale, Gaussian blur and solarize with per-view probabilities (the ImageNet
 * recipe is asymmetric). The group then shows view 3 in every element. Views are in [0, 1];
 * {@link #normalise} applies the per-channel mean/std. Every draw comes from {@link Seeds#forView}, and every
 * step draws its coin whether or not it applies, so a view depends only on (seed, epoch, image, view).
 */
public final class ViewFactory implements Serializable {
    public static final int VIEW1 = 1, VIEW2 = 2, VIEW3 = 3;

    private final long seed;
    private final RandomResizedCrop crop;
    private final RandomResizedCrop crop3;
    private final double flipP;
    private final ColorJitter jitter;
    private final double jitterP, grayP;
    private final GaussianBlur blur;
    private final double[] blurP, solarizeP;
    private final double solarizeThreshold;
    private final float[] mean, std;
    private final TransformationGroup group;

    /** {@code size}: side of views 1 and 2; {@code size3}: side of view 3. */
    public ViewFactory(long seed, int size, int size3, EsslConfig.Augment a, double[] mean, double[] std,
                       TransformationGroup group) {
        this.seed = seed;
        boolean bicubic = a.interpolation().equals("bicubic");
        this.crop = new RandomResizedCrop(size, a.cropScale(), a.cropRatio(), bicubic);
        this.crop3 = new RandomResizedCrop(size3, a.view3CropScale(), a.cropRatio(), bicubic);
        this.flipP = a.flipProbability();
        double[] cj = a.colorJitter();
        this.jitter = new ColorJitter(cj[0], cj[1], cj[2], cj[3]);
        this.jitterP = a.colorJitterProbability();
        this.grayP = a.grayscaleProbability();
        this.blur = new GaussianBlur(a.blurSigma()[0], a.blurSigma()[1], a.blurKernelFraction());
        this.blurP = a.blurProbability();
        this.solarizeP = a.solarizeProbability();
        this.solarizeThreshold = a.solarizeThreshold();
        this.mean = toFloat(mean);
        this.std = toFloat(std);
        this.group = group;
    }

    public TransformationGroup group() {
        return group;
    }

    /** View 1, 2 or 3 of an image in a given epoch (un-normalised). */
    public FloatImage view(ImageRecord r, int epoch, int view) {
        return views(r, epoch, view)[0];
    }

    /**
     * Several views of one image (un-normalised). The crop boxes are drawn first, from the image's size alone;
     * then the image is decoded once, at the smallest size that still gives every box at full resolution (DCT
     * scaling for a JPEG still encoded), and only the boxes are converted to floats.
     */
    public FloatImage[] views(ImageRecord r, int epoch, int... which) {
        SplittableRandom[] rnd = new SplittableRandom[which.length];
        RandomResizedCrop.Box[] boxes = new RandomResizedCrop.Box[which.length];
        int reduction = 8;
        for (int k = 0; k < which.length; k++) {
            rnd[k] = Seeds.forView(seed, epoch, r.id(), which[k]);
            boxes[k] = cropOf(which[k]).sample(r.height(), r.width(), rnd[k]);
            reduction = Math.min(reduction, cropOf(which[k]).reductionFor(boxes[k]));
        }
        ImageRecord px = r.decode(reduction);
        FloatImage[] out = new FloatImage[which.length];
        for (int k = 0; k < which.length; k++) {
            RandomResizedCrop.Box box = boxes[k].in(r.height(), r.width(), px.height(), px.width());
            out[k] = finish(cropOf(which[k]).apply(px, box), rnd[k], which[k]);
        }
        return out;
    }

    /** A view of image {@code id} from its pixels already converted (so several views convert them once). */
    public FloatImage view(FloatImage src, long id, int epoch, int view) {
        SplittableRandom rnd = Seeds.forView(seed, epoch, id, view);
        return finish(cropOf(view).apply(src, rnd), rnd, view);
    }

    private RandomResizedCrop cropOf(int view) {
        return view == VIEW3 ? crop3 : crop;
    }

    /** Everything after the crop, drawing from the view's generator where the crop left it. */
    private FloatImage finish(FloatImage img, SplittableRandom rnd, int view) {
        if (rnd.nextDouble() < flipP) img = Flip.horizontal(img);
        if (rnd.nextDouble() < jitterP) img = jitter.apply(img, rnd);
        if (rnd.nextDouble() < grayP) img = Grayscale.apply(img);
        if (rnd.nextDouble() < blurP[view - 1]) img = blur.apply(img, rnd);
        if (rnd.nextDouble() < solarizeP[view - 1]) img = Solarize.apply(img, solarizeThreshold);
        return img;
    }

    /** (x - mean) / std per channel, in place into {@code dst} at {@code offset}. */
    public void normalise(FloatImage img, float[] dst, int offset) {
        int plane = img.height() * img.width();
        if (img.channels() != mean.length) {
            throw new IllegalArgumentException("image has " + img.channels() + " channels, normalisation " + mean.length);
        }
        for (int c = 0; c < img.channels(); c++) {
            for (int i = 0; i < plane; i++) {
                dst[offset + c * plane + i] = (img.data()[c * plane + i] - mean[c]) / std[c];
            }
        }
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
