package io.essl.cli;

import io.essl.TestData;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import io.essl.model.EsslGraph;
import io.essl.model.ModelFile;
import io.essl.optim.Optimisers;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** probe on a model that does not fit the configuration or the data: one readable line, exit 2. */
class ProbeInputTest {
    private static Map<String, Object> metadata(EsslConfig conf) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "E-SimCLR");
        m.put("input_shape", List.of(1, 28, 28));
        m.put("view3_size", 14);
        m.put("config", conf.rendered());
        return m;
    }

    private static String model(File tmp) throws Exception {
        EsslConfig conf = ConfigLoader.load(null, TestData.smallRun(tmp));
        Optimisers.Optimisation opt = new Optimisers.Optimisation(new Adam(1e-3), List.of(), List.of(), null, 1e-3);
        ComputationGraph g = new ComputationGraph(EsslGraph.pretraining(conf.model(), new EsslGraph.Shape(1, 28, 28, 14), 4,
                opt, 1, DataType.FLOAT));
        g.init();
        String path = new File(tmp, "model.zip").getPath();
        ModelFile.save(g, metadata(conf), path, new Configuration());
        return path;
    }

    private static String probe(int expected, String model, String... sets) {
        StringWriter err = new StringWriter();
        List<String> args = new java.util.ArrayList<>(List.of("probe", "--model", model));
        for (String s : sets) args.addAll(List.of("--set", s));
        assertEquals(expected, Main.run(new PrintWriter(err, true), args.toArray(String[]::new)), err.toString());
        List<String> lines = err.toString().lines().toList();
        assertEquals(1, lines.size(), err.toString());
        return lines.get(0);
    }

    @Test
    void anotherArchitectureInTheConfigurationIsRefusedBeforeSparkStarts(@TempDir File tmp) throws Exception {
        String line = probe(Main.BAD_INPUT, model(tmp), "model.width=0.25");
        assertTrue(line.contains("parameters") && line.contains("width 0.25"), line);
    }

    @Test
    void imagesOfAnotherSizeThanTheEncoderTakesAreRefused(@TempDir File tmp) throws Exception {
        String line = probe(Main.BAD_INPUT, model(tmp), "augment.view-size=32",
                "output.dir=\"" + new File(tmp, "out").getAbsolutePath() + "\"");
        assertTrue(line.contains("takes 1x28x28") && line.contains("1x32x32"), line);
    }

    @Test
    void aNetworkThatIsNotAnEsslGraphIsRefused(@TempDir File tmp) throws Exception {
        EsslConfig conf = ConfigLoader.load(null, TestData.smallRun(tmp));
        ComputationGraph other = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in").addLayer("fc", new DenseLayer.Builder().nIn(4).nOut(3).build(), "in")
                .addLayer("out", new OutputLayer.Builder().nIn(3).nOut(2).build(), "fc").setOutputs("out").build());
        other.init();
        String path = new File(tmp, "other.zip").getPath();
        ModelFile.save(other, metadata(conf), path, new Configuration());
        String line = probe(Main.BAD_INPUT, path);
        assertTrue(line.contains("not an E-SSL network"), line);
    }
}
