package io.essl.cli;

import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** Shortcuts for the probe's most used keys; they act as --set flags placed first (explicit --set wins). */
public class ProbeOptions {
    @Option(names = "--protocol", paramLabel = "fast|paper", description = "fast (MLlib logistic regression) or paper (SGD on augmented views).")
    String protocol;

    @Option(names = "--baselines", description = "Also probe raw pixels and a randomly initialised encoder.")
    boolean baselines;

    @Option(names = "--robustness", description = "Also evaluate the probe under corruptions at severities 1-5 "
            + "(probe.robustness; docs/robustness.md), against a random encoder.")
    boolean robustness;

    @Option(names = "--export-embeddings", paramLabel = "PATH", description = "Write id, label, split, features to Parquet.")
    String export;

    List<String> withOverrides(List<String> sets) {
        List<String> all = new ArrayList<>();
        if (protocol != null) all.add("probe.protocol=" + protocol);
        if (baselines) all.add("probe.baselines=true");
        if (robustness) all.add("probe.robustness.enabled=true");
        if (export != null) all.add("probe.export-embeddings=\"" + export + "\"");
        all.addAll(sets);
        return all;
    }
}
