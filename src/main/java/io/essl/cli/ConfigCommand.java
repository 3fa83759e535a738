package io.essl.cli;

import io.essl.config.ConfigLoader;
import com.typesafe.config.ConfigFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code essl config}: the configuration a run with the same flags would use, each value with its origin. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Print the resolved configuration (HOCON) with each value's origin: reference.conf, the recipe, --set.")
public class ConfigCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        System.out.print(ConfigLoader.explain(ConfigFactory.empty(), common.config, common.overrides));
        return Main.OK;
    }
}
