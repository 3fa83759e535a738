package io.essl.cli;

import io.essl.augment.FloatImage;
import io.essl.config.ConfigError;
import io.essl.config.EsslConfig;
import io.essl.corrupt.Corruptions;
import io.essl.data.ImageRecord;
import io.essl.probe.Robustness;
import io.essl.report.Charts;
import io.essl.report.Report;

import java.awt.image.BufferedImage;
import java.io.File;
import java.util.List;
import java.util.Map;

/** probe --robustness in the report: accuracies, corruption errors against the random encoder, heat map, gallery. */
final class RobustnessReport {
    /** The gallery's columns: the clean image and these severities. */
    static final int[] GALLERY_SEVERITIES = {1, 3, 5};

    private RobustnessReport() {
    }

    /** Before Spark starts: the corruptions named exist and the protocol is the one whose model is evaluated. */
    static void check(EsslConfig conf) {
        EsslConfig.Robustness r = conf.probe().robustness();
        if (!r.enabled()) return;
        if (!conf.probe().protocol().equals("fast")) {
            throw new ConfigError("bad value for key essl.probe.robustness.enabled: the robustness evaluation takes the fast "
                    + "protocol's probe (probe.protocol = fast), got " + conf.probe().protocol());
        }
        for (String name : r.corruptions()) {
            try {
                Corruptions.of(name);
            } catch (IllegalArgumentException e) {
                throw new ConfigError("bad value for key essl.probe.robustness.corruptions: " + e.getMessage());
            }
        }
    }

    static void put(Report report, File reportFile, EsslConfig conf, ImageRecord example, Robustness.Result f,
                    Robustness.Result baseline) throws java.io.IOException {
        report.put("robustness.clean_top1", f.cleanTop1())
                .put("robustness.mean_top1", f.meanTop1())
                .put("robustness.top1", f.top1())
                .put("robustness.test_images", f.testImages())
                .put("robustness.seconds", f.seconds())
                .put("robustness.baseline", "random encoder")
                .put("robustness.baseline_clean_top1", baseline.cleanTop1())
                .put("robustness.baseline_mean_top1", baseline.meanTop1())
                .put("robustness.baseline_top1", baseline.top1());
        Map<String, Double> ce = Robustness.corruptionErrors(f, baseline, false);
        Map<String, Double> relative = Robustness.corruptionErrors(f, baseline, true);
        report.put("robustness.ce", ce).put("robustness.mce", Robustness.mean(ce))
                .put("robustness.relative_ce", relative).put("robustness.relative_mce", Robustness.mean(relative));
        File heat = Runs.sibling(reportFile, "-robustness.png");
        Charts.robustness(f.top1(), String.format("Linear probe under corruptions (clean %.4f, mean %.4f)", f.cleanTop1(),
                f.meanTop1()), heat);
        report.put("robustness.heatmap_png", heat.getPath());
        File gallery = Runs.sibling(reportFile, "-corruptions.png");
        gallery(example, Robustness.names(conf.probe().robustness()), conf.seed(), gallery);
        report.put("robustness.gallery_png", gallery.getPath());
    }

    /** One test image under each corruption at severities 1, 3 and 5, beside the clean image. */
    static void gallery(ImageRecord example, List<String> names, long seed, File png) throws java.io.IOException {
        FloatImage clean = FloatImage.of(example);
        String[] cols = new String[GALLERY_SEVERITIES.length + 1];
        cols[0] = "clean";
        for (int i = 0; i < GALLERY_SEVERITIES.length; i++) cols[i + 1] = "severity " + GALLERY_SEVERITIES[i];
        BufferedImage[][] cells = new BufferedImage[names.size()][cols.length];
        for (int r = 0; r < names.size(); r++) {
            Corruptions.Corruption c = Corruptions.of(names.get(r));
            cells[r][0] = clean.toBufferedImage();
            for (int i = 0; i < GALLERY_SEVERITIES.length; i++) {
                int s = GALLERY_SEVERITIES[i];
                cells[r][i + 1] = c.apply(clean, s, Corruptions.random(seed, 0, c.name(), s)).toBufferedImage();
            }
        }
        Charts.gallery(names.toArray(String[]::new), cols, cells, 3, png);
    }
}
