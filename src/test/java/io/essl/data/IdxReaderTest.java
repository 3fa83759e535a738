package io.essl.data;

import io.essl.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

class IdxReaderTest {
    private static final File DIR = TestData.sliceDir();

    private static byte[] plain(String name) throws IOException {
        try (InputStream in = new GZIPInputStream(new FileInputStream(new File(DIR, name)))) {
            return in.readAllBytes();
        }
    }

    @Test
    void readsTheCommittedSlice() throws IOException {
        int[] labels;
        try (InputStream in = new FileInputStream(new File(DIR, "train-labels-idx1-ubyte.gz"))) {
            labels = IdxReader.readLabels(in, "train-labels");
        }
        assertEquals(512, labels.length);
        assertEquals(9, labels[0], "the first Fashion-MNIST training image is an ankle boot (9)");
        assertTrue(Arrays.stream(labels).allMatch(l -> l >= 0 && l <= 9));
        assertEquals(10, Arrays.stream(labels).distinct().count());
        ImageRecord[] images;
        try (InputStream in = new FileInputStream(new File(DIR, "train-images-idx3-ubyte.gz"))) {
            images = IdxReader.readImages(in, "train-images", labels, 0, 512);
        }
        assertEquals(512, images.length);
        assertEquals(28, images[0].height());
        assertEquals(28, images[0].width());
        assertEquals(1, images[0].channels());
        assertEquals(9, images[0].label());
        assertEquals(511, images[511].id());
        // Not a blank image: Fashion-MNIST has a black background and a bright object.
        int max = 0;
        for (byte b : images[0].pixels()) max = Math.max(max, b & 0xff);
        assertTrue(max > 200);
    }

    @Test
    void plainAndGzipGiveTheSameImagesAndRangesAgree() throws IOException {
        byte[] raw = plain("t10k-images-idx3-ubyte.gz");
        int[] labels = IdxReader.readLabels(new ByteArrayInputStream(plain("t10k-labels-idx1-ubyte.gz")), "labels");
        ImageRecord[] all = IdxReader.readImages(new ByteArrayInputStream(raw), "plain", labels, 0, 256);
        ImageRecord[] part;
        try (InputStream in = new FileInputStream(new File(DIR, "t10k-images-idx3-ubyte.gz"))) {
            part = IdxReader.readImages(in, "gz", labels, 100, 110);
        }
        assertEquals(10, part.length);
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(all[100 + i].pixels(), part[i].pixels());
            assertEquals(100 + i, part[i].id());
        }
    }

    @Test
    void truncatedFileGivesAClearError(@TempDir File tmp) throws IOException {
        byte[] raw = plain("t10k-images-idx3-ubyte.gz");
        byte[] cut = Arrays.copyOf(raw, raw.length / 2);
        IOException e = assertThrows(IdxReader.IdxFormatException.class,
                () -> IdxReader.readImages(new ByteArrayInputStream(cut), "cut.idx", null, 0, 256));
        assertTrue(e.getMessage().contains("cut.idx") && e.getMessage().contains("truncated"), e.getMessage());

        byte[] header = Arrays.copyOf(raw, 6);
        e = assertThrows(IdxReader.IdxFormatException.class,
                () -> IdxReader.readImages(new ByteArrayInputStream(header), "h.idx", null, 0, 1));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        // A truncated gzip stream as well.
        byte[] gz = Files.readAllBytes(new File(DIR, "t10k-images-idx3-ubyte.gz").toPath());
        byte[] gzCut = Arrays.copyOf(gz, gz.length / 3);
        e = assertThrows(IOException.class,
                () -> IdxReader.readImages(new ByteArrayInputStream(gzCut), "cut.gz", null, 0, 256));
        assertTrue(e.getMessage().contains("cut.gz") || e.getMessage().toLowerCase().contains("unexpected end"), e.getMessage());
    }

    @Test
    void corruptHeaderOrWrongKindGivesAClearError() throws IOException {
        byte[] junk = "this is not an idx file at all".getBytes();
        IOException e = assertThrows(IdxReader.IdxFormatException.class,
                () -> IdxReader.readLabels(new ByteArrayInputStream(junk), "junk.bin"));
        assertTrue(e.getMessage().startsWith("junk.bin: not an unsigned-byte IDX file"), e.getMessage());

        byte[] labels = plain("t10k-labels-idx1-ubyte.gz");
        e = assertThrows(IdxReader.IdxFormatException.class,
                () -> IdxReader.readImages(new ByteArrayInputStream(labels), "labels-as-images", null, 0, 1));
        assertTrue(e.getMessage().contains("rank 3") && e.getMessage().contains("rank 1"), e.getMessage());

        int[] tooFew = new int[3];
        e = assertThrows(IdxReader.IdxFormatException.class,
                () -> IdxReader.readImages(new ByteArrayInputStream(plain("t10k-images-idx3-ubyte.gz")), "x", tooFew, 0, 1));
        assertTrue(e.getMessage().contains("256 images but 3 labels"), e.getMessage());
    }

    @Test
    void grayscaleToRgbReplicatesTheChannel() {
        ImageRecord gray = new ImageRecord(5, 3, 1, 2, 2, new byte[]{1, 2, 3, (byte) 250});
        ImageRecord rgb = gray.toRgb();
        assertEquals(3, rgb.channels());
        assertEquals(5, rgb.id());
        assertEquals(3, rgb.label());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[]{1, 2, 3, (byte) 250, 1, 2, 3, (byte) 250, 1, 2, 3, (byte) 250},
                rgb.pixels());
        assertSame(rgb, rgb.toRgb(), "three-channel images are left alone");
    }
}
