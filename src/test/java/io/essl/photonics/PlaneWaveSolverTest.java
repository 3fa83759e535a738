package io.essl.photonics;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TM plane-wave solver against physics: the empty lattice exactly, the rods' known gap, convergence. */
class PlaneWaveSolverTest {
    @Test
    void aHomogeneousCellGivesTheFoldedLightLines() {
        double eps = 4, kx = 0.3 * Math.PI, ky = 0.7 * Math.PI;
        double[] f = PlaneWaveSolver.of(UnitCell.uniform(16, eps), 5).frequencies(kx, ky, 8);
        List<Double> light = new ArrayList<>(); // omega a / 2 pi c = |k + G| / (2 pi sqrt(eps))
        for (int p = -3; p <= 3; p++) {
            for (int q = -3; q <= 3; q++) light.add(Math.hypot(kx + 2 * Math.PI * p, ky + 2 * Math.PI * q) / (2 * Math.PI * Math.sqrt(eps)));
        }
        light.sort(null);
        for (int i = 0; i < 8; i++) assertEquals(light.get(i), f[i], 1e-9, "band " + (i + 1));
        // at X the two lowest bands meet at 0.5 / sqrt(eps)
        double[] x = PlaneWaveSolver.of(UnitCell.uniform(16, eps), 5).frequencies(Math.PI, 0, 2);
        assertArrayEquals(new double[]{0.25, 0.25}, x, 1e-9);
    }

    /**
     * MPB's tutorial crystal (square lattice of eps 12 rods, r = 0.2 a, TM, resolution 32) prints the gap 0.2826 -
     * 0.4193 (38.95 %); Joannopoulos et al. (Photonic Crystals, ch. 5) give the eps 8.9 rods of r = 0.2 a a TM gap of
     * 31.4 % between bands 1 and 2, its upper edge at 0.443. Our edges are within the 32 x 32 pixel map's
     * resolution of both (about 0.5 %: MPB smooths the interface, we sample it).
     */
    @Test
    void rodLatticesOpenTheirPublishedTmGaps() {
        double[] mpb = PlaneWaveSolver.of(UnitCell.rods(32, 12, 0.2, 8), 7).gap(1, 8);
        assertEquals(0.2826, mpb[0], 0.003, "eps 12: top of band 1 (at M)");
        assertEquals(0.4193, mpb[1], 0.003, "eps 12: bottom of band 2 (at X)");
        assertEquals(0.3895, ratio(mpb), 0.003, "eps 12: gap / midgap");
        double[] alumina = PlaneWaveSolver.of(UnitCell.rods(32, 8.9, 0.2, 8), 7).gap(1, 8);
        assertEquals(0.443, alumina[1], 0.003, "eps 8.9: bottom of band 2");
        assertEquals(0.314, ratio(alumina), 0.003, "eps 8.9: gap / midgap");
    }

    private static double ratio(double[] gap) {
        return 2 * (gap[1] - gap[0]) / (gap[1] + gap[0]);
    }

    @Test
    void theGapEdgesConvergeAsTheBasisGrows() {
        UnitCell rods = UnitCell.rods(32, 8.9, 0.2, 8);
        double[] g4 = PlaneWaveSolver.of(rods, 4).gap(1, 4), g6 = PlaneWaveSolver.of(rods, 6).gap(1, 4),
                g8 = PlaneWaveSolver.of(rods, 8).gap(1, 4);
        for (int e = 0; e < 2; e++) {
            assertTrue(Math.abs(g8[e] - g6[e]) < Math.abs(g6[e] - g4[e]) + 1e-9, "edge " + e + ": " + g4[e] + ", " + g6[e] + ", " + g8[e]);
        }
    }

    @Test
    void bandsDoNotDependOnWhereTheCellStarts() {
        // shifting the rods off-centre breaks the pixel grid's inversion symmetry: complex eps(G), the 2n x 2n path
        UnitCell centred = UnitCell.rods(32, 8.9, 0.2, 4);
        double[] shifted = new double[32 * 32];
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) shifted[y * 32 + x] = centred.at((y + 5) % 32, (x + 3) % 32);
        PlaneWaveSolver real = PlaneWaveSolver.of(centred, 5), complex = PlaneWaveSolver.of(new UnitCell(32, shifted), 5);
        assertTrue(real.real(), "rods centred on a pixel corner: real eps(G) about the corner");
        assertFalse(complex.real(), "shifted by (5, 3) pixels they have no inversion centre on the grid's points");
        assertArrayEquals(real.frequencies(0.4, 1.1, 5), complex.frequencies(0.4, 1.1, 5), 1e-8);
        // the generator's cells are symmetric about pixel (0, 0): real about it; moved by a pixel, complex, same bands
        UnitCell cell = RandomCells.cell(3, 1);
        double[] moved = new double[32 * 32];
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) moved[y * 32 + x] = cell.at((y + 1) % 32, (x + 1) % 32);
        assertTrue(PlaneWaveSolver.of(cell, 4).real(), "a generated cell stays on the n x n path");
        assertArrayEquals(PlaneWaveSolver.of(cell, 4).frequencies(0.9, 0.2, 6),
                PlaneWaveSolver.of(new UnitCell(32, moved), 4).frequencies(0.9, 0.2, 6), 1e-8);
    }
}
