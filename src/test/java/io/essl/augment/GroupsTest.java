package io.essl.augment;

import io.essl.config.ConfigError;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.data.ImageRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Every group of model.group against its definition: exact pixels, labels, closure, view-3 conflicts, config errors. */
class GroupsTest {
    /** A 1 x 4 x 4 image with pixel (y, x) = (4y + x) / 16, so every pixel names its position. */
    static FloatImage grid() {
        float[] d = new float[16];
        for (int i = 0; i < 16; i++) d[i] = i / 16f;
        return new FloatImage(1, 4, 4, d);
    }

    static float[] pixels(int... positions) {
        float[] d = new float[positions.length];
        for (int i = 0; i < d.length; i++) d[i] = positions[i] / 16f;
        return d;
    }

    static EsslConfig.Model model(String... sets) {
        return ConfigLoader.load(null, List.of(sets)).model();
    }

    static TransformationGroup group(String name) {
        return Groups.of(model("model.group=" + name), 42);
    }

    @Test
    void flipsAndHalfShiftsMoveEachPixelWhereTheDefinitionSays() {
        // hflip: out[y][x] = in[y][3 - x]
        assertArrayEquals(pixels(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12), group("hflip").apply(1, grid()).data());
        // vflip: out[y][x] = in[3 - y][x]
        assertArrayEquals(pixels(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3), group("vflip").apply(1, grid()).data());
        TransformationGroup t = group("translate-half");
        // element 1: (h/2, 0), out[y][x] = in[(y - 2) mod 4][x]: rows 2, 3, 0, 1
        assertArrayEquals(pixels(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7), t.apply(1, grid()).data());
        // element 2: (0, w/2), columns 2, 3, 0, 1
        assertArrayEquals(pixels(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13), t.apply(2, grid()).data());
        // element 3: both
        assertArrayEquals(pixels(10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5), t.apply(3, grid()).data());
        for (String g : Groups.names()) if (!g.equals(Groups.NONE) && !g.equals("grayscale")) {
            assertArrayEquals(grid().data(), group(g).apply(0, grid()).data(), g + ": element 0 is the identity");
        }
    }

    @Test
    void inversionAndGrayscaleFollowTheirFormulas() {
        FloatImage x = grid();
        float[] inv = group("invert").apply(1, x).data();
        for (int i = 0; i < 16; i++) assertEquals(1 - i / 16f, inv[i], 0);
        // two pixels, planes r = (0.2, 0.9), g = (0.5, 0.1), b = (1, 0)
        FloatImage c = new FloatImage(3, 1, 2, new float[]{0.2f, 0.9f, 0.5f, 0.1f, 1f, 0f});
        float[] g = new GrayscaleGroup().apply(1, c).data();
        float l0 = 0.299f * 0.2f + 0.587f * 0.5f + 0.114f * 1f, l1 = 0.299f * 0.9f + 0.587f * 0.1f + 0.114f * 0f;
        assertArrayEquals(new float[]{l0, l1, l0, l1, l0, l1}, g, 1e-7f);
    }

    @Test
    void jigsawPermutesTheFourTiles() {
        JigsawGroup j = (JigsawGroup) group("jigsaw");
        assertEquals(24, j.size());
        assertArrayEquals(new int[]{0, 1, 2, 3}, j.permutation(0));
        Set<String> distinct = new HashSet<>();
        for (int k = 0; k < 24; k++) distinct.add(java.util.Arrays.toString(j.permutation(k)));
        assertEquals(24, distinct.size());
        // the last permutation in lexicographic order, (3, 2, 1, 0): tile i of the output is tile 3 - i of the input
        assertArrayEquals(new int[]{3, 2, 1, 0}, j.permutation(23));
        // tiles of the 4x4 grid: TL {0,1,4,5}, TR {2,3,6,7}, BL {8,9,12,13}, BR {10,11,14,15}
        assertArrayEquals(pixels(10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5), j.apply(23, grid()).data());
        // (1, 0, 2, 3) is element 6: output TL = input TR, output TR = input TL
        assertArrayEquals(new int[]{1, 0, 2, 3}, j.permutation(6));
        assertArrayEquals(pixels(2, 3, 0, 1, 6, 7, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15), j.apply(6, grid()).data());
    }

    @Test
    void aJigsawSubsetIsTheIdentityAndDistinctPermutationsFixedByTheSeed() {
        EsslConfig.Model m = model("model.group=jigsaw", "model.group-size=5");
        JigsawGroup a = (JigsawGroup) Groups.of(m, 1), b = (JigsawGroup) Groups.of(m, 1), c = (JigsawGroup) Groups.of(m, 2);
        assertEquals(5, a.size());
        assertArrayEquals(new int[]{0, 1, 2, 3}, a.permutation(0));
        Set<String> pa = new HashSet<>(), pc = new HashSet<>();
        for (int k = 0; k < 5; k++) {
            pa.add(java.util.Arrays.toString(a.permutation(k)));
            pc.add(java.util.Arrays.toString(c.permutation(k)));
            assertArrayEquals(a.permutation(k), b.permutation(k), "same seed, same subset");
        }
        assertEquals(5, pa.size());
        assertNotEquals(pa, pc, "another seed draws another subset");
    }

    /** rot4, the flips, inversion and the half shifts are groups: any two elements compose to one of them. */
    @ParameterizedTest
    @ValueSource(strings = {"rot4", "hflip", "vflip", "invert", "translate-half"})
    void theGroupsAreClosedUnderComposition(String name) {
        TransformationGroup g = group(name);
        FloatImage x = new FloatImage(1, 6, 6, randomPixels(36, 5));
        for (int a = 0; a < g.size(); a++) {
            for (int b = 0; b < g.size(); b++) {
                float[] ab = g.apply(a, g.apply(b, x)).data();
                boolean found = false;
                // to float rounding: 1 - (1 - x) is x within an ulp
                for (int c = 0; c < g.size(); c++) found |= maxDiff(ab, g.apply(c, x).data()) < 1e-6;
                assertTrue(found, name + ": " + a + " after " + b + " is no element");
            }
            // and the elements are distinct transformations of a generic image
            for (int c = 0; c < a; c++) assertTrue(maxDiff(g.apply(a, x).data(), g.apply(c, x).data()) > 0.01);
        }
    }

    static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    static float[] randomPixels(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) r.nextDouble();
        return d;
    }

    /** An augmentation pipeline that always flips, grays and solarizes, on every view. */
    static EsslConfig.Augment always() {
        EsslConfig.Augment a = ViewsTest.AUG;
        return new EsslConfig.Augment(0, 0, "bilinear", new double[]{1.0, 1.0}, new double[]{1, 1}, 1.0,
                new double[]{0, 0, 0, 0}, 0, 1.0, a.blurSigma(), a.blurKernelFraction(), new double[]{0, 0, 0},
                new double[]{1, 1, 1}, 0.0, new double[]{1.0, 1.0}, java.util.List.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hflip", "invert", "grayscale"})
    void view3GoesWithoutTheAugmentationsItsGroupsLabelWouldNotSurvive(String name) {
        TransformationGroup g = group(name);
        // a 3-channel image; crop scale 1 and ratio 1 keep the whole image, so views differ only by the pipeline
        byte[] px = new byte[3 * 8 * 8];
        new java.util.Random(3).nextBytes(px);
        ImageRecord r = new ImageRecord(7, 0, 3, 8, 8, px);
        ViewFactory withGroup = new ViewFactory(1, 8, 8, always(), new double[]{0.5, 0.5, 0.5}, new double[]{0.25, 0.25, 0.25}, g);
        ViewFactory without = new ViewFactory(1, 8, 8, always(), new double[]{0.5, 0.5, 0.5}, new double[]{0.25, 0.25, 0.25}, null);
        FloatImage whole = FloatImage.of(r);
        FloatImage expected = whole;
        // what every augmentation this pipeline always applies does, minus the group's conflict (threshold 0 inverts all)
        if (!name.equals("hflip")) expected = Flip.horizontal(expected);
        if (!name.equals("grayscale")) expected = Grayscale.apply(expected);
        if (!name.equals("invert")) expected = Solarize.apply(expected, 0.0);
        assertArrayEquals(expected.data(), withGroup.view(r, 0, ViewFactory.VIEW3).data(), 1e-6f, name);
        assertFalse(java.util.Arrays.equals(withGroup.view(r, 0, ViewFactory.VIEW3).data(),
                without.view(r, 0, ViewFactory.VIEW3).data()), "without a group view 3 has all three");
        assertArrayEquals(without.view(r, 0, ViewFactory.VIEW1).data(), withGroup.view(r, 0, ViewFactory.VIEW1).data(),
                "views 1 and 2 keep every augmentation");
        assertTrue(withGroup.view3Pipeline().contains("(off for " + name + ")"), withGroup.view3Pipeline());
        // the cell symmetries (augment.symmetries, empty here) are not in the pipeline, nor in its log line
        long shown = g.conflicts().stream().filter(a -> a != TransformationGroup.Augmentation.DIHEDRAL
                && a != TransformationGroup.Augmentation.TRANSLATE_HALF).count();
        assertEquals(shown, withGroup.view3Pipeline().split("off for").length - 1);
    }

    @Test
    void groupSamplesShowEachImageInKDistinctElementsLabelledByRow() {
        TransformationGroup g = group("jigsaw");
        ViewFactory v = new ViewFactory(3, 12, 6, ViewsTest.AUG, new double[]{0.5}, new double[]{0.25}, g, 3);
        List<ImageRecord> imgs = new ArrayList<>();
        for (int i = 0; i < 40; i++) imgs.add(ViewsTest.image(i, 12));
        MultiDataSet b = new BatchBuilder(v, true).build(imgs, 1);
        assertArrayEquals(new long[]{3L * 40, 1, 6, 6}, b.getFeatures(1).shape());
        INDArray labels = b.getLabels(1);
        assertArrayEquals(new long[]{3L * 40, 24}, labels.shape());
        int[] counts = new int[24];
        for (int i = 0; i < 40; i++) {
            int[] shown = v.groupElements(i, 1);
            assertEquals(3, new HashSet<>(List.of(shown[0], shown[1], shown[2])).size(), "distinct elements");
            assertArrayEquals(shown, v.groupElements(i, 1), "fixed by (seed, epoch, image)");
            for (int e = 0; e < 3; e++) {
                assertEquals(1.0, labels.getDouble(3L * i + e, shown[e]), "row label = the element shown");
                counts[shown[e]]++;
                // the row is view 3 under that element
                FloatImage v3 = v.view(imgs.get(i), 1, ViewFactory.VIEW3);
                float[] want = g.apply(shown[e], v3).data(), got = b.getFeatures(1)
                        .get(org.nd4j.linalg.indexing.NDArrayIndex.point(3L * i + e)).dup().data().asFloat();
                float[] norm = new float[want.length];
                for (int p = 0; p < want.length; p++) norm[p] = (want[p] - 0.5f) / 0.25f;
                assertArrayEquals(norm, got, 1e-6f);
            }
        }
        assertTrue(java.util.Arrays.stream(counts).filter(c -> c > 0).count() >= 20, "draws spread over the elements");
        assertFalse(java.util.Arrays.equals(v.groupElements(0, 1), v.groupElements(0, 2))
                && java.util.Arrays.equals(v.groupElements(1, 1), v.groupElements(1, 2)), "a new draw per epoch");
    }

    @Test
    void badGroupSettingsAreConfigErrorsNamingTheKey() {
        assertThrows(ConfigError.class, () -> model("model.group=rotate"), "unknown name");
        assertTrue(assertThrows(ConfigError.class, () -> Groups.of(model("model.group=none"), 1)).getMessage()
                .contains("essl.model.group"), "none with lambda > 0");
        assertNull(Groups.of(model("model.group=none", "model.lambda=0"), 1));
        assertTrue(assertThrows(ConfigError.class, () -> Groups.of(model("model.group=hflip", "model.group-size=3"), 1))
                .getMessage().contains("essl.model.group-size"));
        assertTrue(assertThrows(ConfigError.class, () -> Groups.of(model("model.group=jigsaw", "model.group-size=25"), 1))
                .getMessage().contains("essl.model.group-size"));
        assertTrue(assertThrows(ConfigError.class, () -> Groups.of(model("model.group=rot4", "model.group-samples=5"), 1))
                .getMessage().contains("essl.model.group-samples"));
        assertThrows(ConfigError.class, () -> new GrayscaleGroup().checkView3(1, 14), "grayscale of gray images");
        assertThrows(ConfigError.class, () -> group("jigsaw").checkView3(1, 7), "odd jigsaw side");
        assertThrows(ConfigError.class, () -> group("translate-half").checkView3(1, 7), "odd half shift");
        group("translate-half").checkView3(1, 14);
    }

    @Test
    void theConfigAcceptsExactlyTheRegisteredNames() {
        for (String g : Groups.names()) assertEquals(g, model("model.group=" + g, "model.lambda=0").group());
        assertEquals(List.of("rot4", "hflip", "vflip", "invert", "grayscale", "jigsaw", "translate-half", "none"), Groups.names());
    }
}
