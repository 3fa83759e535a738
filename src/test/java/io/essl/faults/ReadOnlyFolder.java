package io.essl.faults;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Makes a folder unwritable for whoever runs the tests. Tests run as root here, where permission bits stop nothing,
 * so for root the folder gets the immutable attribute (chattr +i: no file can be created, renamed or deleted in it,
 * root included, until it is cleared); anyone else gets r-x permissions.
 */
final class ReadOnlyFolder implements AutoCloseable {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private final File dir;

    private ReadOnlyFolder(File dir) {
        this.dir = dir;
    }

    static ReadOnlyFolder of(File dir) throws Exception {
        if (ROOT) {
            assumeTrue(chattr("+i", dir) == 0, "chattr +i needs CAP_LINUX_IMMUTABLE and ext2/3/4, xfs or btrfs: " + dir);
        } else {
            Files.setPosixFilePermissions(dir.toPath(), PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        return new ReadOnlyFolder(dir);
    }

    @Override
    public void close() throws Exception {
        if (ROOT) chattr("-i", dir);
        else Files.setPosixFilePermissions(dir.toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static int chattr(String flag, File dir) throws Exception {
        Process p = new ProcessBuilder("chattr", flag, dir.getPath()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
