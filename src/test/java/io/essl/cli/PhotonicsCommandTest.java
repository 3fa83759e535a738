package io.essl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

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
}
