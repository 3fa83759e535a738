package io.essl.report;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MemorySamplerTest {
    @Test
    void slopeIsTheLeastSquaresFitOfAHandExample() {
        // Hand computation: slope = sum((x - mean x)(y - mean y)) / sum((x - mean x)^2) = 25 / 5 = 5.
        double[] x = {0, 1, 2, 3}, y = {3, 4, 7, 12};
        double sxy = (-1.5) * (3 - 6.5) + (-0.5) * (4 - 6.5) + 0.5 * (7 - 6.5) + 1.5 * (12 - 6.5);
        assertEquals(15.0, sxy, 1e-12);
        assertEquals(15.0 / 5.0, MemorySampler.slope(x, y), 1e-12);
        assertEquals(0.0, MemorySampler.slope(x, new double[]{5, 5, 5, 5}), 1e-12, "flat is zero");
        assertEquals(-2.0, MemorySampler.slope(x, new double[]{6, 4, 2, 0}), 1e-12, "a straight line's own slope");
        assertTrue(Double.isNaN(MemorySampler.slope(new double[]{1}, new double[]{1})), "one point has no slope");
    }

    @Test
    void samplesThisProcesssResidentSet() throws Exception {
        try (MemorySampler s = new MemorySampler(0.05)) {
            byte[][] hold = new byte[64][];
            for (int i = 0; i < hold.length; i++) {
                hold[i] = new byte[1 << 20];
                java.util.Arrays.fill(hold[i], (byte) 1); // touched, so resident
            }
            Thread.sleep(300);
            MemorySampler.Sample last = s.samples().get(s.samples().size() - 1);
            assertTrue(s.samples().size() >= 3, "sampled on the timer");
            assertTrue(last.rssMb() > 64, "the resident set holds at least what was touched: " + last);
            assertTrue(last.minutes() > 0 && last.minutes() < 1, last.toString());
            assertEquals(1, hold[63][0]);
        }
    }
}
