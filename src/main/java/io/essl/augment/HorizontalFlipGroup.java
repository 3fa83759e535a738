package io.essl.augment;

import java.util.Set;

/** {identity, mirror left-right}: a symmetry of most natural images, the paper's example of a group that does not help. */
public final class HorizontalFlipGroup extends TwoElementGroup {
    @Override
    public String name() {
        return "hflip";
    }

    @Override
    FloatImage transform(FloatImage img) {
        return Flip.horizontal(img);
    }

    /** A random horizontal flip of view 3 (or a cell symmetry) would make "flipped" and "not flipped" the same picture. */
    @Override
    public Set<Augmentation> conflicts() {
        return Set.of(Augmentation.FLIP, Augmentation.DIHEDRAL);
    }
}
