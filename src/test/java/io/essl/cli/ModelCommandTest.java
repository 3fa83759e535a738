package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** bin/essl model: the last line is JSON with the parameter count of every part, the method and the group. */
class ModelCommandTest {
    static JsonNode run(String... args) throws Exception {
        PrintStream before = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 1];
            all[0] = "model";
            System.arraycopy(args, 0, all, 1, args.length);
            assertEquals(Main.OK, Main.run(all));
        } finally {
            System.setOut(before);
        }
        String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }

    @Test
    void simSiamOnResNet50CountsEveryPart() throws Exception {
        JsonNode j = run("--method", "simsiam", "--backbone", "resnet50", "--set", "model.lambda=0.08");
        assertEquals("E-SimSiam", j.get("method").asText());
        assertTrue(j.get("backbone_parameters").isIntegralNumber());
        assertEquals(23_508_032L, j.get("backbone_parameters").asLong());
        // the default projector [2048, 2048] on 2048 features, no biases, the last BN without affine
        assertEquals(2 * 2048L * 2048 + 2 * 2048, j.get("projector_parameters").asLong());
        // predictor 2048-512 (no bias) + BN, then 512-2048 with bias
        assertEquals(2048L * 512 + 2 * 512 + 512L * 2048 + 2048, j.get("predictor_parameters").asLong());
        assertEquals("rot4", j.get("group").asText());
        assertEquals(4, j.get("group_size").asInt());
        assertEquals(j.get("backbone_parameters").asLong() + j.get("projector_parameters").asLong()
                + j.get("predictor_parameters").asLong() + j.get("group_head_parameters").asLong(), j.get("total_parameters").asLong());
    }

    @Test
    void theGroupSetsTheHeadsOutputsAndLambdaZeroHasNone() throws Exception {
        String[] small = {"--width", "0.125", "--channels", "1", "--size", "28"};
        JsonNode rot = run(concat(small, "--group", "rot4")), jig = run(concat(small, "--group", "jigsaw"));
        assertEquals("jigsaw", jig.get("group").asText());
        assertEquals(24, jig.get("group_size").asInt());
        assertEquals(0, jig.get("predictor_parameters").asLong(), "SimCLR has no predictor");
        // the head differs only in its last Linear: hidden 2048 -> G outputs, weights and biases
        assertEquals((24 - 4) * (2048 + 1), jig.get("group_head_parameters").asLong() - rot.get("group_head_parameters").asLong());
        JsonNode none = run(concat(small, "--group", "none", "--set", "model.lambda=0"));
        assertEquals("none", none.get("group").asText());
        assertEquals(0, none.get("group_size").asInt());
        assertEquals(0, none.get("group_head_parameters").asLong());
        assertEquals("SimCLR", none.get("method").asText());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
