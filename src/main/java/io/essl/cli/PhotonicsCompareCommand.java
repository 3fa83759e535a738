package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.config.ConfigError;
import io.essl.report.Charts;
import io.essl.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code essl photonics compare}: the paper's photonics comparison over seeds, from the reports of
 * {@code photonics finetune} (one per seed): the fractional L1 error per arm and labelled-cell count as mean and
 * standard deviation over the reports, a Markdown table on stdout and a PNG of the error against N.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Mean and spread over seeds of photonics finetune reports: a table and a PNG of the error against N.")
public class PhotonicsCompareCommand implements Callable<Integer> {
    @Option(names = "--reports", required = true, split = ",", paramLabel = "JSON", description = "photonics finetune reports, one per seed.")
    List<File> reports;

    @Option(names = "--output", required = true, paramLabel = "PNG", description = "The chart.")
    File output;

    @Override
    public Integer call() throws Exception {
        Map<String, Map<Integer, List<Double>>> errors = new LinkedHashMap<>();
        TreeSet<Integer> ns = new TreeSet<>();
        for (File f : reports) {
            if (!f.isFile()) throw new ConfigError("report not found: " + f);
            JsonNode byArm = new ObjectMapper().readTree(f).get("fractional_l1");
            if (byArm == null || !byArm.isObject()) throw new ConfigError(f + " is not a photonics finetune report (no fractional_l1)");
            byArm.fields().forEachRemaining(arm -> arm.getValue().fields().forEachRemaining(n -> {
                int cells = Integer.parseInt(n.getKey());
                ns.add(cells);
                errors.computeIfAbsent(arm.getKey(), k -> new LinkedHashMap<>()).computeIfAbsent(cells, k -> new ArrayList<>())
                        .add(n.getValue().doubleValue());
            }));
        }
        StringBuilder table = new StringBuilder("| arm |");
        for (int n : ns) table.append(" N = ").append(n).append(" |");
        table.append("\n|---|").append("---|".repeat(ns.size())).append('\n');
        Map<String, double[][]> curves = new LinkedHashMap<>();
        Map<String, Object> json = new LinkedHashMap<>();
        errors.forEach((arm, byN) -> {
            table.append("| ").append(arm).append(" |");
            double[][] xy = new double[2][byN.size()];
            Map<String, List<Double>> summary = new LinkedHashMap<>();
            int i = 0;
            for (int n : ns) {
                List<Double> v = byN.get(n);
                if (v == null) {
                    table.append(" - |");
                    continue;
                }
                double mean = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
                double sd = Math.sqrt(v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / Math.max(1, v.size() - 1));
                table.append(String.format(" %.4f ± %.4f |", mean, sd));
                summary.put(String.valueOf(n), List.of(mean, sd));
                xy[0][i] = n;
                xy[1][i++] = mean;
            }
            table.append('\n');
            curves.put(arm, xy);
            json.put(arm, summary);
        });
        Charts.lines("Fractional L1 error of the DOS on held-out cells (mean of " + reports.size() + " seeds)",
                "labelled cells N", "fractional L1 error", curves, output);
        System.out.print(table);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("fractional_l1_mean_std", json);
        line.put("seeds", reports.size());
        line.put("png", output.getPath());
        System.out.println(Report.line(line));
        return Main.OK;
    }
}
