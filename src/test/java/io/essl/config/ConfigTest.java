package io.essl.config;

import io.essl.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ConfigTest {

    @Test
    void referenceDefaultsLoadAndRecipesLayerInOrder(@TempDir File tmp) throws Exception {
        EsslConfig d = ConfigLoader.load(null, List.of());
        assertEquals(0.4, d.model().lambda());
        assertEquals("local[2]", d.spark().master());
        File recipe = new File(tmp, "r.conf");
        Files.writeString(recipe.toPath(), "essl { train.epochs = 7, model.lambda = 0.1 }");
        EsslConfig c = ConfigLoader.load(recipe, List.of("train.epochs=9", "essl.train.batch-size=64",
                "spark.conf.\"spark.driver.memory\"=2g", "data.dir=/tmp/some:path"));
        assertEquals(9, c.train().epochs(), "--set wins over the recipe");
        assertEquals(0.1, c.model().lambda(), "the recipe wins over reference.conf");
        assertEquals(64, c.train().batchSize());
        assertEquals("2g", c.spark().conf().get("spark.driver.memory"));
        assertEquals("/tmp/some:path", c.data().dir());
    }

    @Test
    void theConfigCommandPrintsEveryResolvedValueWithItsOrigin(@TempDir File tmp) throws Exception {
        File recipe = new File(tmp, "r.conf");
        Files.writeString(recipe.toPath(), "essl {\n  model.lambda = 0.1\n  train.epochs = 7\n}\n");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        int rc;
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            rc = Main.run("config", "--config", recipe.getPath(), "--set", "train.epochs=3");
        } finally {
            System.setOut(stdout);
        }
        assertEquals(Main.OK, rc);
        List<String> lines = out.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.contains("essl.train.epochs = 3  # --set train.epochs=3"), "the flag wins and is named: " + lines);
        assertTrue(lines.contains("essl.model.lambda = 0.1  # " + recipe.getPath() + ":2"), "the recipe's file and line");
        assertTrue(lines.stream().anyMatch(l -> l.matches("essl\\.model\\.temperature = 0\\.5  # reference\\.conf:\\d+")),
                "an untouched key comes from reference.conf");
        // every key of the reference appears once: the print is the whole configuration, not the changes
        long keys = ConfigLoader.reference().getConfig("essl").entrySet().size();
        assertEquals(keys, lines.stream().filter(l -> l.startsWith("essl.")).count());
        assertEquals(Main.BAD_INPUT, Main.run("config", "--set", "train.epoch=3"), "an unknown key is refused as for a run");
    }

    @Test
    void aCheckpointFromBeforeAKeyExistedResumesWithThatKeysDefault() {
        EsslConfig now = ConfigLoader.load(null, List.of());
        // as an older version recorded it: without model.method (added later, default simclr)
        String older = com.typesafe.config.ConfigFactory.parseString(now.rendered()).withoutPath("model.method")
                .root().render(com.typesafe.config.ConfigRenderOptions.concise());
        assertEquals(java.util.Map.of(), RecipeDiff.of(older, now.rendered()), "the default of a new key is no change");
        EsslConfig simsiam = ConfigLoader.load(null, List.of("model.method=simsiam"));
        assertEquals(List.of("\"simclr\"", "\"simsiam\""), RecipeDiff.of(older, simsiam.rendered()).get("model.method"),
                "another value than the default the older run had is a change");
    }

    @Test
    void recordedConfigIsABaseThatFlagsOverride() {
        EsslConfig first = ConfigLoader.load(null, List.of("model.width=0.375"));
        EsslConfig again = ConfigLoader.load(ConfigLoader.parseRecorded(first.rendered()), null, List.of("probe.max-iter=5"));
        assertEquals(0.375, again.model().width());
        assertEquals(5, again.probe().maxIter());
    }

    @Test
    void unknownKeyIsAnErrorNamingTheKey(@TempDir File tmp) throws Exception {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(null, List.of("train.epocs=3")));
        assertTrue(e.getMessage().contains("essl.train.epocs"), e.getMessage());
        File recipe = new File(tmp, "typo.conf");
        Files.writeString(recipe.toPath(), "essl { modle { width = 3 } }");
        e = assertThrows(ConfigError.class, () -> ConfigLoader.load(recipe, List.of()));
        assertTrue(e.getMessage().contains("essl.modle.width"), e.getMessage());
    }

    @Test
    void wrongTypeAndOutOfRangeAreErrorsNamingTheKey() {
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(null, List.of("train.epochs=many")));
        assertTrue(e.getMessage().contains("essl.train.epochs"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> ConfigLoader.load(null, List.of("model.lambda=-1")));
        assertTrue(e.getMessage().contains("essl.model.lambda"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> ConfigLoader.load(null, List.of("augment.crop-scale=[0.9, 0.1]")));
        assertTrue(e.getMessage().contains("essl.augment.crop-scale"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> ConfigLoader.load(null, List.of("train.optimizer=lbfgs")));
        assertTrue(e.getMessage().contains("essl.train.optimizer"), e.getMessage());
    }

    private static String notAModel() {
        try {
            File f = File.createTempFile("not-a-model", ".zip");
            f.deleteOnExit();
            Files.writeString(f.toPath(), "plain text");
            return f.getPath();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void cliExitsWithCode2AndOneLineNamingTheKey() {
        for (String[] args : List.of(
                new String[]{"pretrain", "--set", "train.epocs=3"},
                new String[]{"pretrain", "--set", "train.epochs=three"},
                new String[]{"demo", "--set", "model.widht=3"},
                new String[]{"probe", "--model", "/nonexistent/model.zip"},
                new String[]{"probe", "--model", notAModel()},
                new String[]{"pretrain", "--config", "/nonexistent.conf"},
                new String[]{"pretrain", "--set", "data.dir=/nonexistent-data"},
                new String[]{"pretrain", "--no-such-flag"})) {
            java.io.StringWriter err = new java.io.StringWriter();
            int code = Main.run(new java.io.PrintWriter(err, true), args);
            assertEquals(Main.BAD_INPUT, code, String.join(" ", args) + " -> " + err);
            String msg = err.toString().strip();
            if (!args[1].equals("--no-such-flag")) {
                assertEquals(1, msg.lines().count(), "one readable line: " + msg);
            }
            String last = args[args.length - 1];
            String mention = last.contains("not-a-model") ? "not a readable essl-spark model" : switch (last) {
                case "train.epocs=3" -> "essl.train.epocs";
                case "train.epochs=three" -> "essl.train.epochs";
                case "model.widht=3" -> "essl.model.widht";
                case "/nonexistent/model.zip" -> "/nonexistent/model.zip";
                case "/nonexistent.conf" -> "/nonexistent.conf";
                case "data.dir=/nonexistent-data" -> "/nonexistent-data";
                default -> "--no-such-flag";
            };
            assertTrue(msg.contains(mention), msg);
        }
    }
}
