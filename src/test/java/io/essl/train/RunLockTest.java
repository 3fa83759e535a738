package io.essl.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

class RunLockTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSecondRunIsRefusedNamingTheHolderUntilTheFirstReleases(@TempDir File tmp) throws Exception {
        String dir = new File(tmp, "out").getPath();
        try (RunLock first = RunLock.acquire(new Configuration(), "pretrain", dir)) {
            File lockFile = new File(dir, RunLock.NAME);
            Map<?, ?> h = JSON.readValue(lockFile, Map.class);
            assertEquals(ProcessHandle.current().pid(), ((Number) h.get("pid")).longValue());
            assertEquals(RunLock.hostName(), h.get("host"));
            ConfigError e = assertThrows(ConfigError.class, () -> RunLock.acquire(new Configuration(), "pretrain", dir));
            assertTrue(e.getMessage().contains("in use by another run") && e.getMessage().contains("pid " + ProcessHandle.current().pid())
                    && e.getMessage().contains("host " + RunLock.hostName()), e.getMessage());
            assertFalse(new File(dir, "." + RunLock.NAME + ".crc").exists(), "no checksum sidecar");
        }
        assertFalse(new File(dir, RunLock.NAME).exists(), "released");
        RunLock.acquire(new Configuration(), "pretrain", dir).close();
    }

    @Test
    void exactlyOneOfManyConcurrentRunsGetsTheFolder(@TempDir File tmp) throws Exception {
        String dir = tmp.getPath();
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RunLock>> tries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tries.add(pool.submit(() -> {
                go.await();
                try {
                    return RunLock.acquire(new Configuration(), "pretrain", dir);
                } catch (ConfigError e) {
                    return null;
                }
            }));
        }
        go.countDown();
        List<RunLock> won = new ArrayList<>();
        for (Future<RunLock> f : tries) if (f.get() != null) won.add(f.get());
        pool.shutdown();
        assertEquals(1, won.size(), "one winner");
        won.get(0).close();
    }

    @Test
    void aLockOfADeadProcessIsReportedAsStaleWithHowToClearItAndKept(@TempDir File tmp) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        File lockFile = new File(tmp, RunLock.NAME);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("host", RunLock.hostName());
        h.put("pid", gone.pid());
        h.put("command", "pretrain");
        h.put("started", Instant.now().minusSeconds(60).toString());
        h.put("heartbeat", Instant.now().toString()); // a fresh heartbeat does not make a dead local process alive
        JSON.writeValue(lockFile, h);
        byte[] before = Files.readAllBytes(lockFile.toPath());
        ConfigError e = assertThrows(ConfigError.class, () -> RunLock.acquire(new Configuration(), "pretrain", tmp.getPath()));
        assertTrue(e.getMessage().contains("stale lock") && e.getMessage().contains("pid " + gone.pid())
                && e.getMessage().contains("delete " + lockFile.getPath().replace(File.separatorChar, '/')), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(lockFile.toPath()), "a stale lock is reported, never taken over");
    }

    @Test
    void aLockThisProcessReleasedButCouldNotRemoveIsTakenOver(@TempDir File tmp) throws Exception {
        File lockFile = new File(tmp, RunLock.NAME);
        byte[] left;
        try (RunLock first = RunLock.acquire(new Configuration(), "pretrain", tmp.getPath())) {
            left = Files.readAllBytes(lockFile.toPath());
        }
        Files.write(lockFile.toPath(), left); // as when the folder was read-only at release time
        try (RunLock again = RunLock.acquire(new Configuration(), "pretrain", tmp.getPath())) {
            assertNotEquals(JSON.readValue(left, Map.class).get("token"), JSON.readValue(lockFile, Map.class).get("token"));
        }
    }

    @Test
    void anotherHostsHolderIsAliveWhileItsHeartbeatIsRecent() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("host", "some-other-host");
        h.put("pid", 1);
        h.put("heartbeat", Instant.now().minusSeconds(RunLock.HEARTBEAT_S).toString());
        assertTrue(RunLock.alive(h));
        h.put("heartbeat", Instant.now().minusSeconds(RunLock.STALE_AFTER_S + 60).toString());
        assertFalse(RunLock.alive(h));
    }
}
