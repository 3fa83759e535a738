package io.essl.augment;

/**
 * {identity, one transformation t}: the flips and inversion (t twice is the identity, so a group) and grayscale (t
 * twice is t: a labelled pair, which is all the head needs).
 */
abstract class TwoElementGroup implements TransformationGroup {
    @Override
    public final int size() {
        return 2;
    }

    @Override
    public final FloatImage apply(int element, FloatImage img) {
        return switch (element) {
            case 0 -> img;
            case 1 -> transform(img);
            default -> throw new IllegalArgumentException(name() + " element " + element);
        };
    }

    /** Element 1. */
    abstract FloatImage transform(FloatImage img);
}
