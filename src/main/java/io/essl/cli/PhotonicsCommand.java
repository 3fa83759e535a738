package io.essl.cli;

import io.essl.config.ConfigError;
import io.essl.photonics.PlaneWaveSolver;
import io.essl.photonics.UnitCell;
import io.essl.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code essl photonics}: the photonic-crystal side of the product (docs/photonics.md). */
@Command(name = "photonics", mixinStandardHelpOptions = true, subcommands = PhotonicsCommand.Gap.class,
        description = "Photonic crystals: the plane-wave TM solver (docs/photonics.md).")
public class PhotonicsCommand {

    /** {@code essl photonics gap}: the TM gap of a square lattice of dielectric rods in air. */
    @Command(name = "gap", mixinStandardHelpOptions = true,
            description = "TM band gap between bands 1 and 2 of a square lattice of dielectric rods in air (plane-wave expansion).")
    static class Gap implements Callable<Integer> {
        @Option(names = "--rods-eps", defaultValue = "8.9", description = "Permittivity of the rods (default: ${DEFAULT-VALUE}).")
        double eps;

        @Option(names = "--radius", defaultValue = "0.2", description = "Rod radius in units of the lattice constant (default: ${DEFAULT-VALUE}).")
        double radius;

        @Option(names = "--cutoff", defaultValue = "8", description = "Plane waves with |G| <= cutoff x 2 pi / a (default: ${DEFAULT-VALUE}).")
        int cutoff;

        @Option(names = "--k-steps", defaultValue = "8", description = "Wave vectors per segment of Gamma-X-M-Gamma (default: ${DEFAULT-VALUE}).")
        int kSteps;

        @Option(names = "--resolution", defaultValue = "32", description = "Pixels per lattice constant of the unit cell (default: ${DEFAULT-VALUE}).")
        int resolution;

        @Override
        public Integer call() {
            if (eps < 1 || radius <= 0 || radius >= 0.5 || cutoff < 1 || kSteps < 1 || resolution < 4) {
                throw new ConfigError("photonics gap: needs --rods-eps >= 1, 0 < --radius < 0.5, --cutoff >= 1, --k-steps >= 1, "
                        + "--resolution >= 4");
            }
            long start = System.nanoTime();
            PlaneWaveSolver solver = PlaneWaveSolver.of(UnitCell.rods(resolution, eps, radius, 8), cutoff);
            double[] gap = solver.gap(1, kSteps);
            boolean open = gap[1] > gap[0];
            System.out.printf("TM bands 1-2 of eps %.3g rods, r = %.3g a: %s %.4f - %.4f (omega a / 2 pi c)%s%n", eps, radius,
                    open ? "gap" : "no gap; band 1 top / band 2 bottom", gap[0], gap[1],
                    open ? String.format(", gap / midgap %.1f %%", 200 * (gap[1] - gap[0]) / (gap[1] + gap[0])) : "");
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("tm_gap_1_2", open ? List.of(gap[0], gap[1]) : List.of());
            json.put("band1_top", gap[0]);
            json.put("band2_bottom", gap[1]);
            json.put("plane_waves", solver.planeWaves());
            json.put("k_points", PlaneWaveSolver.path(kSteps).length);
            json.put("resolution", resolution);
            json.put("seconds", (System.nanoTime() - start) / 1e9);
            System.out.println(Report.line(json));
            return Main.OK;
        }
    }
}
