package io.essl.report;

import org.bytedeco.javacpp.Pointer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples this JVM's memory on a timer for the soak benchmark: the heap live after the last collection (the sum
 * of each heap pool's usage after its last GC, so garbage waiting to be collected does not read as growth),
 * JavaCPP's off-heap bytes (ND4J's tensors) and the process's resident set (/proc/self/status VmRSS).
 */
public final class MemorySampler implements AutoCloseable {
    /** One sample: minutes since start, then megabytes. */
    public record Sample(double minutes, double heapMb, double offHeapMb, double rssMb) {
    }

    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "essl-memory-sampler");
        t.setDaemon(true);
        return t;
    });
    private final long start = System.nanoTime();

    public MemorySampler(double everySeconds) {
        timer.scheduleAtFixedRate(this::sample, 0, (long) (everySeconds * 1000), TimeUnit.MILLISECONDS);
    }

    private void sample() {
        double heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && afterGc != null) heap += afterGc.getUsed();
        }
        samples.add(new Sample((System.nanoTime() - start) / 60e9, heap / 1e6, Pointer.totalBytes() / 1e6, rssBytes() / 1e6));
    }

    /** VmRSS of this process; JavaCPP's own reading where /proc is missing. */
    static double rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return Pointer.physicalBytes();
    }

    public List<Sample> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Least-squares slope of y against x. */
    public static double slope(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) return Double.NaN;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }
}
