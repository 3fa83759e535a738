package io.essl.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.config.ConfigLoader;
import io.essl.config.EsslConfig;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A model file written by `bin/essl pretrain` on 2026-12-02 (E-SimCLR, width 1/32, two steps on the test slice;
 * commit it came from in its metadata) must keep loading and give the same features: class names are part of
 * a saved model's JSON, so moving or renaming a layer, loss or vertex class would break every model users hold.
 * The expected features were computed by that code on the input below.
 */
class OldModelFixtureTest {
    static final File FIXTURE = new File("src/test/resources/fixtures/model-2026-12-02.zip");
    static final File EXPECTED = new File("src/test/resources/fixtures/model-2026-12-02.features.json");

    /** Four 1 x 28 x 28 inputs from a seeded generator (not ND4J's, whose stream could change with its version). */
    static INDArray input() {
        Random r = new Random(7);
        float[] v = new float[4 * 28 * 28];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return Nd4j.create(v, new long[]{4, 1, 28, 28}, DataType.FLOAT);
    }

    static INDArray features() throws Exception {
        ModelFile.Loaded m = ModelFile.load(FIXTURE.getPath(), new Configuration());
        EsslConfig conf = ConfigLoader.load(ConfigLoader.parseRecorded((String) m.metadata().get("config")), null, List.of());
        @SuppressWarnings("unchecked")
        List<Integer> s = (List<Integer>) m.metadata().get("input_shape");
        EsslGraph.Shape shape = new EsslGraph.Shape(s.get(0), s.get(1), s.get(2), ((Number) m.metadata().get("view3_size")).intValue());
        return EsslGraph.extractEncoder(m.graph(), conf.model(), shape).output(false, input())[0];
    }

    @Test
    void aModelFileMadeBeforeTheRefactoringsLoadsAndGivesTheSameFeatures() throws Exception {
        ModelFile.Loaded m = ModelFile.load(FIXTURE.getPath(), new Configuration());
        assertEquals("E-SimCLR", m.metadata().get("method"));
        assertEquals(2, ((Number) m.metadata().get("steps")).intValue());
        @SuppressWarnings("unchecked")
        Map<String, Object> expected = new ObjectMapper().readValue(EXPECTED, Map.class);
        @SuppressWarnings("unchecked")
        List<List<Double>> rows = (List<List<Double>>) expected.get("features");
        INDArray f = features();
        assertEquals(rows.size(), f.rows());
        assertEquals(rows.get(0).size(), f.columns());
        double maxAbs = 0;
        for (int i = 0; i < f.rows(); i++) {
            for (int j = 0; j < f.columns(); j++) {
                assertEquals(rows.get(i).get(j), f.getDouble(i, j), 1e-5 * (1 + Math.abs(rows.get(i).get(j))), "feature " + i + "," + j);
                maxAbs = Math.max(maxAbs, Math.abs(rows.get(i).get(j)));
            }
        }
        assertTrue(maxAbs > 1e-3, "the features are not all zero: " + maxAbs);
    }

    /** Wrote the expected features once, when the fixture was made (a main, not a test: it asserts nothing). */
    public static void main(String[] args) throws Exception {
        INDArray f = features();
        double[][] rows = f.castTo(DataType.DOUBLE).toDoubleMatrix();
        new ObjectMapper().writeValue(EXPECTED, Map.of("input", "java.util.Random(7), 4 x 1 x 28 x 28 uniform in [-1, 1)",
                "features", rows));
    }
}
