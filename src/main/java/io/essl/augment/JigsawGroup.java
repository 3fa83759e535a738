package io.essl.augment;

import io.essl.config.ConfigError;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * 2x2 jigsaw: view 3 cut into its four tiles (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right) and put back
 * in a permuted order, tile i of the output being tile perm[i] of the input. All 24 permutations (lexicographic,
 * the identity first), or a fixed subset of K: the identity and K - 1 of the others drawn with the run's seed.
 * Not a group under composition for K < 24 (a set of labelled transformations, which is all the head needs).
 */
public final class JigsawGroup implements TransformationGroup {
    public static final int ALL = 24;
    private final int[][] perms;

    public JigsawGroup(int k, long seed) {
        if (k < 2 || k > ALL) throw new ConfigError("bad value for key essl.model.group-size: jigsaw takes 2-24 permutations, got " + k);
        List<int[]> all = permutations();
        List<int[]> others = new ArrayList<>(all.subList(1, ALL));
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = others.size() - 1; i > 0; i--) java.util.Collections.swap(others, i, rnd.nextInt(i + 1));
        List<int[]> chosen = new ArrayList<>(List.of(all.get(0)));
        // k = 24 keeps the lexicographic order; a subset keeps the drawn ones in lexicographic order too
        List<int[]> drawn = k == ALL ? all.subList(1, ALL) : others.subList(0, k - 1);
        all.stream().filter(drawn::contains).forEach(chosen::add);
        perms = chosen.toArray(int[][]::new);
    }

    /** The 24 permutations of {0, 1, 2, 3} in lexicographic order. */
    static List<int[]> permutations() {
        List<int[]> out = new ArrayList<>();
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                for (int c = 0; c < 4; c++)
                    for (int d = 0; d < 4; d++)
                        if (a != b && a != c && a != d && b != c && b != d && c != d) out.add(new int[]{a, b, c, d});
        return out;
    }

    /** Element k's permutation (a copy). */
    public int[] permutation(int k) {
        return perms[k].clone();
    }

    @Override
    public String name() {
        return "jigsaw";
    }

    @Override
    public int size() {
        return perms.length;
    }

    @Override
    public FloatImage apply(int element, FloatImage img) {
        if (element == 0) return img;
        int[] p = perms[element];
        int c = img.channels(), h = img.height(), w = img.width(), th = h / 2, tw = w / 2;
        float[] src = img.data(), out = new float[src.length];
        for (int tile = 0; tile < 4; tile++) {
            int oy = (tile / 2) * th, ox = (tile % 2) * tw, sy = (p[tile] / 2) * th, sx = (p[tile] % 2) * tw;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < th; y++) {
                    System.arraycopy(src, (ch * h + sy + y) * w + sx, out, (ch * h + oy + y) * w + ox, tw);
                }
            }
        }
        return new FloatImage(c, h, w, out);
    }

    @Override
    public void checkView3(int channels, int size) {
        if (size % 2 != 0) {
            throw new ConfigError("bad value for key essl.model.group: jigsaw needs an even view-3 side (four equal tiles), got "
                    + size + " (set augment.view3-size)");
        }
    }

    /** A half-cell shift of view 3 swaps its 2 x 2 tiles (0 with 3, 1 with 2): a permutation and its swap would look alike. */
    @Override
    public java.util.Set<Augmentation> conflicts() {
        return java.util.Set.of(Augmentation.TRANSLATE_HALF);
    }
}
