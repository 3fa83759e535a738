package io.essl.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/essl gpu-check --capability X.Y: exit 0 where the CUDA build runs, 2 and one line where it cannot. */
class GpuCheckTest {
    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(new PrintWriter(err, true), args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void hopperIsRefusedInOneLineAndAnAmpereCardRuns() throws Exception {
        Result h200 = run("gpu-check", "--capability", "9.0");
        assertEquals(Main.BAD_INPUT, h200.code());
        assertEquals(1, h200.err().strip().lines().count(), h200.err());
        assertTrue(h200.err().startsWith("essl: compute capability 9.0 cannot run ND4J's CUDA 11.6 build"), h200.err());
        assertTrue(h200.err().contains("8.6") && h200.err().contains("no PTX"), h200.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(h200.out().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertTrue(json.get("cuda_backend").isBoolean() && !json.get("cuda_backend").booleanValue(), "CPU build");
        assertTrue(json.at("/devices/0/runs").isBoolean() && !json.at("/devices/0/runs").booleanValue());

        Result l4 = run("gpu-check", "--capability", "8.9");
        assertEquals(Main.OK, l4.code(), l4.err());
        assertTrue(l4.out().contains("compute capability 8.9: runs (machine code 8.6)"), l4.out());
        assertEquals("", l4.err());

        Result bad = run("gpu-check", "--capability", "hopper");
        assertEquals(Main.BAD_INPUT, bad.code());
        assertTrue(bad.err().startsWith("essl: bad compute capability 'hopper'"), bad.err());
    }
}
