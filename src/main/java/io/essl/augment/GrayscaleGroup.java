package io.essl.augment;

import io.essl.config.ConfigError;

import java.util.Set;

/** {identity, grayscale} (the ITU-R 601 luma replicated to the three channels): only for colour images. */
public final class GrayscaleGroup extends TwoElementGroup {
    @Override
    public String name() {
        return "grayscale";
    }

    @Override
    FloatImage transform(FloatImage img) {
        return Grayscale.apply(img);
    }

    /** A randomly grayed view 3 would carry the "grayscale" label's evidence without the label. */
    @Override
    public Set<Augmentation> conflicts() {
        return Set.of(Augmentation.GRAYSCALE);
    }

    @Override
    public void checkView3(int channels, int size) {
        if (channels != 3) {
            throw new ConfigError("bad value for key essl.model.group: grayscale needs colour images (3 channels), these have "
                    + channels + ": its two elements would be the same picture");
        }
    }
}
