package io.essl.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The SIMD libturbojpeg path gives OpenCV's pixels (same IDCT, upsampling and DCT scaling), leaves to OpenCV what it
 * does not handle, and without the library (absent, or turned off) everything decodes through OpenCV as before.
 */
class SimdJpegTest {
    /** Debian's libturbojpeg0, which bin/essl and bin/test install. */
    private static final Path SYSTEM_LIB = Path.of("/usr/lib/x86_64-linux-gnu/libturbojpeg.so.0");

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = SimdJpegTest.class.getResourceAsStream("/decode/" + name)) {
            return in.readAllBytes();
        }
    }

    private static int maxDiff(ImageRecord a, ImageRecord b) {
        assertEquals(a.height(), b.height());
        assertEquals(a.width(), b.width());
        assertEquals(a.channels(), b.channels());
        int max = 0;
        for (int i = 0; i < a.pixels().length; i++) max = Math.max(max, Math.abs((a.pixels()[i] & 0xff) - (b.pixels()[i] & 0xff)));
        return max;
    }

    @Test
    void theSystemLibraryIsFoundAndGivesOpenCvsPixelsAtEveryScale() throws IOException {
        assumeTrue(Files.exists(SYSTEM_LIB), "no libturbojpeg0 on this machine");
        assertTrue(SimdJpeg.available(), SimdJpeg.description());
        assertTrue(TurboDecoder.jpegDecoder().startsWith("libturbojpeg (SIMD"), TurboDecoder.jpegDecoder());
        SimdJpeg.TurboJpeg lib = SimdJpeg.lib();
        byte[][] files = {fixture("rgb.jpg"), fixture("progressive.jpg"), DecodeOnUseTest.jpeg(500, 375)};
        for (byte[] file : files) {
            for (int channels : new int[]{3, 1}) {
                for (int reduction : new int[]{1, 2, 4, 8}) {
                    ImageRecord simd = SimdJpeg.decode(lib, file, 7, 3, channels, reduction);
                    assertNotNull(simd);
                    assertEquals(7, simd.id());
                    assertEquals(3, simd.label());
                    ImageRecord cv = TurboDecoder.openCv(file, 7, 3, channels, reduction);
                    // libjpeg-turbo's SIMD kernels are bit-exact with its C ones
                    assertEquals(0, maxDiff(cv, simd), "channels " + channels + ", 1/" + reduction);
                }
            }
        }
    }

    @Test
    void whatItDoesNotHandleIsLeftToOpenCv() throws IOException {
        assumeTrue(Files.exists(SYSTEM_LIB), "no libturbojpeg0 on this machine");
        SimdJpeg.TurboJpeg lib = SimdJpeg.lib();
        assertNull(SimdJpeg.decode(lib, fixture("cmyk.jpg"), 0, 0, 3, 1), "CMYK: OpenCV converts it");
        assertNull(SimdJpeg.decode(lib, fixture("truncated.jpg"), 0, 0, 3, 1), "a premature end: OpenCV's behaviour");
        assertNull(SimdJpeg.decode(lib, fixture("rgb.png"), 0, 0, 3, 1), "not a JPEG");
        // the EXIF-rotated file goes to OpenCV by TurboDecoder's check, and comes out upright
        byte[] exif = fixture("exif-orientation-6.jpg");
        ImageRecord ref = new ImageDecoder(3, 1L << 30).decode(exif, "x.jpg", 0, 0).image();
        assertEquals(0, maxDiff(TurboDecoder.openCv(exif, 0, 0, 3, 1), TurboDecoder.decode(exif, 0, 0, 3, 1)));
        assertEquals(ref.height(), TurboDecoder.decode(exif, 0, 0, 3, 1).height(), "upright");
    }

    @Test
    void provenanceSaysWhichDecoderRan() throws IOException {
        Object recorded = io.essl.report.Provenance.of(io.essl.config.ConfigLoader.load(null, java.util.List.of())).get("jpeg_decoder");
        assertEquals(TurboDecoder.jpegDecoder(), recorded);
        assertTrue(((String) recorded).startsWith(SimdJpeg.available() ? "libturbojpeg (SIMD" : "OpenCV's"), (String) recorded);
    }

    @Test
    void withoutTheLibraryEverythingGoesThroughOpenCv() throws IOException {
        SimdJpeg.Loaded off = SimdJpeg.load("off");
        assertNull(off.lib());
        assertTrue(off.description().startsWith("OpenCV's libjpeg-turbo (no SIMD); libturbojpeg turned off"), off.description());
        SimdJpeg.Loaded missing = SimdJpeg.load("/no/such/libturbojpeg.so.0");
        assertNull(missing.lib());
        assertTrue(missing.description().startsWith("OpenCV's libjpeg-turbo (no SIMD); no libturbojpeg"), missing.description());
        // no library: the SIMD path declines, and TurboDecoder's fallback is OpenCV, which decodes every JPEG fixture
        byte[] file = fixture("rgb.jpg");
        assertNull(SimdJpeg.decode(off.lib(), file, 0, 0, 3, 1));
        ImageRecord ref = new ImageDecoder(3, 1L << 30).decode(file, "rgb.jpg", 0, 0).image();
        assertTrue(maxDiff(ref, TurboDecoder.openCv(file, 0, 0, 3, 1)) <= 1);
    }
}
