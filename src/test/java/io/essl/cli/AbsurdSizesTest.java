package io.essl.cli;

import io.essl.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Sizes that cannot work: one readable line naming the key, exit 2. */
class AbsurdSizesTest {
    private static String refused(File tmp, String... extra) {
        List<String> sets = new java.util.ArrayList<>(TestData.smallRun(tmp));
        sets.addAll(List.of(extra));
        StringWriter err = new StringWriter();
        assertEquals(Main.BAD_INPUT, Main.run(new PrintWriter(err, true), TestData.args("pretrain", sets)), err.toString());
        List<String> lines = err.toString().lines().toList();
        assertEquals(1, lines.size(), err.toString());
        return lines.get(0);
    }

    @Test
    void aBatchLargerThanTheDataSet(@TempDir File tmp) {
        String line = refused(tmp, "train.batch-size=1024");
        assertTrue(line.contains("essl.train.batch-size") && line.contains("512 images"), line);
    }

    @Test
    void aGroupViewLargerThanTheViewsBeforeSparkStarts(@TempDir File tmp) {
        long start = System.nanoTime();
        String line = refused(tmp, "augment.view-size=16", "augment.view3-size=24");
        assertTrue((System.nanoTime() - start) / 1e9 < 5, "refused by the configuration check");
        assertTrue(line.contains("essl.augment.view3-size") && line.contains("24"), line);
    }

    @Test
    void aGroupViewLargerThanTheImagesWhenViewsTakeTheImageSize(@TempDir File tmp) {
        String line = refused(tmp, "augment.view3-size=40"); // the views are the images' 28 px
        assertTrue(line.contains("essl.augment.view3-size") && line.contains("(28)"), line);
    }
}
