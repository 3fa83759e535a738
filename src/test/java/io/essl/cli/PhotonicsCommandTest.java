package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/essl photonics gap: its last line is JSON with the TM gap, the plane waves and the k-points used. */
class PhotonicsCommandTest {
    @Test
    void theGapCommandPrintsTheTmGapAsJson() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("photonics", "gap", "--rods-eps", "8.9", "--radius", "0.2", "--cutoff", "5", "--k-steps", "4");
        } finally {
            System.setOut(stdout);
        }
        assertEquals(Main.OK, code);
        String last = out.toString(StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElseThrow();
        JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(last);
        JsonNode gap = json.get("tm_gap_1_2");
        assertTrue(gap.isArray() && gap.size() == 2 && gap.get(0).isNumber() && gap.get(1).isNumber(), last);
        assertEquals(0.323, gap.get(0).asDouble(), 0.004);
        assertEquals(0.443, gap.get(1).asDouble(), 0.004);
        assertEquals(81, json.get("plane_waves").asInt(), "|G| <= 5: the integer points of a disc of radius 5");
        assertEquals(13, json.get("k_points").asInt(), "3 segments x 4 steps + the end");
        assertEquals(Main.BAD_INPUT, Main.run("photonics", "gap", "--radius", "0.7"));
    }

    /** generate --labels in Spark local mode: one Parquet row per cell, its eps map and DOS as the solver gives them. */
    @Test
    void generateWritesCellsAndTheirDosAsParquet(@org.junit.jupiter.api.io.TempDir java.io.File tmp) throws Exception {
        String out = new java.io.File(tmp, "cells").getPath();
        java.io.File report = new java.io.File(tmp, "gen.json");
        List<String> args = List.of("photonics", "generate", "--cells", "6", "--first", "10", "--labels", "--output", out,
                "--cutoff", "3", "--k-grid", "4", "--sigma", "0.05", "--report", report.getPath(),
                "--set", "spark.master=\"local[2]\"", "--set", "seed=5");
        assertEquals(Main.OK, Main.run(args.toArray(String[]::new)));
        assertEquals(Main.OK, Main.run(args.toArray(String[]::new)), "a rerun replaces the output");
        JsonNode r = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report);
        assertEquals(6, r.get("cells").asInt());
        assertTrue(r.get("cells_per_s_per_core").isNumber() && r.get("cells_per_s_per_core").asDouble() > 0);
        try (var spark = org.apache.spark.sql.SparkSession.builder().master("local[1]").appName("read").getOrCreate()) {
            var rows = spark.read().parquet(out).orderBy("id").collectAsList();
            assertEquals(6, rows.size());
            var row = rows.get(2);
            assertEquals(12L, row.getLong(0));
            double[] eps = io.essl.photonics.RandomCells.cell(5, 12).eps();
            List<Float> stored = row.getList(1);
            assertEquals(1024, stored.size());
            for (int i = 0; i < eps.length; i++) assertEquals((float) eps[i], stored.get(i));
            double[] dos = io.essl.photonics.DensityOfStates.of(io.essl.photonics.RandomCells.cell(5, 12), 3, 4, 0.05);
            List<Float> storedDos = row.getList(2), target = row.getList(3);
            assertEquals(io.essl.photonics.DensityOfStates.POINTS, storedDos.size());
            for (int p = 0; p < dos.length; p += 37) {
                assertEquals((float) dos[p], storedDos.get(p));
                assertEquals((float) (dos[p] - 2 * Math.PI * io.essl.photonics.DensityOfStates.frequency(p)), target.get(p), 1e-5);
            }
        }
    }
}
