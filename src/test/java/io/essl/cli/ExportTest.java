package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.TestData;
import io.essl.augment.FloatImage;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.data.IdxReader;
import io.essl.data.ImageRecord;
import io.essl.model.ModelFile;
import io.essl.probe.FeatureExtractor;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.tools.JavaCompiler;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.FileInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bin/essl export: the encoder zip restored in a JVM that has DL4J and its dependencies but none of our classes, fed
 * with images normalised from the sidecar's numbers alone, gives the probe's features.
 */
class ExportTest {
    static final String MODEL = "src/test/resources/fixtures/model-2026-12-02.zip";
    static final int IMAGES = 6;

    /** The DL4J-only program: what a service would write, compiled here from source (it must not see io.essl). */
    static final String PLAIN_EMBED = """
            import org.deeplearning4j.nn.graph.ComputationGraph;
            import org.deeplearning4j.util.ModelSerializer;
            import org.nd4j.linalg.api.buffer.DataType;
            import org.nd4j.linalg.api.ndarray.INDArray;
            import org.nd4j.linalg.factory.Nd4j;
            import org.nd4j.shade.jackson.databind.JsonNode;
            import org.nd4j.shade.jackson.databind.ObjectMapper;
            import java.io.File;
            import java.nio.ByteBuffer;
            import java.nio.ByteOrder;
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.util.List;

            /** args: encoder.zip sidecar.json pixels.f32 (8-bit values as floats, NCHW) features.f32 */
            public class PlainEmbed {
                public static void main(String[] a) throws Exception {
                    try {
                        Class.forName("io.essl.model.BatchNormLayer");
                        System.exit(3); // the project's classes are visible: the test would prove nothing
                    } catch (ClassNotFoundException expected) {
                    }
                    JsonNode side = new ObjectMapper().readTree(new File(a[1]));
                    JsonNode in = side.get("input"), norm = side.get("normalisation");
                    int c = in.get("channels").asInt(), h = in.get("height").asInt(), w = in.get("width").asInt();
                    ByteBuffer px = ByteBuffer.wrap(Files.readAllBytes(Path.of(a[2]))).order(ByteOrder.LITTLE_ENDIAN);
                    float[] x = new float[px.capacity() / 4];
                    for (int i = 0; i < x.length; i++) {
                        int ch = i / (h * w) % c;
                        x[i] = (float) ((px.getFloat() * norm.get("pixel_scale").asDouble() - norm.get("mean").get(ch).asDouble())
                                / norm.get("std").get(ch).asDouble());
                    }
                    ComputationGraph g = ModelSerializer.restoreComputationGraph(new File(a[0]), false);
                    if (!g.getConfiguration().getNetworkInputs().equals(List.of(in.get("name").asText()))) System.exit(4);
                    int out = g.getConfiguration().getNetworkOutputs().indexOf(side.get("output").get("name").asText());
                    INDArray f = g.output(false, Nd4j.create(x, new long[]{x.length / (c * h * w), c, h, w}))[out];
                    float[] v = f.castTo(DataType.FLOAT).dup('c').data().asFloat();
                    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                    for (float e : v) b.putFloat(e);
                    Files.write(Path.of(a[3]), b.array());
                }
            }
            """;

    @Test
    void aJvmWithOnlyDl4jGivesTheProbesFeatures(@TempDir File tmp) throws Exception {
        File zip = new File(tmp, "encoder.zip"), report = new File(tmp, "report.json");
        assertEquals(Main.OK, Main.run("export", "--model", MODEL, "--output", zip.getPath(), "--report", report.getPath()));
        JsonNode side = new ObjectMapper().readTree(new File(tmp, "encoder.json"));
        assertEquals(List.of(1, 28, 28, 16), List.of(side.at("/input/channels").asInt(), side.at("/input/height").asInt(),
                side.at("/input/width").asInt(), side.at("/output/features").asInt()));
        assertEquals("NCHW", side.at("/input/layout").asText());
        assertEquals(0.286, side.at("/normalisation/mean/0").asDouble());
        assertEquals("resnet18-small", side.at("/backbone/name").asText());
        assertEquals("9ee2f6b788741de410a10ee5a8420ffbd5b850f5", side.at("/source/provenance/git_commit").asText());
        assertTrue(side.at("/export/created").isTextual(), "the export's own provenance");
        assertEquals(side.at("/check").toString(), new ObjectMapper().readTree(report).at("/check").toString());
        try (ZipFile z = new ZipFile(zip)) {
            String config = new String(z.getInputStream(z.getEntry("configuration.json")).readAllBytes(), StandardCharsets.UTF_8);
            assertFalse(config.contains("io.essl"), "nothing of ours in the model's configuration");
        }

        ImageRecord[] images;
        try (var in = new FileInputStream(new File(TestData.sliceDir(), "t10k-images-idx3-ubyte.gz"))) {
            images = IdxReader.readImages(in, "test images", null, 0, IMAGES);
        }
        ByteBuffer px = ByteBuffer.allocate(4 * IMAGES * 28 * 28).order(ByteOrder.LITTLE_ENDIAN);
        for (ImageRecord r : images) for (byte b : r.pixels()) px.putFloat(b & 0xff);
        File pixels = new File(tmp, "pixels.f32"), features = new File(tmp, "features.f32");
        Files.write(pixels.toPath(), px.array());

        Process p = plainJvm(tmp, List.of(zip.getPath(), new File(tmp, "encoder.json").getPath(), pixels.getPath(),
                features.getPath()), new File(tmp, "plain.log"));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the plain JVM finished");
        assertEquals(0, p.exitValue(), Files.readString(new File(tmp, "plain.log").toPath()));
        ByteBuffer got = ByteBuffer.wrap(Files.readAllBytes(features.toPath())).order(ByteOrder.LITTLE_ENDIAN);

        INDArray ours = probeFeatures(images);
        assertEquals(ours.length() * 4, got.capacity());
        double maxAbs = 0;
        for (int i = 0; i < ours.rows(); i++) {
            for (int j = 0; j < ours.columns(); j++) {
                double want = ours.getDouble(i, j);
                assertEquals(want, got.getFloat(), 1e-4 * (1 + Math.abs(want)), "feature " + i + "," + j);
                maxAbs = Math.max(maxAbs, Math.abs(want));
            }
        }
        assertTrue(maxAbs > 1e-3, "the features are not all zero");
    }

    @Test
    void badInputIsOneLineAndExitTwo(@TempDir File tmp) throws Exception {
        String out = new File(tmp, "encoder.zip").getPath();
        Files.writeString(new File(tmp, "not-a-model.zip").toPath(), "hello");
        for (String[] args : List.of(
                new String[]{"export", "--model", new File(tmp, "nowhere.zip").getPath(), "--output", out},
                new String[]{"export", "--model", new File(tmp, "not-a-model.zip").getPath(), "--output", out},
                new String[]{"export", "--model", MODEL, "--output", new File(tmp, "encoder.bin").getPath()})) {
            StringWriter err = new StringWriter();
            assertEquals(Main.BAD_INPUT, Main.run(new PrintWriter(err, true), args), err.toString());
            assertEquals(1, err.toString().strip().lines().count(), err.toString());
            assertTrue(err.toString().startsWith("essl: "), err.toString());
        }
        assertFalse(new File(out).exists(), "nothing written");
    }

    /** What the probe computes for these images: FeatureExtractor's normalisation, the model's own encoder. */
    static INDArray probeFeatures(ImageRecord[] images) throws Exception {
        ModelFile.Loaded m = ModelFile.load(MODEL, new Configuration());
        EsslConfig conf = ConfigLoader.load(ConfigLoader.parseRecorded((String) m.metadata().get("config")), null, List.of());
        var encoder = Runs.encoderOf(m, conf, Runs.shapeOf(m), MODEL);
        List<FloatImage> batch = Arrays.stream(images).map(FloatImage::of).toList();
        return encoder.output(false, FeatureExtractor.normalised(batch, conf.data().mean(), conf.data().std()))[0];
    }

    /** PlainEmbed compiled and started on this JVM's classpath without the project's classes. */
    static Process plainJvm(File tmp, List<String> args, File log) throws Exception {
        String ours = new File("target/classes").getAbsolutePath(), ourTests = new File("target/test-classes").getAbsolutePath();
        String cp = Arrays.stream(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                        .split(File.pathSeparator))
                .filter(e -> !new File(e).getAbsolutePath().equals(ours) && !new File(e).getAbsolutePath().equals(ourTests))
                .collect(Collectors.joining(File.pathSeparator));
        File classes = new File(tmp, "plain-classes");
        assertTrue(classes.mkdirs());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        var source = new SimpleJavaFileObject(URI.create("string:///PlainEmbed.java"), javax.tools.JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return PLAIN_EMBED;
            }
        };
        StringWriter diagnostics = new StringWriter();
        assertTrue(javac.getTask(diagnostics, null, null, List.of("-classpath", cp, "-d", classes.getPath()), null,
                List.of(source)).call(), diagnostics.toString());
        List<String> cmd = new java.util.ArrayList<>(List.of(new File(System.getProperty("java.home"), "bin/java").getPath(),
                "-cp", classes.getPath() + File.pathSeparator + cp, "PlainEmbed"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log);
        pb.environment().put("OMP_NUM_THREADS", "2");
        return pb.start();
    }
}
