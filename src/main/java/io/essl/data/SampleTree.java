package io.essl.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * An ImageFolder tree made from Fashion-MNIST IDX files, for tests and demos of the folder and Parquet paths:
 * {@code <out>/<class>/<n>.png|.jpg} (alternating PNG and JPEG, grey levels). With the odd files, the first class
 * folder also gets what ImageNet's training set holds: two good images that decoders choke on (a PNG named .JPEG,
 * a CMYK JPEG), and one bad file of each kind: empty, not an image, a header claiming 10^10 pixels, a truncated
 * JPEG and a corrupt one.
 */
public final class SampleTree {
    /** The bad files written, by the skip reason they must get. */
    public static final Map<String, String> BAD_FILES = Map.of(
            "empty.jpg", "empty", "readme.jpg", "not_an_image", "huge.png", "too_large",
            "truncated.jpg", "truncated", "corrupt.jpg", "corrupt");
    /** The good files written with a warning, by the warning they must get. */
    public static final Map<String, String> WARNED_FILES = Map.of("renamed.JPEG", "renamed");
    /** Every good odd file (decoded and kept): the warned ones and a CMYK JPEG. */
    public static final java.util.Set<String> ODD_GOOD_FILES = java.util.Set.of("renamed.JPEG", "cmyk.jpg");

    private SampleTree() {
    }

    /**
     * Writes the first {@code perClass} images of each of {@code classes} classes (names: the class names given,
     * in label order) of an IDX pair, and with {@code withOddFiles} the odd files in the first class folder.
     * Returns the good images written per class folder (the odd good files included).
     */
    public static Map<String, Integer> write(File images, File labels, File out, String[] classNames, int classes,
                                             int perClass, boolean withOddFiles) throws IOException {
        int[] lab;
        try (InputStream in = Files.newInputStream(labels.toPath())) { // IdxReader un-gzips by magic
            lab = IdxReader.readLabels(in, labels.getPath());
        }
        ImageRecord[] all;
        try (InputStream in = Files.newInputStream(images.toPath())) {
            all = IdxReader.readImages(in, images.getPath(), lab, 0, lab.length);
        }
        Map<String, Integer> written = new TreeMap<>();
        int[] count = new int[classes];
        for (ImageRecord r : all) {
            if (r.label() >= classes || count[r.label()] >= perClass) continue;
            File dir = new File(out, classNames[r.label()]);
            Files.createDirectories(dir.toPath());
            boolean png = count[r.label()] % 2 == 0;
            String name = String.format("%05d.%s", r.id(), png ? "png" : "jpg");
            if (!ImageIO.write(toImage(r), png ? "png" : "jpeg", new File(dir, name))) {
                throw new IOException("no ImageIO writer for " + name);
            }
            count[r.label()]++;
            written.merge(classNames[r.label()], 1, Integer::sum);
        }
        if (withOddFiles) {
            writeOddFiles(new File(out, classNames[0]), all[0]);
            written.merge(classNames[0], ODD_GOOD_FILES.size(), Integer::sum);
        }
        return written;
    }

    private static BufferedImage toImage(ImageRecord r) {
        BufferedImage img = new BufferedImage(r.width(), r.height(), BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, r.width(), r.height(), r.pixels());
        return img;
    }

    private static void writeOddFiles(File dir, ImageRecord sample) throws IOException {
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream(), png = new ByteArrayOutputStream();
        ImageIO.write(toImage(sample), "jpeg", jpeg);
        ImageIO.write(toImage(sample), "png", png);
        byte[] j = jpeg.toByteArray();
        Files.write(new File(dir, "empty.jpg").toPath(), new byte[0]);
        Files.writeString(new File(dir, "readme.jpg").toPath(), "Not an image: a text file in a class folder.\n");
        Files.write(new File(dir, "renamed.JPEG").toPath(), png.toByteArray()); // as ImageNet's n02105855_2933.JPEG
        Files.write(new File(dir, "cmyk.jpg").toPath(), cmykJpeg(sample));
        Files.write(new File(dir, "huge.png").toPath(), hugePngHeader());
        Files.write(new File(dir, "truncated.jpg").toPath(), Arrays.copyOf(j, j.length / 2));
        byte[] corrupt = new byte[j.length];
        System.arraycopy(j, 0, corrupt, 0, 2); // SOI
        for (int i = 2; i < corrupt.length - 2; i++) corrupt[i] = (byte) (i * 37);
        corrupt[corrupt.length - 2] = (byte) 0xFF; // EOI: complete outside, garbage inside
        corrupt[corrupt.length - 1] = (byte) 0xD9;
        Files.write(new File(dir, "corrupt.jpg").toPath(), corrupt);
    }

    /**
     * A grey image as a CMYK JPEG the way Adobe writes them: an APP14 "Adobe" segment (transform 0: the four
     * channels stored as they are) and inverted ink, so no cyan, magenta or yellow (255) and the grey levels in
     * the black channel (255 = no ink = white).
     */
    static byte[] cmykJpeg(ImageRecord grey) throws IOException {
        java.awt.image.WritableRaster cmyk = java.awt.image.Raster.createInterleavedRaster(
                java.awt.image.DataBuffer.TYPE_BYTE, grey.width(), grey.height(), 4, null);
        for (int y = 0; y < grey.height(); y++) {
            for (int x = 0; x < grey.width(); x++) {
                cmyk.setPixel(x, y, new int[]{255, 255, 255, grey.pixels()[y * grey.width() + x] & 0xff});
            }
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (var s = new javax.imageio.stream.MemoryCacheImageOutputStream(jpeg)) {
            writer.setOutput(s);
            writer.write(new javax.imageio.IIOImage(cmyk, null, null)); // a raster of four channels: no JFIF segment
        } finally {
            writer.dispose();
        }
        byte[] j = jpeg.toByteArray();
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(j, 0, 2); // SOI, then the Adobe segment
        out.write(adobe);
        out.write(j, 2, j.length - 2);
        return out.toByteArray();
    }

    /** A valid PNG whose header claims 100000 x 100000 grey pixels, with one tiny compressed row. */
    static byte[] hugePngHeader() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(100_000).putInt(100_000)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater d = new Deflater();
        d.setInput(new byte[16]);
        d.finish();
        byte[] buf = new byte[64];
        int n = d.deflate(buf);
        chunk(out, "IDAT", Arrays.copyOf(buf, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] body) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(body.length).array());
        out.write(t);
        out.write(body);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(body);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
