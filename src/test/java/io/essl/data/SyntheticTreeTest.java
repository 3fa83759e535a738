package io.essl.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The synthetic tree: the images asked for, as decodable JPEGs of the size asked for, per class; reused when complete. */
class SyntheticTreeTest {
    @Test
    void writesTheTreeOnceAndReusesIt(@TempDir File dir) throws Exception {
        File tree = SyntheticTree.ensure(new File(dir, "t"), 30, 3, 24, 42);
        File[] classes = new File(tree, "train").listFiles();
        assertNotNull(classes);
        Arrays.sort(classes);
        assertEquals(3, classes.length);
        int total = 0;
        for (File c : classes) {
            File[] files = c.listFiles();
            assertEquals(10, files.length, c.getName());
            total += files.length;
            BufferedImage img = ImageIO.read(files[0]);
            assertEquals(24, img.getWidth());
            assertEquals(24, img.getHeight());
        }
        assertEquals(30, total);
        assertEquals(3, new File(tree, "val").listFiles().length);
        // classes differ in colour: the mean of a class-0 and a class-1 image's red channel are far apart
        assertNotEquals(meanRed(ImageIO.read(classes[0].listFiles()[0])), meanRed(ImageIO.read(classes[1].listFiles()[0])), 20);
        File one = classes[0].listFiles()[0];
        long written = Files.getLastModifiedTime(one.toPath()).toMillis();
        Files.setLastModifiedTime(one.toPath(), java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
        SyntheticTree.ensure(tree, 30, 3, 24, 42);
        assertEquals(written - 60_000, Files.getLastModifiedTime(one.toPath()).toMillis(), "a complete tree is reused");
        SyntheticTree.ensure(tree, 30, 3, 16, 42);
        assertEquals(16, ImageIO.read(one).getWidth(), "another description is written again");
    }

    private static double meanRed(BufferedImage img) {
        double s = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) s += (img.getRGB(x, y) >> 16) & 0xff;
        return s / (img.getWidth() * img.getHeight());
    }
}
