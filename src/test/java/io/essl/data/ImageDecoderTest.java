package io.essl.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every odd format decodes to the picture make_fixtures.py drew (8 x 4, left half red, right half blue, top-left
 * pixel white), a file's format is its content's (a renamed file decodes, with a warning), and every bad file is
 * skipped with its reason. Fixtures: src/test/resources/decode/.
 */
class ImageDecoderTest {
    private static final ImageDecoder RGB = new ImageDecoder(3, 50_000_000L);

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = ImageDecoderTest.class.getResourceAsStream("/decode/" + name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }

    private static ImageRecord decoded(ImageDecoder d, String name) throws IOException {
        ImageDecoder.Result r = d.decode(fixture(name), name, 7, 3);
        assertTrue(r.ok(), name + ": " + r.skip() + " " + r.detail());
        assertEquals(7, r.image().id());
        assertEquals(3, r.image().label());
        return r.image();
    }

    private static int px(ImageRecord r, int c, int x, int y) {
        return r.pixels()[(c * r.height() + y) * r.width() + x] & 0xff;
    }

    /** The base picture within tol per channel (JPEG is lossy; CMYK goes through a colour profile). */
    private static void assertBase(ImageRecord r, int tol, String name) {
        assertEquals(3, r.channels(), name);
        assertEquals(4, r.height(), name + ": upright height");
        assertEquals(8, r.width(), name + ": upright width");
        int[][] expect = {{255, 255, 255}, {255, 0, 0}, {0, 0, 255}};
        int[][] at = {{0, 0}, {2, 2}, {6, 1}};
        for (int k = 0; k < 3; k++) {
            for (int c = 0; c < 3; c++) {
                int v = px(r, c, at[k][0], at[k][1]);
                assertTrue(Math.abs(v - expect[k][c]) <= tol, name + ": pixel " + at[k][0] + "," + at[k][1]
                        + " channel " + c + " = " + v + ", expected " + expect[k][c] + " +- " + tol);
            }
        }
    }

    @Test
    void decodesEveryFormatToThePicture() throws IOException {
        assertBase(decoded(RGB, "rgb.png"), 0, "png");
        assertBase(decoded(RGB, "rgb.jpg"), 12, "baseline jpeg");
        assertBase(decoded(RGB, "progressive.jpg"), 12, "progressive jpeg");
        assertBase(decoded(RGB, "palette.png"), 0, "palette png");
        assertBase(decoded(RGB, "exif-orientation-6.jpg"), 12, "jpeg stored turned, EXIF orientation 6");
        // CMYK goes through a colour profile: the hues survive, the exact values do not.
        ImageRecord cmyk = decoded(RGB, "cmyk.jpg");
        assertEquals(8, cmyk.width());
        assertTrue(px(cmyk, 0, 2, 2) > 180 && px(cmyk, 1, 2, 2) < 90 && px(cmyk, 2, 2, 2) < 90, "cmyk red");
        assertTrue(px(cmyk, 2, 6, 1) > 120 && px(cmyk, 0, 6, 1) < 100, "cmyk blue");
        assertTrue(px(cmyk, 0, 0, 0) > 220 && px(cmyk, 1, 0, 0) > 220 && px(cmyk, 2, 0, 0) > 220, "cmyk white");
    }

    @Test
    void greyLevelsAndRgbConvertBothWays() throws IOException {
        ImageDecoder gray = new ImageDecoder(1, 50_000_000L);
        ImageRecord g = decoded(gray, "rgb.png");
        assertEquals(1, g.channels());
        assertEquals(255, px(g, 0, 0, 0));
        assertEquals(76, px(g, 0, 2, 2), "ITU-R 601 luma of red: 0.299 x 255");
        assertEquals(29, px(g, 0, 6, 1), "luma of blue: 0.114 x 255");
        ImageRecord fromGrayPng = decoded(RGB, "gray.png");
        assertEquals(3, fromGrayPng.channels());
        for (int c = 0; c < 3; c++) assertEquals(76, px(fromGrayPng, c, 2, 2), "a grey PNG read as RGB");
    }

    @Test
    void exifOrientationsMapPixelsAsDefined() {
        // A 3 x 2 stored image; each orientation's upright pixel (0, 0) comes from a known corner.
        int w = 3, h = 2;
        assertArrayEquals(new int[]{0, 0}, ImageDecoder.source(1, 0, 0, w, h));
        assertArrayEquals(new int[]{2, 0}, ImageDecoder.source(2, 0, 0, w, h), "mirrored");
        assertArrayEquals(new int[]{2, 1}, ImageDecoder.source(3, 0, 0, w, h), "turned 180");
        assertArrayEquals(new int[]{0, 1}, ImageDecoder.source(4, 0, 0, w, h), "flipped");
        assertArrayEquals(new int[]{0, 0}, ImageDecoder.source(5, 0, 0, w, h), "transposed");
        assertArrayEquals(new int[]{0, 1}, ImageDecoder.source(6, 0, 0, w, h), "turned 90 clockwise: bottom-left first");
        assertArrayEquals(new int[]{2, 1}, ImageDecoder.source(7, 0, 0, w, h), "transversed");
        assertArrayEquals(new int[]{2, 0}, ImageDecoder.source(8, 0, 0, w, h), "turned 90 counter-clockwise: top-right first");
        assertEquals(6, ImageDecoder.exifOrientation(readQuietly("exif-orientation-6.jpg")));
        assertEquals(1, ImageDecoder.exifOrientation(readQuietly("rgb.jpg")));
    }

    private static byte[] readQuietly(String name) {
        try {
            return fixture(name);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void badFilesAreSkippedWithTheirReason() throws IOException {
        assertSkip("empty.jpg", ImageDecoder.Skip.EMPTY);
        assertSkip("not-an-image.jpg", ImageDecoder.Skip.NOT_AN_IMAGE);
        assertSkip("huge.png", ImageDecoder.Skip.TOO_LARGE);
        assertSkip("truncated.jpg", ImageDecoder.Skip.TRUNCATED);
        assertSkip("corrupt.jpg", ImageDecoder.Skip.CORRUPT);
    }

    private static void assertSkip(String name, ImageDecoder.Skip expected) throws IOException {
        ImageDecoder.Result r = RGB.decode(fixture(name), name, 1, 0);
        assertFalse(r.ok(), name + " should be skipped");
        assertEquals(expected, r.skip(), name + ": " + r.detail());
        assertEquals(expected.key(), r.reason());
        assertNull(r.warning(), name);
        assertNotNull(r.detail());
    }

    @Test
    void aPngNamedJpegDecodesByItsContentWithARenamedWarning() throws IOException {
        byte[] png = fixture("png-named.jpg"); // rgb.png's bytes
        // ImageNet's training set holds one: n02105855_2933.JPEG
        ImageDecoder.Result r = RGB.decode(png, "train/n02105855/n02105855_2933.JPEG", 7, 3);
        assertTrue(r.ok(), r.skip() + " " + r.detail());
        assertNull(r.skip());
        assertEquals(ImageDecoder.Warning.RENAMED, r.warning());
        assertEquals("renamed", r.reason());
        assertEquals("a png file named .JPEG", r.detail());
        assertBase(r.image(), 0, "the PNG's exact pixels");
        assertArrayEquals(RGB.decode(png, "rgb.png", 7, 3).image().pixels(), r.image().pixels(), "as if named .png");
        assertEquals("a png file named .jpg", RGB.decode(png, "png-named.jpg", 7, 3).detail());
        ImageDecoder.Result asPng = RGB.decode(png, "rgb.png", 7, 3);
        assertNull(asPng.warning(), "named for what it is: no warning");
        assertNull(asPng.reason());
        assertNull(RGB.decode(png, "no-extension", 7, 3).warning(), "no extension, nothing to contradict");
    }

    @Test
    void aJpegNamedPngIsStillAJpegTurnedUprightByItsExif() throws IOException {
        ImageDecoder.Result r = RGB.decode(fixture("exif-orientation-6.jpg"), "photo.png", 7, 3);
        assertEquals(ImageDecoder.Warning.RENAMED, r.warning());
        assertEquals("a jpeg file named .png", r.detail());
        assertBase(r.image(), 12, "EXIF orientation read because the content is a JPEG");
    }

    @Test
    void aCmykJpegIsDecodedNotSkippedAndNotWarned() throws IOException {
        ImageDecoder.Result r = RGB.decode(fixture("cmyk.jpg"), "train/n01739381/n01739381_1309.JPEG", 7, 3);
        assertTrue(r.ok(), r.skip() + " " + r.detail());
        assertNull(r.skip());
        assertNull(r.warning(), "a JPEG named .JPEG: nothing odd about its name");
        assertEquals(4, r.image().height());
        assertEquals(8, r.image().width());
        assertTrue(px(r.image(), 0, 2, 2) > 180 && px(r.image(), 2, 2, 2) < 90, "red");
    }

    @Test
    void theSampleTreesCmykJpegIsAdobeCmykAndDecodesToItsGreyImage() throws IOException {
        byte[] px = new byte[28 * 28];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i % 28 * 9);
        ImageRecord grey = new ImageRecord(0, 0, 1, 28, 28, px);
        byte[] jpeg = SampleTree.cmykJpeg(grey);
        assertEquals("Adobe", new String(jpeg, 6, 5, java.nio.charset.StandardCharsets.US_ASCII), "APP14 after SOI");
        int sof = 2;
        while (!((jpeg[sof] & 0xff) == 0xFF && (jpeg[sof + 1] & 0xff) == 0xC0)) sof++;
        assertEquals(4, jpeg[sof + 9], "four components (CMYK) in the frame header");
        for (ImageRecord d : new ImageRecord[]{new ImageDecoder(1, 1L << 20).decode(jpeg, "cmyk.jpg", 0, 0).image(),
                TurboDecoder.decode(jpeg, 0, 0, 1, 1)}) {
            int max = 0;
            for (int i = 0; i < px.length; i++) max = Math.max(max, Math.abs((px[i] & 0xff) - (d.pixels()[i] & 0xff)));
            assertTrue(max <= 4, "grey levels back within 4 (JPEG is lossy): " + max);
        }
    }
}
