package io.essl.augment;

import java.util.Set;

/** {identity, mirror left-right}: a symmetry of most natural images, the paper's example of a group that does not help. */
public final class HorizontalFlipGroup implements TransformationGroup {
    @Override
    public String name() {
        return "hflip";
    }

    @Override
    public int size() {
        return 2;
    }

    @Override
    public FloatImage apply(int element, FloatImage img) {
        return switch (element) {
            case 0 -> img;
            case 1 -> Flip.horizontal(img);
            default -> throw new IllegalArgumentException("hflip element " + element);
        };
    }

    /** A random horizontal flip of view 3 would make "flipped" and "not flipped" the same picture. */
    @Override
    public Set<Augmentation> conflicts() {
        return Set.of(Augmentation.FLIP);
    }
}
