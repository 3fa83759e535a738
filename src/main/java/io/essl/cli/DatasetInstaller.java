package io.essl.cli;

import io.essl.config.ConfigError;

import java.io.File;
import java.util.List;

/** Makes sure Debian's dataset-fashion-mnist is installed: with apt when root, else says what to run. */
final class DatasetInstaller {
    static final String DIR = "/usr/share/datasets/fashion-mnist";
    static final String PACKAGE = "dataset-fashion-mnist";

    private DatasetInstaller() {
    }

    static void ensureFashionMnist() throws Exception {
        if (new File(DIR, "train-images-idx3-ubyte.gz").isFile() && new File(DIR, "t10k-labels-idx1-ubyte.gz").isFile()) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new ConfigError("Fashion-MNIST is not installed; run: sudo apt-get update && sudo apt-get install -y "
                    + PACKAGE);
        }
        System.err.println("essl: installing Fashion-MNIST (Debian package " + PACKAGE + ") ...");
        run(List.of("apt-get", "update", "-qq"));
        run(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends", PACKAGE));
        if (!new File(DIR, "train-images-idx3-ubyte.gz").isFile()) {
            throw new ConfigError("apt-get installed " + PACKAGE + " but " + DIR + " is still missing");
        }
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) throw new ConfigError("'" + String.join(" ", cmd) + "' failed; install " + PACKAGE + " by hand");
    }
}
