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

    /**
     * Inversion-symmetric about pixel (0, 0) (real Fourier coefficients), not mirror-symmetric (a mirror is a real
     * augmentation), and with the dielectric gathered at the centre more than at the corner (the origin a half-cell
     * translation moves).
     */
    @Test
    void randomCellsAreInversionSymmetricWithTheirDielectricAtTheCentre() {
        int n = RandomCells.SIDE, mirrorSymmetric = 0;
        double centre = 0, corner = 0;
        for (long i = 0; i < 200; i++) {
            double[] e = RandomCells.cell(11, i).eps();
            boolean mirror = true;
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    assertEquals(e[y * n + x], e[((n - y) % n) * n + (n - x) % n], 0, "inversion");
                    mirror &= e[y * n + x] == e[y * n + (n - x) % n];
                }
            }
            if (mirror) mirrorSymmetric++;
            centre += e[(n / 2) * n + n / 2] > 1 ? 1 : 0;
            corner += e[0] > 1 ? 1 : 0;
        }
        assertTrue(mirrorSymmetric < 10, mirrorSymmetric + " of 200 cells are mirror-symmetric");
        assertTrue(centre > 0.75 * 200 && centre - corner > 0.25 * 200, "dielectric at the centre in " + centre + ", at the corner in "
                + corner + " of 200 cells");
    }
}
