package io.essl.augment;

import io.essl.data.ImageRecord;

/**
 * The evaluation view of an image of any size: the centre square of its shorter side, resized (bilinear) to the
 * encoder's input side. Images already at that size pass through unchanged (decoded, if still encoded).
 */
public final class CentreCrop {
    private CentreCrop() {
    }

    public static ImageRecord of(ImageRecord r, int size) {
        if (r.height() == size && r.width() == size) return r.decode(1);
        int side = Math.min(r.height(), r.width());
        RandomResizedCrop.Box box = new RandomResizedCrop.Box((r.height() - side) / 2, (r.width() - side) / 2, side, side);
        RandomResizedCrop resize = new RandomResizedCrop(size, new double[]{1, 1}, new double[]{1, 1});
        ImageRecord decoded = r.decode(resize.reductionFor(box)); // DCT scaling where the crop keeps its detail
        FloatImage f = resize.apply(decoded, box.in(r.height(), r.width(), decoded.height(), decoded.width()));
        byte[] px = new byte[f.data().length];
        for (int i = 0; i < px.length; i++) px[i] = (byte) Math.round(Math.min(1f, Math.max(0f, f.data()[i])) * 255f);
        return new ImageRecord(r.id(), r.label(), r.channels(), size, size, px);
    }
}
