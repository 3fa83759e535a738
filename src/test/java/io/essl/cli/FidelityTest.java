package io.essl.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FidelityTest {

    @Test
    void meanAndSampleStandardDeviationPerMethod() {
        List<FidelityCommand.Run> runs = List.of(
                new FidelityCommand.Run("SimCLR", 1, 0.70, 0.60, 1, 1, Double.NaN, Double.NaN, Double.NaN),
                new FidelityCommand.Run("E-SimCLR", 1, 0.80, 0.70, 1, 1, Double.NaN, Double.NaN, Double.NaN),
                new FidelityCommand.Run("E-SimCLR", 2, 0.84, 0.74, 1, 1, Double.NaN, Double.NaN, Double.NaN),
                new FidelityCommand.Run("E-SimCLR", 3, 0.82, 0.72, 1, 1, Double.NaN, Double.NaN, Double.NaN));
        assertArrayEquals(new double[]{0.82, 0.02}, FidelityCommand.meanStd(runs, "E-SimCLR", true), 1e-12);
        assertArrayEquals(new double[]{0.72, 0.02}, FidelityCommand.meanStd(runs, "E-SimCLR", false), 1e-12);
        assertArrayEquals(new double[]{0.70, 0.0}, FidelityCommand.meanStd(runs, "SimCLR", true), 1e-12);
        org.junit.jupiter.api.Assertions.assertFalse(FidelityCommand.table(List.of("SimCLR", "E-SimCLR"), runs, java.util.Map.of(), 3,
                new File("f.png"), "r", "").contains("corrupted"), "no robustness columns without --robustness");
    }

    /** --robustness: the corrupted accuracy and mCE per arm, mean ± std over seeds, as two more columns. */
    @Test
    void robustRunsAddTheCorruptionColumns() {
        List<FidelityCommand.Run> runs = List.of(
                new FidelityCommand.Run("SimCLR", 1, 0.70, 0.60, 1, 1, Double.NaN, 0.50, 0.90),
                new FidelityCommand.Run("SimCLR", 2, 0.72, 0.60, 1, 1, Double.NaN, 0.54, 0.80),
                new FidelityCommand.Run("E-SimCLR", 1, 0.80, 0.70, 1, 1, 0.9, 0.60, 0.70),
                new FidelityCommand.Run("E-SimCLR", 2, 0.84, 0.74, 1, 1, 0.8, 0.64, 0.60));
        String table = FidelityCommand.table(List.of("SimCLR", "E-SimCLR"), runs, java.util.Map.of(), 2, new File("f.png"), "r", "");
        org.junit.jupiter.api.Assertions.assertTrue(table.contains("| corrupted top-1 (mean ± std) | mCE vs random encoder |"), table);
        org.junit.jupiter.api.Assertions.assertTrue(table.contains("| 0.5200 ± 0.0283 | 0.850 ± 0.071 |"), table);
        org.junit.jupiter.api.Assertions.assertTrue(table.contains("| 0.6200 ± 0.0283 | 0.650 ± 0.071 |"), table);
        // a group study (more than two arms) shows how well each head learnt its group; the baseline has none
        String groups = FidelityCommand.table(List.of("SimCLR", "E-SimCLR", "E-SimCLR hflip"), runs, java.util.Map.of(), 2,
                new File("f.png"), "r", "-groups");
        org.junit.jupiter.api.Assertions.assertTrue(groups.contains("| group head accuracy, last 10 % of steps |"), groups);
        org.junit.jupiter.api.Assertions.assertTrue(groups.contains("| (no head) |"), groups);
        org.junit.jupiter.api.Assertions.assertTrue(groups.contains("| 0.850 ± 0.071 |"), groups);
    }

    @Test
    void theResultsSectionIsReplacedNotAppendedOnARerun(@TempDir File tmp) throws Exception {
        File md = new File(tmp, "results.md");
        Files.writeString(md.toPath(), "# Results\n\ntext before\n");
        FidelityCommand.writeSection(md, FidelityCommand.BEGIN + "\nfirst\n" + FidelityCommand.END + "\n");
        Files.writeString(md.toPath(), Files.readString(md.toPath()) + "text after\n");
        FidelityCommand.writeSection(md, FidelityCommand.BEGIN + "\nsecond\n" + FidelityCommand.END + "\n");
        assertEquals("# Results\n\ntext before\n\n" + FidelityCommand.BEGIN + "\nsecond\n" + FidelityCommand.END
                + "\ntext after\n", Files.readString(md.toPath()));
    }

    @Test
    void anotherMethodsStudyHasItsOwnSectionBesideSimclrs(@TempDir File tmp) throws Exception {
        File md = new File(tmp, "results.md");
        String simclr = FidelityCommand.BEGIN + "\nSimCLR table\n" + FidelityCommand.END;
        Files.writeString(md.toPath(), "# Results\n\n" + simclr + "\n");
        String begin = FidelityCommand.begin("-simsiam"), end = FidelityCommand.end("-simsiam");
        assertEquals("<!-- fidelity-simsiam:begin -->", begin);
        FidelityCommand.writeSection(md, begin + "\nfirst\n" + end, "-simsiam");
        FidelityCommand.writeSection(md, begin + "\nsecond\n" + end, "-simsiam");
        assertEquals("# Results\n\n" + simclr + "\n\n" + begin + "\nsecond\n" + end + "\n", Files.readString(md.toPath()));
    }

    /** A --groups entry G:k gives that arm alone model.group-samples = k; a malformed one is a config error. */
    @Test
    void aGroupEntryMayNameItsSamplesPerImage() {
        FidelityCommand.Arm jigsaw = FidelityCommand.groupArm("jigsaw:4", "E-SimCLR", "esimclr", 0.4);
        assertEquals(List.of("model.lambda=0.4", "model.group=jigsaw", "model.group-samples=4"), jigsaw.sets());
        assertEquals("E-SimCLR jigsaw (4 per image)", jigsaw.name());
        assertEquals("esimclr-jigsaw-k4", jigsaw.dir());
        FidelityCommand.Arm rot4 = FidelityCommand.groupArm("rot4", "E-SimCLR", "esimclr", 0.4);
        assertEquals(List.of("model.lambda=0.4", "model.group=rot4"), rot4.sets());
        assertEquals("esimclr-rot4", rot4.dir());
        for (String bad : List.of("jigsaw:four", "jigsaw:4:2", ":4", "jigsaw:")) {
            org.junit.jupiter.api.Assertions.assertThrows(io.essl.config.ConfigError.class,
                    () -> FidelityCommand.groupArm(bad, "E-SimCLR", "esimclr", 0.4), bad);
        }
    }

    /** --groups: one baseline and one E-variant per group through the real job, a table row and bar for each. */
    @Test
    void theGroupStudyRunsOneBaselineAndOneArmPerGroup(@TempDir File tmp) throws Exception {
        List<String> sets = new java.util.ArrayList<>(io.essl.TestData.smallRun(tmp));
        sets.addAll(List.of("train.epochs=1", "train.max-steps=3", "train.monitor.knn-every-epochs=0", "probe.reg-params=[0]",
                "probe.max-iter=20", "probe.knn.enabled=false"));
        File md = new File(tmp, "results.md");
        File out = new File(tmp, "study");
        assertEquals(Main.OK, Main.run(bench(sets, "--seeds", "1", "--no-baselines", "--groups", "rot4,vflip",
                "--out", out.getPath(), "--results", md.getPath())));
        String text = Files.readString(md.toPath());
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("<!-- fidelity-groups:begin -->"), text);
        for (String arm : List.of("| SimCLR |", "| E-SimCLR rot4 |", "| E-SimCLR vflip |")) {
            org.junit.jupiter.api.Assertions.assertTrue(text.contains(arm), arm + " in " + text);
        }
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new File(out, "fidelity.json"));
        assertEquals(3, json.get("runs").size());
        org.junit.jupiter.api.Assertions.assertTrue(json.get("E-SimCLR vflip_probe_top1_mean").isNumber());
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new File(out, "esimclr-vflip-seed42/report.json"));
        assertEquals("vflip", report.at("/pretrain/group").asText());
        assertEquals(2, report.at("/pretrain/group_size").asInt());
        // the table's group head accuracy: the last tenth of the steps (here the last of 3) of the run's loss parts
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> asMap = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(report, java.util.Map.class);
        org.junit.jupiter.api.Assertions.assertTrue(report.at("/loss/parts/2/group_accuracy").isNumber());
        assertEquals(report.at("/loss/parts/2/group_accuracy").asDouble(), Runs.lastGroupAccuracy(asMap), 1e-12);
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("group head accuracy"), text);
        org.junit.jupiter.api.Assertions.assertNotNull(javax.imageio.ImageIO.read(new File(out, "fidelity.png")));
        // --resume: the finished runs are read back, not run again (their model files untouched), same table
        File model = new File(out, "esimclr-vflip-seed42/model.zip");
        long written = model.lastModified();
        assertEquals(Main.OK, Main.run(bench(sets, "--seeds", "1", "--no-baselines", "--groups", "rot4,vflip",
                "--out", out.getPath(), "--results", md.getPath(), "--resume")));
        assertEquals(written, model.lastModified());
        var again = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new File(out, "fidelity.json"));
        assertEquals(json.get("runs"), again.get("runs"));
        // ... but only with the same recipe: one key changed and the run's report no longer matches
        File vflip = new File(out, "esimclr-vflip-seed42");
        List<String> same = withAll(sets, "seed=42", "model.lambda=0.4", "train.base-lr=0.002",
                "output.dir=\"" + vflip.getPath() + "\"", "model.group=vflip");
        org.junit.jupiter.api.Assertions.assertNotNull(Runs.finishedStudyRun(load(same), vflip));
        org.junit.jupiter.api.Assertions.assertNull(Runs.finishedStudyRun(load(withAll(same, "train.max-steps=4")), vflip));
        // a bad group name stops the study before Spark starts
        assertEquals(Main.BAD_INPUT, Main.run(bench(sets, "--groups", "rot4,spin", "--out", new File(tmp, "bad").getPath(),
                "--results", "")));
    }

    private static io.essl.config.EsslConfig load(List<String> sets) {
        return io.essl.config.ConfigLoader.load(io.essl.config.ConfigLoader.recipeResource("fidelity.conf"), null, sets);
    }

    private static List<String> withAll(List<String> sets, String... more) {
        List<String> l = new java.util.ArrayList<>(sets);
        l.addAll(List.of(more));
        return l;
    }

    /** bench fidelity --set ... more */
    private static String[] bench(List<String> sets, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("bench"));
        a.addAll(List.of(io.essl.TestData.args("fidelity", sets, more)));
        return a.toArray(String[]::new);
    }
}
