package io.essl.photonics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DOS labels against physics: the empty lattice's 2 pi f, the rods' gap; the random cells' definition. */
class DensityOfStatesTest {
    @Test
    void aHomogeneousCellHasTheEmptyLatticeDos() {
        // scaled by sqrt(eps), any homogeneous cell is the empty lattice: DOS 2 pi f, target 0 (up to the k-grid)
        double[] dos = DensityOfStates.of(UnitCell.uniform(32, 3), 4, 16, 0.02);
        double err = 0;
        int n = 0;
        for (int p = 0; p < DensityOfStates.POINTS; p++) {
            double f = DensityOfStates.frequency(p);
            if (f > 0.2 && f < 0.9) {
                err += Math.abs(dos[p] - 2 * Math.PI * f) / (2 * Math.PI * f);
                n++;
            }
        }
        assertTrue(err / n < 0.06, "mean relative deviation from 2 pi f: " + err / n);
        double[] target = DensityOfStates.target(dos);
        assertEquals(dos[200] - 2 * Math.PI * DensityOfStates.frequency(200), target[200], 1e-12);
    }

    @Test
    void theRodsHaveNoStatesInsideTheirGap() {
        // eps 8.9 rods, r = 0.2 a: gap 0.3228 - 0.4426 x sqrt(mean eps 1.993) = 0.456 - 0.625 on the scaled axis
        double[] dos = DensityOfStates.of(UnitCell.rods(32, 8.9, 0.2, 8), 4, 12, 0.01);
        double inside = 0, below = 0;
        int ni = 0, nb = 0;
        for (int p = 0; p < DensityOfStates.POINTS; p++) {
            double f = DensityOfStates.frequency(p);
            if (f > 0.49 && f < 0.59) { inside += dos[p]; ni++; }
            if (f > 0.25 && f < 0.42) { below += dos[p]; nb++; }
        }
        assertTrue(inside / ni < 0.02, "inside the gap: " + inside / ni);
        assertTrue(below / nb > 2, "below it: " + below / nb);
    }

    @Test
    void randomCellsAreTwoTonePureFunctionsOfSeedAndIndex() {
        UnitCell a = RandomCells.cell(7, 3);
        assertArrayEquals(a.eps(), RandomCells.cell(7, 3).eps(), 0);
        assertNotEquals(java.util.Arrays.toString(a.eps()), java.util.Arrays.toString(RandomCells.cell(7, 4).eps()));
        for (long i = 0; i < 20; i++) {
            double[] e = RandomCells.cell(7, i).eps();
            double high = java.util.Arrays.stream(e).max().orElseThrow();
            long filled = java.util.Arrays.stream(e).filter(v -> v == high).count();
            assertTrue(java.util.Arrays.stream(e).allMatch(v -> v == 1 || v == high), "two tones");
            assertTrue(high >= 2 && high <= RandomCells.EPS_MAX, "eps " + high);
            assertTrue(filled >= 0.19 * e.length && filled <= 0.81 * e.length, "fill " + filled / (double) e.length);
        }
    }
}
