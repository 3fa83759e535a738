package io.essl.data;

import io.essl.augment.CentreCrop;
import io.essl.augment.FloatImage;
import io.essl.augment.FourFoldRotation;
import io.essl.augment.RandomResizedCrop;
import io.essl.augment.ViewFactory;
import io.essl.augment.ViewsTest;
import org.junit.jupiter.api.Test;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Images kept encoded and decoded on use: OpenCV's decoder gives the checking decoder's pixels, DCT-scaled
 * decoding gives the reduced picture, and views and centre crops from encoded images are those of the decoded
 * ones (exactly when nothing is reduced, closely when the crop allows a reduced decode).
 */
class DecodeOnUseTest {
    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = DecodeOnUseTest.class.getResourceAsStream("/decode/" + name)) {
            return in.readAllBytes();
        }
    }

    private static int maxDiff(byte[] a, byte[] b) {
        assertEquals(a.length, b.length);
        int max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] & 0xff) - (b[i] & 0xff)));
        return max;
    }

    @Test
    void turboDecoderGivesTheCheckingDecodersPixelsForEveryFormat() throws IOException {
        for (String name : new String[]{"rgb.jpg", "progressive.jpg", "cmyk.jpg", "exif-orientation-6.jpg",
                "rgb.png", "gray.png", "palette.png"}) {
            for (int channels : new int[]{3, 1}) {
                byte[] file = fixture(name);
                ImageRecord ref = new ImageDecoder(channels, 1L << 30).decode(file, name, 5, 2).image();
                ImageRecord r = TurboDecoder.decode(file, 5, 2, channels, 1);
                assertNotNull(r, name);
                assertEquals(ref.height(), r.height(), name + " upright (EXIF applied)");
                assertEquals(ref.width(), r.width(), name);
                assertEquals(channels, r.channels());
                // the same IDCT (libjpeg-turbo against the JDK's libjpeg); grey from a colour JPEG is the stored luma
                assertTrue(maxDiff(ref.pixels(), r.pixels()) <= 1, name + " channels " + channels);
            }
        }
        assertNull(TurboDecoder.decode(fixture("truncated.jpg"), 0, 0, 3, 1), "nothing OpenCV could not decode whole");
    }

    @Test
    void renamedFilesDecodeOnUseByTheirContent() throws IOException {
        // {fixture, the misleading name it had}: OpenCV for the PNG, the JPEGs (EXIF, CMYK), ImageIO for the GIF.
        String[][] renamed = {{"png-named.jpg", "n02105855_2933.JPEG"}, {"exif-orientation-6.jpg", "photo.png"},
                {"cmyk.jpg", "scan.png"}, {"palette.gif", "anim.jpg"}};
        for (String[] f : renamed) {
            byte[] file = fixture(f[0]);
            ImageDecoder.Result checked = new ImageDecoder(3, 1L << 30).decode(file, f[1], 5, 2);
            assertTrue(checked.ok(), f[1] + ": " + checked.reason());
            assertEquals(ImageDecoder.Warning.RENAMED, checked.warning(), f[1]);
            ImageRecord ref = checked.image();
            // decoding on use never sees the name: the encoded record holds only the bytes and the upright size
            ImageRecord r = ImageRecord.encoded(5, 2, 3, ref.height(), ref.width(), file).decode(1);
            assertEquals(ref.height(), r.height(), f[1] + " upright");
            assertEquals(ref.width(), r.width(), f[1]);
            assertTrue(maxDiff(ref.pixels(), r.pixels()) <= 1, f[1] + ": the checking decoder's pixels");
        }
    }

    /** A smooth colour picture (so the reduced decode can be compared with an average of the full one). */
    static byte[] jpeg(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = 128 + (int) (100 * Math.sin(x / 17.0)), g = 128 + (int) (100 * Math.cos(y / 13.0)), b = 128 + (int) (100 * Math.sin((x + y) / 23.0));
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream s = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(s);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.95f);
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    @Test
    void dctScaledDecodingGivesTheReducedPicture() throws IOException {
        byte[] file = jpeg(500, 375);
        ImageRecord full = TurboDecoder.decode(file, 0, 0, 3, 1);
        for (int f : new int[]{2, 4, 8}) {
            ImageRecord r = ImageRecord.encoded(0, 0, 3, 375, 500, file).decode(f);
            assertEquals((375 + f - 1) / f, r.height(), "1/" + f);
            assertEquals((500 + f - 1) / f, r.width(), "1/" + f);
            // each reduced pixel is about the mean of its f x f block of the full decode (the picture is smooth)
            double err = 0;
            int n = 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 375 / f; y++) {
                    for (int x = 0; x < 500 / f; x++) {
                        double mean = 0;
                        for (int dy = 0; dy < f; dy++) {
                            for (int dx = 0; dx < f; dx++) mean += full.pixels()[(c * 375 + y * f + dy) * 500 + x * f + dx] & 0xff;
                        }
                        err += Math.abs(mean / (f * f) - (r.pixels()[(c * r.height() + y) * r.width() + x] & 0xff));
                        n++;
                    }
                }
            }
            assertTrue(err / n < 3, "1/" + f + ": mean difference from the block mean " + err / n);
        }
    }

    @Test
    void aFormatOpenCvDoesNotReadFallsBackToTheCheckingDecoder() throws IOException {
        byte[] gif = fixture("palette.gif");
        assertNull(TurboDecoder.decode(gif, 0, 0, 3, 1), "OpenCV 4.5.5 has no GIF reader");
        ImageRecord r = ImageRecord.encoded(3, 1, 3, 4, 8, gif).decode(2);
        assertArrayEquals(new ImageDecoder(3, 1L << 30).decode(gif, "palette.gif", 3, 1).image().pixels(), r.pixels());
        assertEquals(255, r.pixels()[2 * 8 + 1] & 0xff, "red at (1, 2)");
    }

    @Test
    void cropOfABoxOfBytesEqualsTheCropOfTheWholeImageConverted() {
        SplittableRandom rnd = new SplittableRandom(7);
        ImageRecord img = ViewsTest.image(3, 40);
        for (boolean bicubic : new boolean[]{false, true}) {
            RandomResizedCrop crop = new RandomResizedCrop(16, new double[]{0.05, 1}, new double[]{0.75, 4.0 / 3}, bicubic);
            for (int i = 0; i < 50; i++) {
                RandomResizedCrop.Box box = crop.sample(40, 40, rnd);
                FloatImage whole = bicubic ? RandomResizedCrop.resizeBicubic(FloatImage.of(img), box, 16)
                        : RandomResizedCrop.resize(FloatImage.of(img), box, 16);
                assertArrayEquals(whole.data(), crop.apply(img, box).data(), box + (bicubic ? " bicubic" : " bilinear"));
                // mirrored by the crop itself: exactly the flip of the crop
                assertArrayEquals(io.essl.augment.Flip.horizontal(whole).data(), crop.apply(img, box, true).data(),
                        box + (bicubic ? " bicubic" : " bilinear") + ", flipped");
            }
        }
    }

    @Test
    void reductionKeepsAtLeastTheViewSizeInTheBox() {
        RandomResizedCrop crop = new RandomResizedCrop(224, new double[]{0.08, 1}, new double[]{0.75, 4.0 / 3});
        assertEquals(1, crop.reductionFor(new RandomResizedCrop.Box(0, 0, 375, 500)), "375 < 2 x 224");
        assertEquals(2, crop.reductionFor(new RandomResizedCrop.Box(0, 0, 448, 900)));
        assertEquals(4, crop.reductionFor(new RandomResizedCrop.Box(0, 0, 900, 1000)));
        assertEquals(8, crop.reductionFor(new RandomResizedCrop.Box(0, 0, 4000, 4000)), "1/8 at most");
    }

    @Test
    void viewsOfEncodedImagesAreThoseOfTheDecodedImages() throws IOException {
        EsslViews v = new EsslViews(32, 16);
        // Lossless and small: no reduction possible, so the views must be identical.
        BufferedImage png = new BufferedImage(48, 40, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom rnd = new SplittableRandom(1);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 48; x++) png.setRGB(x, y, rnd.nextInt(1 << 24));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(png, "png", out);
        ImageRecord encoded = ImageRecord.encoded(9, 0, 3, 40, 48, out.toByteArray());
        ImageRecord decoded = encoded.decode(1);
        assertFalse(decoded.isEncoded());
        for (int epoch = 0; epoch < 3; epoch++) {
            FloatImage[] a = v.factory.views(encoded, epoch, 1, 2, 3), b = v.factory.views(decoded, epoch, 1, 2, 3);
            for (int k = 0; k < 3; k++) assertArrayEquals(b[k].data(), a[k].data(), "view " + (k + 1));
            assertArrayEquals(v.factory.view(decoded, epoch, 2).data(), a[1].data(), "one view alone");
        }
        // A large JPEG: reduced decodes where the boxes allow; close to the full-resolution views.
        byte[] file = jpeg(1200, 900);
        ImageRecord big = ImageRecord.encoded(4, 0, 3, 900, 1200, file);
        ImageRecord bigDecoded = big.decode(1);
        EsslViews small = new EsslViews(64, 32);
        double err = 0;
        int n = 0;
        for (int epoch = 0; epoch < 5; epoch++) {
            FloatImage[] a = small.factory.views(big, epoch, 1, 2), b = small.factory.views(bigDecoded, epoch, 1, 2);
            for (int k = 0; k < 2; k++) {
                for (int i = 0; i < a[k].data().length; i++) err += Math.abs(a[k].data()[i] - b[k].data()[i]);
                n += a[k].data().length;
            }
        }
        assertTrue(err / n < 0.03, "mean difference of reduced-decode views " + err / n);
        // The centre crop too.
        ImageRecord c1 = CentreCrop.of(big, 64), c2 = CentreCrop.of(bigDecoded, 64);
        double e = 0;
        for (int i = 0; i < c1.pixels().length; i++) e += Math.abs((c1.pixels()[i] & 0xff) - (c2.pixels()[i] & 0xff));
        assertTrue(e / c1.pixels().length < 6, "centre crop from a 1/8 decode against a full one: " + e / c1.pixels().length);
    }

    /** A view factory without colour changes, so crops and decoding are what is compared. */
    private static final class EsslViews {
        final ViewFactory factory;

        EsslViews(int size, int size3) {
            var a = new io.essl.config.EsslConfig.Augment(size, size3, "bilinear", new double[]{0.2, 1.0},
                    new double[]{0.75, 4.0 / 3}, 0.5, new double[]{0.4, 0.4, 0.4, 0.1}, 0, 0, new double[]{0.1, 2.0}, 0.1,
                    new double[]{0, 0, 0}, new double[]{0, 0, 0}, io.essl.augment.Solarize.THRESHOLD, new double[]{0.2, 1.0}, java.util.List.of());
            factory = new ViewFactory(11, size, size3, a, new double[]{0.5, 0.5, 0.5}, new double[]{0.25, 0.25, 0.25},
                    new FourFoldRotation());
        }
    }
}
