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
@Command(name = "photonics", mixinStandardHelpOptions = true, subcommands = {PhotonicsCommand.Gap.class, PhotonicsCommand.Generate.class,
        PhotonicsFinetuneCommand.class, PhotonicsCompareCommand.class},
        description = "Photonic crystals: the plane-wave TM solver, the data generator and the DOS regression (docs/photonics.md).")
public class PhotonicsCommand {

    /** {@code essl photonics generate}: random unit cells, with their DOS when --labels, as Parquet (Spark tasks). */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Random two-tone unit cells (32 x 32 eps maps), with their TM DOS and target with --labels, as Parquet.")
    static class Generate implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        CommonOptions common;

        @Option(names = "--cells", required = true, description = "How many cells.")
        int cells;

        @Option(names = "--first", defaultValue = "0", description = "Index of the first cell (default: ${DEFAULT-VALUE}).")
        long first;

        @Option(names = "--labels", description = "Also compute each cell's DOS and target (the solver in the tasks).")
        boolean labels;

        @Option(names = "--output", required = true, description = "Parquet output (local, hdfs://, s3a://); replaced.")
        String output;

        @Option(names = "--cutoff", defaultValue = "4", description = "Plane waves |G| <= cutoff x 2 pi / a (default: ${DEFAULT-VALUE}).")
        int cutoff;

        @Option(names = "--k-grid", defaultValue = "16", description = "k x k Monkhorst-Pack grid (default: ${DEFAULT-VALUE}).")
        int kGrid;

        @Option(names = "--sigma", defaultValue = "0.02", description = "Gaussian broadening of the DOS (default: ${DEFAULT-VALUE}).")
        double sigma;

        @Option(names = "--partitions", defaultValue = "0", description = "Spark partitions (0: the default parallelism x 4).")
        int partitions;

        @Override
        public Integer call() throws Exception {
            if (cells < 1 || first < 0 || cutoff < 1 || kGrid < 1 || sigma <= 0 || partitions < 0) {
                throw new ConfigError("photonics generate: needs --cells >= 1, --first >= 0, --cutoff >= 1, --k-grid >= 1, "
                        + "--sigma > 0, --partitions >= 0");
            }
            io.essl.config.EsslConfig conf = io.essl.config.ConfigLoader.load(common.config, common.overrides);
            try (org.apache.spark.sql.SparkSession spark = io.essl.spark.SparkContexts.start(conf.spark())) {
                int cores = spark.sparkContext().defaultParallelism();
                int parts = partitions > 0 ? partitions : Math.min(cells, 4 * cores);
                var result = io.essl.photonics.Generator.write(spark, conf.seed(), first, cells,
                        labels ? new io.essl.photonics.Generator.Labels(cutoff, kGrid, sigma) : null, parts, output);
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("cells", result.cells());
                json.put("labelled", labels);
                json.put("seed", conf.seed());
                json.put("output", output);
                json.put("seconds", result.seconds());
                json.put("cells_per_s", result.cells() / result.seconds());
                json.put("cores", cores);
                json.put("cells_per_s_per_core", result.cells() / result.seconds() / cores);
                if (labels) json.put("solver", Map.of("cutoff", cutoff, "k_grid", kGrid, "sigma", sigma, "dos_points",
                        io.essl.photonics.DensityOfStates.POINTS, "f_max", io.essl.photonics.DensityOfStates.F_MAX));
                if (common.report != null) Report.write(json, conf, common.report);
                System.out.println(Report.line(json));
            }
            return Main.OK;
        }
    }

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
