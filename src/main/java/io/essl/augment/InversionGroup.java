package io.essl.augment;

import java.util.Set;

/** {identity, colour inversion x -> 1 - x} on [0, 1] values (before normalisation). */
public final class InversionGroup extends TwoElementGroup {
    @Override
    public String name() {
        return "invert";
    }

    @Override
    FloatImage transform(FloatImage img) {
        float[] out = img.data().clone();
        for (int i = 0; i < out.length; i++) out[i] = 1 - out[i];
        return new FloatImage(img.channels(), img.height(), img.width(), out);
    }

    /** Solarize inverts the bright pixels: on view 3 it would blur "inverted" into "not inverted". */
    @Override
    public Set<Augmentation> conflicts() {
        return Set.of(Augmentation.SOLARIZE);
    }
}
