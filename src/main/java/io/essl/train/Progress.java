package io.essl.train;

import java.time.Duration;

/**
 * Formats one progress line per training step: the loss as the method's invariance part (named by its loss, e.g.
 * "NT-Xent") plus the weighted group part, named by its group (model.group; no group head: none).
 */
final class Progress {
    private Progress() {
    }

    static String line(int epoch, int epochs, int step, int stepsPerEpoch, int global, int total,
                       StepMetrics.Parts parts, String lossName, String groupName, double imagesPerSecond, double etaSeconds) {
        String group = groupName == null ? ""
                : String.format(" + %s %.4f (acc %.3f)", groupName, parts.group(), parts.groupAccuracy());
        String monitor = Double.isNaN(parts.monitorAccuracy()) ? "" : String.format(" | monitor acc %.3f", parts.monitorAccuracy());
        return String.format("epoch %d/%d step %d/%d (%d/%d) loss %.4f = %s %.4f%s%s | lr %.5f | %.1f img/s | ETA %s",
                epoch, epochs, step, stepsPerEpoch, global, total, parts.invariance() + parts.group(),
                lossName, parts.invariance(), group, monitor, parts.learningRate(), imagesPerSecond, duration(etaSeconds));
    }

    static String duration(double seconds) {
        Duration d = Duration.ofSeconds(Math.max(0, Math.round(seconds)));
        return d.toHours() > 0 ? String.format("%dh%02dm%02ds", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
                : String.format("%dm%02ds", d.toMinutesPart(), d.toSecondsPart());
    }
}
