package io.essl.augment;

import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The three views of E-SSL for one image, each by the spec's pipeline: RandomResizedCrop (views 1 and 2 at
 * {@code size} with the crop scale, view 3 at {@code size3} with its own scale), horizontal flip, colour jitter
 * with probability p, random grayscale, Gaussian blur and solarize with per-view probabilities (the ImageNet
 * recipe is asymmetric). View 3 goes without the augmentations its group's label would not survive
 * ({@link TransformationGroup#conflicts}); the group then shows it in its elements. Views are in [0, 1];
 * {@link #normalise} applies the per-channel mean/std. Every draw comes from {@link Seeds#forView}, and every
 * step draws its coin whether or not it applies, so a view depends only on (seed, epoch, image, view).
 */
public final class ViewFactory implements Serializable {
    public static final int VIEW1 = 1, VIEW2 = 2, VIEW3 = 3;
    /** The "view" number of the draw of view 3's group elements (model.group-samples): a stream of its own. */
    private static final int GROUP_DRAW = 4;

    private final long seed;
    private final RandomResizedCrop crop;
    private final RandomResizedCrop crop3;
    /** Per view (index view - 1), with view 3's conflicting augmentations at probability 0. */
    private final double[] flipP, grayP;
    private final ColorJitter jitter;
    private final double jitterP;
    private final GaussianBlur blur;
    private final double[] blurP, solarizeP;
    private final double solarizeThreshold;
    /** Per view: the cell symmetries applied last (augment.symmetries), view 3 without its group's conflicts. */
    private final boolean[] dihedral, translate;
    private final boolean symmetries;
    private final float[] mean, std;
    private final TransformationGroup group;
    /** View-3 rows per image: every element of the group, or model.group-samples of them. */
    private final int groupRows;

    /** {@code size}: side of views 1 and 2; {@code size3}: side of view 3; {@code group} null for none. */
    public ViewFactory(long seed, int size, int size3, EsslConfig.Augment a, double[] mean, double[] std,
                       TransformationGroup group) {
        this(seed, size, size3, a, mean, std, group, 0);
    }

    /** {@code groupSamples}: view-3 rows per image, k distinct elements drawn per image and epoch; 0 = all, in order. */
    public ViewFactory(long seed, int size, int size3, EsslConfig.Augment a, double[] mean, double[] std,
                       TransformationGroup group, int groupSamples) {
        this.seed = seed;
        this.groupRows = group == null ? 0 : groupSamples > 0 ? groupSamples : group.size();
        boolean bicubic = a.interpolation().equals("bicubic");
        this.crop = new RandomResizedCrop(size, a.cropScale(), a.cropRatio(), bicubic);
        this.crop3 = new RandomResizedCrop(size3, a.view3CropScale(), a.cropRatio(), bicubic);
        var off = group == null ? java.util.Set.<TransformationGroup.Augmentation>of() : group.conflicts();
        this.flipP = perView(a.flipProbability(), off.contains(TransformationGroup.Augmentation.FLIP));
        double[] cj = a.colorJitter();
        this.jitter = new ColorJitter(cj[0], cj[1], cj[2], cj[3]);
        this.jitterP = a.colorJitterProbability();
        this.grayP = perView(a.grayscaleProbability(), off.contains(TransformationGroup.Augmentation.GRAYSCALE));
        this.blur = new GaussianBlur(a.blurSigma()[0], a.blurSigma()[1], a.blurKernelFraction());
        this.blurP = a.blurProbability();
        this.solarizeP = a.solarizeProbability().clone();
        if (off.contains(TransformationGroup.Augmentation.SOLARIZE)) solarizeP[VIEW3 - 1] = 0;
        this.solarizeThreshold = a.solarizeThreshold();
        boolean d = a.symmetries().contains(CellSymmetry.DIHEDRAL), t = a.symmetries().contains(CellSymmetry.TRANSLATE_HALF);
        this.dihedral = new boolean[]{d, d, d && !off.contains(TransformationGroup.Augmentation.DIHEDRAL)};
        this.translate = new boolean[]{t, t, t && !off.contains(TransformationGroup.Augmentation.TRANSLATE_HALF)};
        this.symmetries = d || t;
        this.mean = toFloat(mean);
        this.std = toFloat(std);
        this.group = group;
    }

    public TransformationGroup group() {
        return group;
    }

    public int groupRowsPerImage() {
        return groupRows;
    }

    /**
     * The group elements view 3 of an image is shown under in an epoch: all, in order, or (model.group-samples) k
     * distinct ones drawn uniformly from a generator of their own (a partial Fisher-Yates shuffle), so that the mean
     * of their losses is an unbiased estimate of the mean over all G.
     */
    public int[] groupElements(long imageId, int epoch) {
        int g = group.size();
        int[] e = java.util.stream.IntStream.range(0, g).toArray();
        if (groupRows == g) return e;
        SplittableRandom rnd = Seeds.forView(seed, epoch, imageId, GROUP_DRAW);
        for (int i = 0; i < groupRows; i++) {
            int j = i + rnd.nextInt(g - i);
            int t = e[i];
            e[i] = e[j];
            e[j] = t;
        }
        return java.util.Arrays.copyOf(e, groupRows);
    }

    /** The same probability for every view, but 0 for view 3 when its group conflicts with the augmentation. */
    private static double[] perView(double p, boolean offForView3) {
        return new double[]{p, p, offForView3 ? 0 : p};
    }

    /** View 3's pipeline as it runs, for the log: "crop 14 px scale [0.2, 1.0], flip p 0.0 (off for hflip), ...". */
    public String view3Pipeline() {
        return String.format("crop %d px scale %s, flip p %s%s, colour jitter p %s, grayscale p %s%s, blur p %s, solarize p %s%s%s%s%s",
                crop3.size(), java.util.Arrays.toString(crop3.scale()), flipP[2], offFor(TransformationGroup.Augmentation.FLIP),
                jitterP, grayP[2], offFor(TransformationGroup.Augmentation.GRAYSCALE), blurP[2], solarizeP[2],
                offFor(TransformationGroup.Augmentation.SOLARIZE),
                !symmetries ? "" : ", dihedral " + (dihedral[2] ? "on" : "off") + offFor(TransformationGroup.Augmentation.DIHEDRAL),
                !symmetries ? "" : ", translate-half " + (translate[2] ? "on" : "off") + offFor(TransformationGroup.Augmentation.TRANSLATE_HALF),
                group == null ? "" : ", then " + group.name() + " (" + group.size() + " elements)");
    }

    private String offFor(TransformationGroup.Augmentation a) {
        return group != null && group.conflicts().contains(a) ? " (off for " + group.name() + ")" : "";
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
            // the crop writes a flipped view mirrored
            out[k] = finish(cropOf(which[k]).apply(px, box, flips(rnd[k], which[k])), rnd[k], which[k]);
        }
        return out;
    }

    /** A view of image {@code id} from its pixels already converted (so several views convert them once). */
    public FloatImage view(FloatImage src, long id, int epoch, int view) {
        SplittableRandom rnd = Seeds.forView(seed, epoch, id, view);
        FloatImage img = cropOf(view).apply(src, rnd);
        return finish(flips(rnd, view) ? Flip.horizontal(img) : img, rnd, view);
    }

    /** The view's flip, drawn from its generator right after the crop's box. */
    private boolean flips(SplittableRandom rnd, int view) {
        return rnd.nextDouble() < flipP[view - 1];
    }

    private RandomResizedCrop cropOf(int view) {
        return view == VIEW3 ? crop3 : crop;
    }

    /**
     * Everything after the crop and its flip (drawn first from the view's generator, where the crop left it; the
     * callers apply it), drawing from the generator where the flip left it.
     */
    private FloatImage finish(FloatImage img, SplittableRandom rnd, int view) {
        if (rnd.nextDouble() < jitterP) img = jitter.apply(img, rnd);
        if (rnd.nextDouble() < grayP[view - 1]) img = Grayscale.apply(img);
        if (rnd.nextDouble() < blurP[view - 1]) img = blur.apply(img, rnd);
        if (rnd.nextDouble() < solarizeP[view - 1]) img = Solarize.apply(img, solarizeThreshold);
        if (symmetries) img = CellSymmetry.random(img, dihedral[view - 1], translate[view - 1], rnd);
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
