package io.essl.cli;

import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** Options every command takes. */
public class CommonOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "Recipe (HOCON), layered over reference.conf.")
    File config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one key (repeatable), e.g. train.epochs=3.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--report", paramLabel = "FILE", description = "Where to write the JSON report.")
    File report;

    File reportOr(File fallback) {
        return report != null ? report : fallback;
    }
}
