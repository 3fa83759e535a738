package io.essl.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The progress line names the method's loss; step logs written before the rename still read on resume. */
class ProgressTest {
    @Test
    void theLineNamesTheInvarianceLossAndAddsTheGroupPart() {
        StepMetrics.Parts parts = new StepMetrics.Parts(-0.75, 0.05, 0.62, Double.NaN, 0.03, 1, 0.1, 0.8);
        String line = Progress.line(1, 2, 3, 10, 3, 20, parts, "negative cosine", "rot4", 250, 61);
        assertTrue(line.contains("loss -0.7000 = negative cosine -0.7500 + rot4 0.0500 (acc 0.620)"), line);
        assertFalse(line.contains("monitor"), line);
        assertTrue(line.endsWith("| lr 0.03000 | 250.0 img/s | ETA 1m01s"), line);
        String plain = Progress.line(1, 2, 3, 10, 3, 20, new StepMetrics.Parts(4.1, 0, 0, 0.3, 0.03, 1, 0.1, 0.8), "NT-Xent",
                null, 250, 61);
        assertTrue(plain.contains("loss 4.1000 = NT-Xent 4.1000 | monitor acc 0.300 |"), plain);
    }

    @Test
    void aStepLogWrittenWithTheOldContrastiveKeyReadsAsInvariance() throws Exception {
        String old = "{\"step\":7,\"epoch\":1,\"contrastive\":4.25,\"group\":0.5,\"groupAccuracy\":0.4,"
                + "\"learningRate\":0.01,\"imagesPerSecond\":90.0}";
        PretrainJob.StepLog l = new ObjectMapper().readValue(old, PretrainJob.StepLog.class);
        assertEquals(4.25, l.invariance());
        assertEquals(7, l.step());
        PretrainJob.StepLog now = new ObjectMapper().readValue(new ObjectMapper().writeValueAsString(l), PretrainJob.StepLog.class);
        assertEquals(l, now);
    }
}
