package io.essl.data;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A synthetic ImageFolder tree of small JPEGs, for measuring the data path at sizes the disk holds (docs/scaling.md):
 * {@code <out>/train/<class>/<id>.jpg} and a validation split of 1 % in {@code <out>/val}, each image a class
 * colour with a few random rectangles and noise (seeded by the image's number). A file {@code _COMPLETE} names
 * what was written, so a tree already there is reused and an interrupted one is written again.
 */
public final class SyntheticTree {
    /** What {@code bench tree} writes by default and {@code bench spark --setup-sizes} asks for, so it reuses it. */
    public static final int CLASSES = 10, SIZE = 32;
    public static final long SEED = 42;

    private SyntheticTree() {
    }

    /** Writes the tree unless a complete one of the same description is there; returns {@code out}. */
    public static File ensure(File out, int images, int classes, int size, long seed) throws IOException {
        String what = "images=" + images + " classes=" + classes + " size=" + size + " seed=" + seed + "\n";
        File done = new File(out, "_COMPLETE");
        if (done.isFile() && Files.readString(done.toPath()).equals(what)) return out;
        Files.deleteIfExists(done.toPath());
        write(new File(out, "train"), 0, images, classes, size, seed);
        write(new File(out, "val"), images, Math.max(classes, images / 100), classes, size, seed);
        Files.writeString(done.toPath(), what);
        return out;
    }

    private static void write(File split, int first, int count, int classes, int size, long seed) throws IOException {
        for (int c = 0; c < classes; c++) Files.createDirectories(new File(split, className(c)).toPath());
        try {
            IntStream.range(first, first + count).parallel().forEach(i -> {
                int c = i % classes;
                File f = new File(new File(split, className(c)), String.format("%08d.jpg", i));
                try {
                    if (!ImageIO.write(image(i, c, classes, size, seed), "jpeg", f)) throw new IOException("no JPEG writer");
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + f + ": " + e.getMessage(), e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static String className(int c) {
        return String.format("c%03d", c);
    }

    private static BufferedImage image(int i, int c, int classes, int size, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + i);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.getHSBColor((float) c / classes, 0.6f, 0.8f));
        g.fillRect(0, 0, size, size);
        for (int k = 0; k < 3; k++) {
            g.setColor(new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)));
            g.fillRect(rnd.nextInt(size), rnd.nextInt(size), 1 + rnd.nextInt(size / 2), 1 + rnd.nextInt(size / 2));
        }
        g.dispose();
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int p = img.getRGB(x, y), d = rnd.nextInt(33) - 16;
                int r = clamp(((p >> 16) & 0xff) + d), gr = clamp(((p >> 8) & 0xff) + d), b = clamp((p & 0xff) + d);
                img.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return img;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
