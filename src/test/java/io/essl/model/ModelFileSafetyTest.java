package io.essl.model;

import io.essl.TestData;
import io.essl.cli.Main;
import io.essl.config.EsslConfig;
import io.essl.optim.Optimisers;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** A model file runs no code when it is loaded: crafted entries are refused before DL4J reads them. */
class ModelFileSafetyTest {
    /** A deserialisation "gadget": its readObject leaves a trace. */
    static final class Trap implements Serializable {
        static final AtomicInteger RAN = new AtomicInteger();

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            RAN.incrementAndGet();
        }
    }

    @BeforeEach
    void reset() {
        Trap.RAN.set(0);
    }

    private static ComputationGraph graph() {
        EsslConfig.Model m = new EsslConfig.Model("resnet18-small", 1.0 / 16, false, new int[]{16, 8}, false,
                new int[]{16}, 0, "infonce", 0.5, 0.4, "simclr", new int[]{512}, 0.0051, false, "rot4", 0, 0);
        Optimisers.Optimisation opt = new Optimisers.Optimisation(new Adam(1e-3), List.of(), List.of(), null, 1e-3);
        ComputationGraph g = new ComputationGraph(EsslGraph.pretraining(m, new EsslGraph.Shape(1, 12, 12, 6), 4, opt, 1,
                DataType.FLOAT));
        g.init();
        return g;
    }

    private static byte[] serialised(Object o) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
        }
        return b.toByteArray();
    }

    private static void put(File zipFile, String entry, byte[] bytes) throws IOException {
        try (FileSystem zip = FileSystems.newFileSystem(zipFile.toPath())) {
            if (entry.contains("/")) Files.createDirectories(zip.getPath(entry).getParent());
            Files.write(zip.getPath(entry), bytes);
        }
    }

    private static File saved(File dir) throws IOException {
        File f = new File(dir, "model.zip");
        ModelFile.save(graph(), Map.of("method", "E-SimCLR"), f.getPath(), new Configuration());
        return f;
    }

    @Test
    void metadataIsPlainJsonAndTheFileLoads(@TempDir File tmp) throws Exception {
        File f = saved(tmp);
        try (FileSystem zip = FileSystems.newFileSystem(f.toPath())) {
            String json = Files.readString(zip.getPath(ModelFile.METADATA), StandardCharsets.UTF_8);
            assertTrue(json.trim().startsWith("{") && json.contains("\"E-SimCLR\""), json);
            assertFalse(Files.exists(zip.getPath("objects")), "no Java-serialised entries");
        }
        assertEquals("E-SimCLR", ModelFile.load(f.getPath(), new Configuration()).metadata().get("method"));
    }

    @Test
    void aPreprocessorEntryIsRefusedUnreadWhereDl4jWouldRunIt(@TempDir File tmp) throws Exception {
        File f = saved(tmp);
        put(f, "preprocessor.bin", serialised(new Trap()));
        // The hole is real: DL4J's own loader deserialises the entry (and fails only afterwards, on the cast).
        assertThrows(Exception.class, () -> ModelSerializer.restoreComputationGraph(f, false));
        assertEquals(1, Trap.RAN.get(), "DL4J ran the gadget's readObject");
        Trap.RAN.set(0);

        ModelFileCheck.Refused e = assertThrows(ModelFileCheck.Refused.class, () -> ModelFile.load(f.getPath(), new Configuration()));
        assertTrue(e.getMessage().contains("preprocessor.bin"), e.getMessage());
        assertThrows(ModelFileCheck.Refused.class, () -> ModelFile.metadata(f.getPath(), new Configuration()));
        assertEquals(0, Trap.RAN.get(), "nothing from the file ran");
    }

    @Test
    void legacyMetadataLoadsAsAStringAndNothingElse(@TempDir File tmp) throws Exception {
        // Files written before: the metadata as a serialised String under objects/, as ModelSerializer writes it.
        File old = new File(tmp, "old.zip");
        ModelSerializer.writeModel(graph(), old, true);
        ModelSerializer.addObjectToFile(old, ModelFile.METADATA, "{\"method\": \"SimCLR\", \"lambda\": 0.0}");
        ModelFile.Loaded loaded = ModelFile.load(old.getPath(), new Configuration());
        assertEquals("SimCLR", loaded.metadata().get("method"));
        assertEquals(graph().numParams(), loaded.graph().numParams());

        File crafted = new File(tmp, "crafted.zip");
        ModelSerializer.writeModel(graph(), crafted, true);
        ModelSerializer.addObjectToFile(crafted, ModelFile.METADATA, new Trap());
        ModelFileCheck.Refused e = assertThrows(ModelFileCheck.Refused.class,
                () -> ModelFile.load(crafted.getPath(), new Configuration()));
        assertTrue(e.getMessage().contains("objects/" + ModelFile.METADATA), e.getMessage());
        assertEquals(0, Trap.RAN.get(), "the filter rejected the class before its readObject");
    }

    @Test
    void aConfigurationNamingAForeignClassIsRefused(@TempDir File tmp) throws Exception {
        File f = saved(tmp);
        String json;
        try (FileSystem zip = FileSystems.newFileSystem(f.toPath())) {
            json = Files.readString(zip.getPath("configuration.json"));
        }
        assertTrue(json.contains("\"org.nd4j.linalg.activations.impl.ActivationReLU\""));
        put(f, "configuration.json", json.replaceFirst("\"org\\.nd4j\\.linalg\\.activations\\.impl\\.ActivationReLU\"",
                "\"javax.script.ScriptEngineManager\"").getBytes(StandardCharsets.UTF_8));
        ModelFileCheck.Refused e = assertThrows(ModelFileCheck.Refused.class, () -> ModelFile.load(f.getPath(), new Configuration()));
        assertTrue(e.getMessage().contains("javax.script.ScriptEngineManager"), e.getMessage());
    }

    @Test
    void probeOnACraftedModelExitsTwoWithOneLineNamingTheEntry(@TempDir File tmp) throws Exception {
        File f = saved(tmp);
        put(f, "preprocessor.bin", serialised(new Trap()));
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), "probe", "--model", f.getPath(),
                "--set", "data.dir=\"" + TestData.sliceDir().getAbsolutePath() + "\"");
        assertEquals(Main.BAD_INPUT, code, err.toString());
        List<String> lines = err.toString().lines().toList();
        assertEquals(1, lines.size(), err.toString());
        assertTrue(lines.get(0).contains("preprocessor.bin"), lines.get(0));
        assertEquals(0, Trap.RAN.get());
    }
}
