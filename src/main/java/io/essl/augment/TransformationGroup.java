package io.essl.augment;

import java.util.Set;

/**
 * A finite set of transformations of an image whose element the group head learns to predict (E-SSL's equivariance
 * target), chosen by {@code model.group} ({@link Groups}). Element k is labelled k; element 0 is the identity.
 * Implementations are pure functions of (element, image) and never change their input.
 */
public interface TransformationGroup extends java.io.Serializable {
    /** The view-3 augmentations a group can switch off because they would make its label undecidable. */
    enum Augmentation { FLIP, GRAYSCALE, SOLARIZE, DIHEDRAL, TRANSLATE_HALF }

    /** The value of model.group. */
    String name();

    int size();

    FloatImage apply(int element, FloatImage img);

    /** The view-3 augmentations this group's label does not survive (a random flip hides an hflip label). */
    default Set<Augmentation> conflicts() {
        return Set.of();
    }

    /** Checks an image geometry once, before training: one line naming the problem, or nothing. */
    default void checkView3(int channels, int size) {
    }
}
