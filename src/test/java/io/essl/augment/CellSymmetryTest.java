package io.essl.augment;

import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The unit cell's symmetries against their definitions, and how the views use them (augment.symmetries). */
class CellSymmetryTest {
    private static final int N = 8;

    private static FloatImage random(long seed) {
        return new FloatImage(1, N, N, GroupsTest.randomPixels(N * N, seed));
    }

    private static float at(FloatImage img, int y, int x) {
        return img.data()[Math.floorMod(y, N) * N + Math.floorMod(x, N)];
    }

    @Test
    void theDihedralElementsAreTheSquaresEightSymmetriesAboutPixelZero() {
        FloatImage img = random(1);
        FloatImage half = CellSymmetry.dihedral(2, img), mirror = CellSymmetry.dihedral(4, img), quarter = CellSymmetry.dihedral(1, img);
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                assertEquals(at(img, -y, -x), at(half, y, x), 0, "two quarter turns: out[y][x] = in[-y][-x]");
                assertEquals(at(img, y, -x), at(mirror, y, x), 0, "the mirror: out[y][x] = in[y][-x]");
                assertEquals(at(img, x, -y), at(quarter, y, x), 0, "a quarter turn: out[y][x] = in[x][-y]");
            }
        }
        FloatImage four = img;
        for (int k = 0; k < 4; k++) four = CellSymmetry.dihedral(1, four);
        assertArrayEquals(img.data(), four.data(), "four quarter turns are the identity");
        assertArrayEquals(img.data(), CellSymmetry.dihedral(4, mirror).data(), "a mirror twice is the identity");
        Set<String> distinct = new HashSet<>();
        for (int e = 0; e < 8; e++) distinct.add(java.util.Arrays.toString(CellSymmetry.dihedral(e, img).data()));
        assertEquals(8, distinct.size(), "eight different images of a random one");
        // a cell symmetric under the square's symmetries about pixel (0, 0) is left as it is by every element
        float[] sym = new float[N * N];
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                int ay = Math.min(y, N - y), ax = Math.min(x, N - x); // distances to pixel 0 on the periodic grid
                sym[y * N + x] = Math.min(ay, ax) + 10f * Math.max(ay, ax);
            }
        }
        FloatImage c4v = new FloatImage(1, N, N, sym);
        for (int e = 0; e < 8; e++) assertArrayEquals(sym, CellSymmetry.dihedral(e, c4v).data(), "element " + e);
    }

    @Test
    void translateHalfIsTheGroupsCyclicShift() {
        FloatImage img = random(2), shifted = CellSymmetry.translateHalf(3, img);
        for (int y = 0; y < N; y++) for (int x = 0; x < N; x++) assertEquals(at(img, y - N / 2, x - N / 2), at(shifted, y, x), 0);
    }

    /**
     * With augment.symmetries = [translate-half] and the translate-half group, views 1 and 2 are the cell under each
     * of the four shifts (over many ids) while view 3 is never shifted before the group shows it its element.
     */
    @Test
    void viewsTakeTheSymmetriesAndViewThreeLeavesOutItsGroups() {
        EsslConfig.Augment a = GroupsTest.always();
        EsslConfig.Augment sym = new EsslConfig.Augment(0, 0, "bilinear", new double[]{1, 1}, new double[]{1, 1}, 0,
                a.colorJitter(), 0, 0, a.blurSigma(), a.blurKernelFraction(), new double[]{0, 0, 0}, new double[]{0, 0, 0},
                a.solarizeThreshold(), new double[]{1, 1}, List.of(CellSymmetry.TRANSLATE_HALF));
        ViewFactory views = new ViewFactory(5, N, N, sym, new double[]{0}, new double[]{1}, new HalfTranslationGroup());
        Set<Integer> seen = new HashSet<>();
        for (long id = 0; id < 40; id++) {
            FloatImage src = random(100 + id);
            byte[] px = new byte[N * N];
            for (int i = 0; i < px.length; i++) px[i] = (byte) Math.round(src.data()[i] * 255);
            ImageRecord r = new ImageRecord(id, -1, 1, N, N, px);
            FloatImage plain = FloatImage.of(r);
            assertArrayEquals(plain.data(), views.view(r, 0, ViewFactory.VIEW3).data(), 1e-6f, "view 3 unshifted");
            FloatImage v1 = views.view(r, 0, ViewFactory.VIEW1);
            int which = -1;
            for (int e = 0; e < 4; e++) {
                if (java.util.Arrays.equals(CellSymmetry.translateHalf(e, plain).data(), v1.data())) which = e;
            }
            assertTrue(which >= 0, "view 1 of image " + id + " is one of the four shifts");
            seen.add(which);
        }
        assertEquals(4, seen.size(), "all four shifts drawn: " + seen);
        assertTrue(views.view3Pipeline().contains("translate-half off (off for translate-half)"), views.view3Pipeline());
    }
}
