package io.essl.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FidelityTest {

    @Test
    void meanAndSampleStandardDeviationPerMethod() {
        List<FidelityCommand.Run> runs = List.of(
                new FidelityCommand.Run("SimCLR", 1, 0.70, 0.60, 1, 1),
                new FidelityCommand.Run("E-SimCLR", 1, 0.80, 0.70, 1, 1),
                new FidelityCommand.Run("E-SimCLR", 2, 0.84, 0.74, 1, 1),
                new FidelityCommand.Run("E-SimCLR", 3, 0.82, 0.72, 1, 1));
        assertArrayEquals(new double[]{0.82, 0.02}, FidelityCommand.meanStd(runs, "E-SimCLR", true), 1e-12);
        assertArrayEquals(new double[]{0.72, 0.02}, FidelityCommand.meanStd(runs, "E-SimCLR", false), 1e-12);
        assertArrayEquals(new double[]{0.70, 0.0}, FidelityCommand.meanStd(runs, "SimCLR", true), 1e-12);
    }

    @Test
    void theResultsSectionIsReplacedNotAppendedOnARerun(@TempDir File tmp) throws Exception {
        File md = new File(tmp, "results.md");
        Files.writeString(md.toPath(), "# Results\n\ntext before\n");
        FidelityCommand.writeSection(md, FidelityCommand.BEGIN + "\nfirst\n" + FidelityCommand.END + "\n");
        Files.writeString(md.toPath(), Files.readString(md.toPath()) + "text after\n");
        FidelityCommand.writeSection(md, FidelityCommand.BEGIN + "\nsecond\n" + FidelityCommand.END + "\n");
        assertEquals("# Results\n\ntext before\n\n" + FidelityCommand.BEGIN + "\nsecond\n" + FidelityCommand.END
                + "\ntext after\n", Files.readString(md.toPath()));
    }

    @Test
    void anotherMethodsStudyHasItsOwnSectionBesideSimclrs(@TempDir File tmp) throws Exception {
        File md = new File(tmp, "results.md");
        String simclr = FidelityCommand.BEGIN + "\nSimCLR table\n" + FidelityCommand.END;
        Files.writeString(md.toPath(), "# Results\n\n" + simclr + "\n");
        String begin = FidelityCommand.begin("-simsiam"), end = FidelityCommand.end("-simsiam");
        assertEquals("<!-- fidelity-simsiam:begin -->", begin);
        FidelityCommand.writeSection(md, begin + "\nfirst\n" + end, "-simsiam");
        FidelityCommand.writeSection(md, begin + "\nsecond\n" + end, "-simsiam");
        assertEquals("# Results\n\n" + simclr + "\n\n" + begin + "\nsecond\n" + end + "\n", Files.readString(md.toPath()));
    }
}
