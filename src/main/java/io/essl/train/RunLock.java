package io.essl.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.essl.config.ConfigError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One training run per folder: a {@value #NAME} file created with "fail if it exists" on the folder's Hadoop
 * FileSystem (on local disk with O_EXCL, since Hadoop's local create checks then writes; atomic on HDFS; on S3A,
 * Hadoop 3.3 checks then writes, so two runs started in the same second can both pass: docs/operations.md) holding the holder's host, pid, start time and a heartbeat the
 * holder refreshes. A second run fails at once naming the holder; a lock whose holder is gone (same host and
 * that process no longer exists, or no heartbeat for {@link #STALE_AFTER_S} s) is reported as stale with the
 * command that clears it. A stale lock is never taken over silently: the run that held it may still be writing.
 */
public final class RunLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunLock.class);
    public static final String NAME = ".essl-lock";
    static final long HEARTBEAT_S = 30, STALE_AFTER_S = 10 * HEARTBEAT_S;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Tokens of the locks this JVM holds now: a lock file of this process with another token was released. */
    private static final java.util.Set<String> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<Path> held = new ArrayList<>();
    private final Configuration hadoop;
    private final Map<String, Object> holder;
    private final ScheduledExecutorService heartbeat;

    private RunLock(Configuration hadoop, Map<String, Object> holder) {
        this.hadoop = hadoop;
        this.holder = holder;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "essl-run-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /** Locks each folder (created if missing) for this run, or throws {@link ConfigError} naming the holder. */
    public static RunLock acquire(Configuration hadoop, String command, String... folders) {
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("token", UUID.randomUUID().toString());
        me.put("command", command);
        me.put("host", hostName());
        me.put("pid", ProcessHandle.current().pid());
        me.put("process_started", ProcessHandle.current().info().startInstant().map(Instant::toString).orElse(""));
        me.put("started", Instant.now().toString());
        RunLock lock = new RunLock(hadoop, me);
        LIVE.add((String) me.get("token"));
        try {
            for (String folder : folders) {
                Path p = new Path(folder, NAME);
                if (!lock.held.contains(p)) lock.take(p, folder);
            }
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        lock.heartbeat.scheduleWithFixedDelay(lock::beat, HEARTBEAT_S, HEARTBEAT_S, TimeUnit.SECONDS);
        return lock;
    }

    private void take(Path p, String folder) {
        try {
            FileSystem fs = p.getFileSystem(hadoop);
            fs.mkdirs(p.getParent());
            write(p, JSON.writeValueAsBytes(withHeartbeat()), true);
            held.add(p);
        } catch (FileAlreadyExistsException | java.nio.file.FileAlreadyExistsException e) {
            Map<String, Object> h = read(p);
            if (releasedByThisProcess(h)) { // its release could not delete the file (e.g. the folder was read-only)
                log.warn("taking over {}: a lock this process released but could not remove", p);
                try {
                    write(p, JSON.writeValueAsBytes(withHeartbeat()), false);
                    held.add(p);
                    return;
                } catch (IOException again) {
                    throw new ConfigError("cannot lock " + folder + ": " + again.getMessage());
                }
            }
            throw new ConfigError(describe(folder, p, h));
        } catch (IOException e) {
            if (exists(p)) throw new ConfigError(describe(folder, p, read(p)));
            throw new ConfigError("cannot lock " + folder + ": " + e.getMessage());
        }
    }

    private static boolean releasedByThisProcess(Map<String, Object> h) {
        return hostName().equals(h.get("host")) && h.get("pid") instanceof Number pid
                && pid.longValue() == ProcessHandle.current().pid() && !LIVE.contains(String.valueOf(h.get("token")));
    }

    /** Why a folder cannot be used: a live holder, or a stale lock and how to clear it. */
    static String describe(String folder, Path lockFile, Map<String, Object> h) {
        String who = "host " + h.get("host") + ", pid " + h.get("pid") + ", " + h.get("command") + " started "
                + h.get("started") + ", last heartbeat " + h.get("heartbeat");
        if (!alive(h)) {
            return folder + " holds a stale lock from a run that is no longer alive (" + who
                    + "); if no run uses the folder, delete " + lockFile + " and start again";
        }
        return folder + " is in use by another run (" + who + "); wait for it, or use another output folder";
    }

    /** Same host: does the process still exist (with the same start time)? Other hosts: a recent heartbeat. */
    static boolean alive(Map<String, Object> h) {
        Object beat = h.get("heartbeat");
        boolean recent = beat != null && Instant.parse(beat.toString()).isAfter(Instant.now().minusSeconds(STALE_AFTER_S));
        if (!hostName().equals(h.get("host")) || !(h.get("pid") instanceof Number pid)) return recent;
        return ProcessHandle.of(pid.longValue())
                .map(p -> p.isAlive() && p.info().startInstant().map(Instant::toString).orElse("")
                        .equals(String.valueOf(h.get("process_started"))))
                .orElse(false);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> read(Path p) {
        try (var in = p.getFileSystem(hadoop).open(p)) {
            return JSON.readValue(in.readAllBytes(), LinkedHashMap.class);
        } catch (IOException | RuntimeException e) {
            Map<String, Object> unknown = new LinkedHashMap<>();
            unknown.put("host", "?"); // unreadable (half-written by a crash): treated as stale, reported, not taken
            return unknown;
        }
    }

    private boolean exists(Path p) {
        try {
            return p.getFileSystem(hadoop).exists(p);
        } catch (IOException e) {
            return false;
        }
    }

    private Map<String, Object> withHeartbeat() {
        Map<String, Object> m = new LinkedHashMap<>(holder);
        m.put("heartbeat", Instant.now().toString());
        return m;
    }

    /** Creates (failing if it exists) or replaces a lock file; local files without Hadoop's .crc sidecar. */
    private void write(Path p, byte[] bytes, boolean createNew) throws IOException {
        FileSystem fs = p.getFileSystem(hadoop);
        if (fs instanceof LocalFileSystem local) {
            java.nio.file.Path f = local.pathToFile(p).toPath();
            if (createNew) {
                java.nio.file.Files.write(f, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } else {
                java.nio.file.Path tmp = f.resolveSibling(NAME + "." + holder.get("token") + ".tmp");
                java.nio.file.Files.write(tmp, bytes);
                java.nio.file.Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return;
        }
        try (FSDataOutputStream out = fs.create(p, !createNew)) {
            out.write(bytes);
        }
    }

    private synchronized void beat() {
        for (Path p : held) {
            try {
                write(p, JSON.writeValueAsBytes(withHeartbeat()), false);
            } catch (IOException e) {
                log.warn("cannot refresh the run lock {}: {}", p, e.toString());
            }
        }
    }

    /** Releases the folders this run holds (only locks that are still this run's). */
    @Override
    public synchronized void close() {
        heartbeat.shutdownNow();
        LIVE.remove((String) holder.get("token"));
        for (Path p : held) {
            try {
                if (holder.get("token").equals(read(p).get("token"))) p.getFileSystem(hadoop).delete(p, false);
            } catch (IOException e) {
                log.warn("cannot remove the run lock {}: {}", p, e.toString());
            }
        }
        held.clear();
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
